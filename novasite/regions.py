"""What a region without identity of its own (IDENTITY_URL) answers at /identity: Keystone's
404, naming where the identity service is. No proxy and no redirect: a client logs in at the
shared identity service (this region's catalog entry for identity is that service's URL), and
a redirect would send passwords wherever a misconfigured URL points.

A middleware rather than a URL pattern: the answer follows the setting at each request (the
URL map is built once per process), and it comes before any view or CSRF check."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from core.errors import json_error


class IdentityElsewhereMiddleware:
    """Keystone's 404 for every /identity URL while IDENTITY_URL names another region's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if settings.IDENTITY_URL and (request.path == "/identity" or request.path.startswith("/identity/")):
            message = (
                f"{settings.REGION_NAME} has no identity service of its own; authenticate at {settings.IDENTITY_URL}."
            )
            return json_error(request, 404, message)
        return self.get_response(request)
