"""The error vocabulary (``core.exceptions``) mapped once to each OpenStack service's body:

- Compute and Volume (Nova, Cinder): ``{"badRequest": {"code": 400, "message": "..."}}``
- Identity (Keystone): ``{"error": {"code": 401, "title": "Unauthorized", "message": "..."}}``
- Network (Neutron): ``{"NeutronError": {"type": "HTTPNotFound", "message": "...", "detail": ""}}``
- Placement: ``{"errors": [{"status": 404, "title": "Not Found", "detail": "...", "code": "..."}]}``
- Image (Glance): webob's, by the Accept header (``core.webob_errors``): an HTML page for
  ``*/*`` or none (what glanceclient reads), ``{"message", "code": "404 Not Found", "title"}``
  for application/json; a 401 is keystonemiddleware's, Keystone's body

The service is chosen by the URL prefix, so views and services raise plain exceptions and
never build bodies. A policy refusal is worded as each service words it.

The database or the broker being down is not a bug: a request that meets it gets 503 in its
service's format (Nova's ``serviceUnavailable``, Keystone's and Glance's ``Service
Unavailable``, Neutron's ``HTTPServiceUnavailable``), never a 500."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse
from kombu.exceptions import OperationalError as BrokerUnreachable
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import PolicyNotAuthorized
from .webob_errors import json_document, webob_error

log = logging.getLogger(__name__)

#: What a request meets while the database or the broker is down (or restarting): the caller
#: may retry later. A lost or refused database connection is an OperationalError or an
#: InterfaceError (a connection closed under the request); kombu raises its OperationalError
#: when a publish found no broker even after its retries.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (DatabaseOperationalError, DatabaseInterfaceError, BrokerUnreachable)
UNAVAILABLE_MESSAGE = "The service is temporarily unavailable (its database or message broker); retry later."

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


def _title(status: int) -> str:
    return HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"


def _nova_body(status: int, message: str, kind: str | None) -> dict[str, Any]:
    return {NOVA_KEYS.get(status, "computeFault"): {"code": status, "message": message}}


def _keystone_body(status: int, message: str, kind: str | None) -> dict[str, Any]:
    return {"error": {"code": status, "title": _title(status), "message": message}}


def _neutron_body(status: int, message: str, kind: str | None) -> dict[str, Any]:
    return {
        "NeutronError": {"type": kind or "HTTP" + _title(status).replace(" ", ""), "message": message, "detail": ""}
    }


def _placement_body(status: int, message: str, kind: str | None) -> dict[str, Any]:
    error = {"status": status, "title": _title(status), "detail": message, "code": kind or "placement.undefined_code"}
    return {"errors": [error]}


def _glance_body(status: int, message: str, kind: str | None) -> dict[str, Any]:
    return json_document(status, _title(status), message)


def _glance_response(request: HttpRequest, status: int, message: str) -> HttpResponseBase:
    if status == 401:
        # keystonemiddleware refuses the token before Glance runs: its JSON, whatever is accepted.
        return JsonResponse(_keystone_body(status, message, None), status=status)
    return webob_error(request.META.get("HTTP_ACCEPT"), status, _title(status), message)


@dataclass(frozen=True)
class ServiceFormat:
    """How one service writes an error: its body, its sentence for a policy refusal, and
    (``respond``) the whole response where it depends on more than the status (Glance's)."""

    body: Callable[[int, str, str | None], dict[str, Any]]
    policy_message: Callable[[str], str]
    policy_kind: str | None = None
    respond: Callable[[HttpRequest, int, str], HttpResponseBase] | None = None

    def response(self, request: HttpRequest, status: int, message: str, kind: str | None = None) -> HttpResponseBase:
        """The error response to ``request``."""
        if self.respond is not None:
            return self.respond(request, status, message)
        return JsonResponse(self.body(status, message, kind), status=status)


NOVA = ServiceFormat(_nova_body, lambda rule: f"Policy doesn't allow {rule} to be performed.")
FORMATS: dict[str, ServiceFormat] = {
    "/identity": ServiceFormat(
        _keystone_body, lambda rule: f"You are not authorized to perform the requested action: {rule}."
    ),
    "/network": ServiceFormat(_neutron_body, lambda rule: f"({rule}) is disallowed by policy", "PolicyNotAuthorized"),
    "/placement": ServiceFormat(_placement_body, lambda rule: f"Policy does not allow {rule} to be performed."),
    "/image": ServiceFormat(
        _glance_body, lambda rule: f"You are not authorized to complete {rule} action.", respond=_glance_response
    ),
}


def format_for(path: str) -> ServiceFormat:
    """The error format of the service that owns ``path`` (Nova's for compute, volume and the rest)."""
    for prefix, service in FORMATS.items():
        if path.startswith(prefix):
            return service
    return NOVA


def error_body(path: str, status: int, message: str, kind: str | None = None) -> dict[str, Any]:
    """The error document for ``status`` in the format of the service that owns ``path``.
    ``kind`` is the typed error name where the service has one (Neutron's ``type``)."""
    return format_for(path).body(status, message, kind)


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


def exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponseBase | None:
    """DRF hook: every API's exceptions become its service's error body."""
    request = context.get("request")
    path = request.path if request is not None else ""
    service = format_for(path)
    kind: str | None = getattr(exc, "neutron_type", None)
    status_attr = getattr(exc, "http_status", None)
    if isinstance(exc, PolicyNotAuthorized):
        status, message, kind = exc.http_status, service.policy_message(exc.rule), service.policy_kind
    elif isinstance(status_attr, int):
        # Service-layer errors (core.exceptions, the state rules) carry their status.
        status, message = status_attr, str(exc)
    elif isinstance(exc, UNAVAILABLE_ERRORS):
        log.warning("503 for %s %s: %r", request.method if request is not None else "", path, exc)
        status, message = 503, UNAVAILABLE_MESSAGE
    elif isinstance(exc, Http404):
        status, message = 404, str(exc) or "Not found."
    elif isinstance(exc, drf.APIException):
        drf_response = drf_exception_handler(exc, context)
        status = drf_response.status_code if drf_response is not None else exc.status_code
        message = message_of(exc.detail)
    else:
        return None  # unexpected: let it surface as a 500, which is always a bug
    response: HttpResponseBase
    if service.respond is not None and request is not None:
        response = service.respond(request, status, message)
    else:
        response = Response(service.body(status, message, kind), status=status)
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)) or status == 401:
        # Where a token comes from: this control plane's Keystone, or the shared one.
        response["WWW-Authenticate"] = f'Keystone uri="{settings.IDENTITY_URL or "/identity/v3"}"'
    return response


def json_error(request: HttpRequest, status: int, message: str) -> HttpResponseBase:
    """A plain Django error response (URL-level 404/500 and middleware, outside DRF views),
    JSON in every service's format but Glance's, which depends on the Accept header."""
    return format_for(request.path).response(request, status, message)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponseBase:
    """Django's 404 handler: the service's own not-found body."""
    return json_error(request, 404, "The resource could not be found.")


def handler500(request: HttpRequest) -> HttpResponseBase:
    """Django's 500 handler: the service's own fault body, or 503 when what escaped (outside
    the DRF views: middleware, the admin) was the database or the broker being down."""
    if isinstance(sys.exc_info()[1], UNAVAILABLE_ERRORS):
        return json_error(request, 503, UNAVAILABLE_MESSAGE)
    return json_error(request, 500, "An unexpected error occurred.")
