"""POST /os-server-external-events: parses the events (the names a microversion knows) and
hands them to servers.services.external_events."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.exceptions import BadRequest
from core.ids import parse_uuid
from core.microversions import Microversion
from core.views import ComputeView
from servers.services import external_events as service

from . import openapi_server_parts as doc

BASE_NAMES = ("network-changed", "network-vif-plugged", "network-vif-unplugged", "network-vif-deleted")
#: Event names each microversion added (nova/api/openstack/compute/schemas/server_external_events.py).
LATER_NAMES = (
    (mv.VOLUME_EXTENDED_EVENT, "volume-extended"),
    (mv.POWER_UPDATE_EVENT, "power-update"),
    (mv.ACCELERATOR_REQUEST_BOUND_EVENT, "accelerator-request-bound"),
    (mv.VOLUME_REIMAGED_EVENT, "volume-reimaged"),
)
STATUSES = ("failed", "completed", "in-progress")
FIELDS = {"name", "server_uuid", "status", "tag"}


def _invalid(field: str, value: object, why: str) -> BadRequest:
    return BadRequest(f"Invalid input for field/attribute {field}. Value: {value}. {why}")


def event_names(version: Microversion) -> tuple[str, ...]:
    """The event names a request at ``version`` may send."""
    return BASE_NAMES + tuple(name for since, name in LATER_NAMES if version >= since)


def parse_event(item: Any, names: tuple[str, ...]) -> service.ExternalEvent:
    """One item of ``events``, validated as Nova's schema does."""
    if not isinstance(item, dict):
        raise _invalid("events", item, f"{item!r} is not of type 'object'")
    missing = [key for key in ("name", "server_uuid") if key not in item]
    if missing:
        raise _invalid("events", item, f"'{missing[0]}' is a required property")
    extra = sorted(set(item) - FIELDS)
    if extra:
        raise BadRequest(f"Additional properties are not allowed ({', '.join(map(repr, extra))} were unexpected)")
    if item["name"] not in names:
        raise _invalid("name", item["name"], f"{item['name']!r} is not one of {list(names)}")
    if not isinstance(item["server_uuid"], str) or parse_uuid(item["server_uuid"]) is None:
        raise _invalid("server_uuid", item["server_uuid"], f"{item['server_uuid']!r} is not a 'uuid'")
    status = item.get("status", "completed")
    if status not in STATUSES:
        raise _invalid("status", status, f"{status!r} is not one of {list(STATUSES)}")
    tag = item.get("tag")
    if tag is not None and (not isinstance(tag, str) or len(tag) > 255):
        raise _invalid("tag", tag, "tag must be a string of at most 255 characters")
    return service.ExternalEvent(item["name"], item["server_uuid"], status, tag)


class ServerExternalEventsView(ComputeView):
    """POST {"events": [{"name", "server_uuid", "status"?, "tag"?}]}: 200, or 207 when an
    event failed; every event answers with its own code."""

    openapi = {"post": doc.EXTERNAL_EVENTS}

    def post(self, request: Request) -> Response:
        body = request.data
        if not isinstance(body, dict) or "events" not in body:
            raise BadRequest("Invalid input for field/attribute events. Value: None. 'events' is a required property")
        if set(body) - {"events"}:
            raise BadRequest("Additional properties are not allowed")
        items = body["events"]
        if not isinstance(items, list) or not items:
            raise _invalid("events", items, "events must be a non-empty array")
        names = event_names(request.api_version)  # type: ignore[attr-defined]
        results = service.deliver(self.caller, [parse_event(item, names) for item in items])
        return Response({"events": results.events}, status=results.status)
