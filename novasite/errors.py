"""Error bodies in each OpenStack service's own format.

Compute (Nova):   {"badRequest": {"code": 400, "message": "..."}}
Identity:         {"error": {"code": 401, "title": "Unauthorized", "message": "..."}}
Network (Neutron):{"NeutronError": {"type": "HTTPNotFound", "message": "...", "detail": ""}}
Image (Glance):   {"code": 404, "title": "Not Found", "message": "..."}
The service is chosen by the URL prefix, so views raise plain exceptions and never build bodies.
"""

from __future__ import annotations

from http import HTTPStatus

from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NOVA_KEYS = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    406: "notAcceptable",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}


def message_of(detail: object) -> str:
    """Flatten a DRF error detail (str, list or dict) into one readable sentence."""
    if isinstance(detail, dict):
        parts = []
        for key, value in detail.items():
            text = message_of(value)
            parts.append(text if key == "non_field_errors" else f"{key}: {text}")
        return "; ".join(parts)
    if isinstance(detail, (list, tuple)):
        return " ".join(message_of(item) for item in detail)
    return str(detail)


def error_body(path: str, status: int, message: str) -> dict:
    """The error document for `status` in the format of the service that owns `path`."""
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    if path.startswith("/identity"):
        return {"error": {"code": status, "title": title, "message": message}}
    if path.startswith("/network"):
        kind = "HTTP" + title.replace(" ", "")
        return {"NeutronError": {"type": kind, "message": message, "detail": ""}}
    if path.startswith("/image"):
        return {"code": status, "title": title, "message": message}
    return {NOVA_KEYS.get(status, "computeFault"): {"code": status, "message": message}}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF hook: map exceptions to the service's error body."""
    request = context.get("request")
    path = request.path if request is not None else ""
    if isinstance(getattr(exc, "http_status", None), int):
        # Service-layer errors (novasite.exceptions, servers.states, quotas) carry their status.
        status, message = exc.http_status, str(exc)
    elif isinstance(exc, Http404):
        status, message = 404, str(exc) or "Not found."
    elif isinstance(exc, drf.APIException):
        response = drf_exception_handler(exc, context)
        status = response.status_code if response is not None else exc.status_code
        message = message_of(exc.detail)
    else:
        return None  # unexpected: let it surface as a 500, which is always a bug
    response = Response(error_body(path, status, message), status=status)
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        response["WWW-Authenticate"] = 'Keystone uri="/identity/v3"'
    return response


def json_error(request, status: int, message: str) -> JsonResponse:
    """A plain Django error response (used for URL-level 404/500 outside DRF views)."""
    return JsonResponse(error_body(request.path, status, message), status=status)


def handler404(request, exception=None) -> JsonResponse:
    return json_error(request, 404, "The resource could not be found.")


def handler500(request) -> JsonResponse:
    return json_error(request, 500, "An unexpected error occurred.")
