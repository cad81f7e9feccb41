"""What every operation of one OpenStack service shares in its description: the error body
(``core.errors`` writes it, so the schemas here follow that module), the microversion
header, the tag prefix. The service is chosen by URL prefix, as ``core.errors`` chooses it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from core.errors import NOVA_KEYS
from core.microversions import Microversion

from .types import INTEGER, STRING, Component, Schema, array, obj


@dataclass(frozen=True)
class Header:
    """A microversion header: sent by the client, echoed on the response."""

    name: str
    example: str
    description: str


@dataclass(frozen=True)
class ServiceDoc:
    """One service's shared description."""

    name: str
    prefix: str
    error: Callable[[int], Schema | Component]
    newest: Callable[[], Microversion | None] = lambda: None
    headers: tuple[Header, ...] = ()
    #: Media types an error may also be written as (besides JSON), each a string.
    error_media: tuple[str, ...] = ()


COMPUTE_FAULT = Component("ComputeFault", obj({"code": INTEGER, "message": STRING}))
KEYSTONE_ERROR = Component("KeystoneError", obj({"error": obj({"code": INTEGER, "title": STRING, "message": STRING})}))
NEUTRON_ERROR = Component(
    "NeutronError", obj({"NeutronError": obj({"type": STRING, "message": STRING, "detail": STRING})})
)
PLACEMENT_ERROR = Component(
    "PlacementError",
    obj({"errors": array(obj({"status": INTEGER, "title": STRING, "detail": STRING, "code": STRING}))}),
)
# webob's JSON error (core.webob_errors): ``code`` is the status line, "404 Not Found".
GLANCE_ERROR = Component("GlanceError", obj({"code": STRING, "title": STRING, "message": STRING}))
#: The other bodies webob writes an error as, by the Accept header.
WEBOB_TEXT_ERRORS = ("text/html", "text/plain")


@cache
def nova_error(status: int) -> Schema:
    """Nova's (and Cinder's) error body: the fault under a key that names the status."""
    key = NOVA_KEYS.get(status, "computeFault")
    return obj({key: COMPUTE_FAULT}, description=f'{{"{key}": {{"code": {status}, "message": "..."}}}}')


def microversion_headers(service: str, oldest: str, newest: str, legacy: str | None = None) -> tuple[Header, ...]:
    """The ``OpenStack-API-Version: <service> X.Y`` header (and the service's older one, if
    it has one) for versions ``oldest`` to ``newest``."""
    headers = [
        Header(
            "OpenStack-API-Version",
            f"{service} {newest}",
            f"The {service} microversion: `{service} {oldest}` to `{service} {newest}`, or "
            f"`{service} latest`. Without it the request is served at {oldest}.",
        )
    ]
    if legacy:
        headers.append(
            Header(legacy, newest, f"The {service} microversion, the older header: `{oldest}` to `{newest}`.")
        )
    return tuple(headers)


def service_of(services: tuple[ServiceDoc, ...], path: str) -> ServiceDoc:
    """The service that owns ``path`` (Nova's error format for anything else, as core.errors)."""
    for service in services:
        if path.startswith(service.prefix):
            return service
    return ServiceDoc("other", "/", nova_error)
