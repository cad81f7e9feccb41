"""Request ids: every response carries one, and actions record it (os-instance-actions)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase

from core.errors import json_error

REQUEST_ID_RE = re.compile(r"^req-[0-9a-f-]{36}$")


class RequestIdMiddleware:
    """Sets request.request_id (a client's global X-Openstack-Request-Id is kept when well
    formed) and echoes it in X-Compute-Request-Id and X-Openstack-Request-Id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Openstack-Request-Id", "")
        request_id = given if REQUEST_ID_RE.match(given) else f"req-{uuid.uuid4()}"
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Openstack-Request-Id"] = request_id
        if request.path.startswith("/compute"):
            response["X-Compute-Request-Id"] = request_id
        return response


class RejectNulMiddleware:
    """PostgreSQL can neither store nor compare a NUL character, so a request carrying one
    would end as a database error (a 500). Every service refuses it here, in its own error
    format: 404 when it is in the path, 400 in the query string or a JSON body. Binary bodies
    (image and volume data) are left alone: NUL bytes are ordinary data there."""

    JSON_NUL = (b"\x00", b"\\u0000")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "\x00" in request.path:
            return json_error(request, 404, "The resource could not be found.")
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            return json_error(request, 400, "Invalid input: NUL character in the query string.")
        if "json" in (request.content_type or "") and request.method in ("POST", "PUT", "PATCH"):
            body = request.body.lower()
            if any(marker in body for marker in self.JSON_NUL):
                return json_error(request, 400, "Invalid input: NUL character in the request body.")
        return self.get_response(request)
