"""Server external events (nova/api/openstack/compute/server_external_events.py): other
services (Neutron, Cinder, Ironic, Cyborg) tell Nova that something happened to a server.

Each event gets its own code: 200 accepted, 404 no such (live) server, 400 an event that needs
a tag came without one, 422 a server with no host to deliver it to; the request answers 207
when any event failed. novasite's workflows wait for no event (ports are bound and volumes
attached by the conductor itself), so an accepted event is logged and changes nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from core import policy
from core.ids import parse_uuid
from core.principal import Caller

from ..models import Server

log = logging.getLogger(__name__)

#: Events whose meaning depends on their tag (a volume, a power state, an accelerator request).
TAG_REQUIRED = ("volume-extended", "power-update", "accelerator-request-bound")


@dataclass(frozen=True)
class ExternalEvent:
    """One event as the client sent it (status defaults to "completed")."""

    name: str
    server_uuid: str
    status: str = "completed"
    tag: str | None = None


@dataclass
class EventResults:
    """The events as answered, and the request's status (200, or 207 when any failed)."""

    events: list[dict[str, Any]]
    status: int


def deliver(caller: Caller, events: list[ExternalEvent]) -> EventResults:
    """POST /os-server-external-events (service users and admins)."""
    policy.enforce(caller, policy.SERVER_EXTERNAL_EVENTS)
    uuids = [u for u in (parse_uuid(event.server_uuid) for event in events) if u]
    servers = {str(s.uuid): s for s in Server.objects.filter(uuid__in=uuids, deleted=False)}
    answered = []
    status = 200
    for event in events:
        body: dict[str, Any] = {"name": event.name, "server_uuid": event.server_uuid, "status": event.status}
        if event.tag is not None:
            body["tag"] = event.tag
        server = servers.get(str(parse_uuid(event.server_uuid)))
        if server is None:
            code = 404
        elif event.name in TAG_REQUIRED and event.tag is None:
            code = 400
        elif not server.host:
            code = 422
        else:
            code = 200
            log.info("Event %s:%s for server %s on %s", event.name, event.tag, server.uuid, server.host)
        if code != 200:
            body["status"] = "failed"
            status = 207
        else:
            body["status"] = "completed"
        answered.append({**body, "code": code})
    return EventResults(answered, status)
