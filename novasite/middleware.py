"""Request ids: every response carries one, and actions record it (os-instance-actions)."""
from __future__ import annotations

import re
import uuid
from typing import Callable

from django.http import HttpRequest, HttpResponse

REQUEST_ID_RE = re.compile(r"^req-[0-9a-f-]{36}$")


class RequestIdMiddleware:
    """Sets request.request_id (a client's global X-Openstack-Request-Id is kept when well
    formed) and echoes it in X-Compute-Request-Id and X-Openstack-Request-Id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Openstack-Request-Id", "")
        request.request_id = given if REQUEST_ID_RE.match(given) else f"req-{uuid.uuid4()}"
        response = self.get_response(request)
        response["X-Openstack-Request-Id"] = request.request_id
        if request.path.startswith("/compute"):
            response["X-Compute-Request-Id"] = request.request_id
        return response
