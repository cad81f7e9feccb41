"""A server's audit trail (os-instance-actions): its actions, newest first, and one action
with its events. Deleted servers keep their actions, and admins may still read them."""

from __future__ import annotations

from django.db.models import QuerySet

from core import policy
from core.exceptions import NotFound
from core.ids import parse_uuid
from core.principal import Caller

from ..models import InstanceAction, Server
from .lookup import get_server


def _server(caller: Caller, server_id: str) -> Server:
    """The server, deleted or not for admins (Nova reads deleted instances here)."""
    if not caller.is_admin:
        return get_server(caller, server_id)
    server_uuid = parse_uuid(server_id)
    server = Server.objects.filter(uuid=server_uuid).first() if server_uuid else None
    if server is None:
        raise NotFound(f"Instance {server_id} could not be found.")
    return server


def list_actions(caller: Caller, server_id: str) -> tuple[Server, QuerySet[InstanceAction]]:
    """The server and its actions, newest first."""
    server = _server(caller, server_id)
    return server, server.actions.order_by("-start_time", "-id")


def get_action(caller: Caller, server_id: str, request_id: str) -> tuple[Server, InstanceAction]:
    """The server and its action of ``request_id`` (events prefetched), else 404."""
    server = _server(caller, server_id)
    action = server.actions.filter(request_id=request_id).prefetch_related("events").first()
    if action is None:
        raise NotFound(f"Action for request_id {request_id} on instance {server_id} not found")
    return server, action


def sees_event_internals(caller: Caller) -> bool:
    """Whether events show their tracebacks and hosts to ``caller`` (policy
    os_compute_api:os-instance-actions:events)."""
    return policy.allows(caller, policy.INSTANCE_ACTION_EVENTS)
