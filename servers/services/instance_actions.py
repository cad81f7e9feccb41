"""A server's audit trail (os-instance-actions): its actions, newest first, and one action
with its events. From 2.21 a deleted server's actions stay readable (Nova reads the instance
with read_deleted there); from 2.58 the list pages (limit, marker) and filters on
changes-since (changes-before from 2.66)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from core import policy
from core.exceptions import BadRequest, NotFound
from core.ids import parse_uuid
from core.paging import keyset_page, marker_values, sort_keys
from core.principal import Caller

from ..models import InstanceAction, Server
from .listing import changed_between

NEWEST_ACTIONS = sort_keys(("start_time", "id"), descending=True)


@dataclass(frozen=True)
class ActionQuery:
    """What a list of actions asks for: a page (limit, marker = a request id) and the
    changes-since / changes-before window on the actions' updated_at."""

    limit: int | None = None
    marker: str | None = None
    changes_since: datetime | None = None
    changes_before: datetime | None = None


def _server(caller: Caller, server_id: str, *, read_deleted: bool) -> Server:
    """The caller's (any, for admins) server, deleted ones too when ``read_deleted``."""
    server_uuid = parse_uuid(server_id)
    servers = Server.objects.filter(uuid=server_uuid) if server_uuid else Server.objects.none()
    if not read_deleted:
        servers = servers.filter(deleted=False)
    if not caller.is_admin:
        servers = servers.filter(project_id=caller.project_id)
    server = servers.first()
    if server is None:
        raise NotFound(f"Instance {server_id} could not be found.")
    return server


def list_actions(
    caller: Caller, server_id: str, query: ActionQuery | None = None, *, read_deleted: bool = False
) -> tuple[Server, list[InstanceAction]]:
    """The server and its actions, newest first (a page of them, as ``query`` asks); an
    unknown marker is 400."""
    query = query or ActionQuery()
    server = _server(caller, server_id, read_deleted=read_deleted)
    since, before = query.changes_since, query.changes_before
    if since and before and before < since:
        raise BadRequest("The value of changes-since must be less than or equal to changes-before.")
    actions: QuerySet[InstanceAction] = changed_between(server.actions.all(), since, before)
    marker = None
    if query.marker is not None:
        marker = marker_values(server.actions.all(), NEWEST_ACTIONS, request_id=query.marker)
        if marker is None:
            raise BadRequest(f"Marker {query.marker} could not be found.")
    return server, keyset_page(actions, NEWEST_ACTIONS, limit=query.limit, marker=marker)[0]


def get_action(
    caller: Caller, server_id: str, request_id: str, *, read_deleted: bool = False
) -> tuple[Server, InstanceAction]:
    """The server and its action of ``request_id`` (events prefetched), else 404."""
    server = _server(caller, server_id, read_deleted=read_deleted)
    action = server.actions.filter(request_id=request_id).prefetch_related("events").first()
    if action is None:
        raise NotFound(f"Action for request_id {request_id} on instance {server_id} not found")
    return server, action


def sees_event_internals(caller: Caller) -> bool:
    """Whether events show their tracebacks and hosts to ``caller`` (policy
    os_compute_api:os-instance-actions:events)."""
    return policy.allows(caller, policy.INSTANCE_ACTION_EVENTS)
