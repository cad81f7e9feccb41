"""/servers/{id}/os-instance-actions: the audit trail of a server, with events (tracebacks
for admins only)."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.response import Response

from core.ids import is_uuid
from core.views import ComputeView
from servers.models import InstanceAction, Server
from servers.services import lookup

from .representation import iso_usec


def action_body(action: InstanceAction, server_uuid: str, version: tuple[int, int]) -> dict:
    body = {
        "action": action.action,
        "instance_uuid": server_uuid,
        "request_id": action.request_id,
        "user_id": action.user_id,
        "project_id": action.project_id,
        "start_time": iso_usec(action.start_time),
        "message": action.message,
    }
    if version >= (2, 58):
        body["updated_at"] = iso_usec(action.updated_at)
    return body


def _server(view: ComputeView, server_id: str) -> Server:
    """Deleted servers keep their actions: admins may still read them (Nova allows it)."""
    caller = view.caller
    if caller.is_admin:
        server = Server.objects.filter(uuid=server_id).first() if is_uuid(server_id) else None
        if server is None:
            raise exceptions.NotFound(f"Instance {server_id} could not be found.")
        return server
    return lookup.get_server(caller, server_id)


class InstanceActionsView(ComputeView):
    def get(self, request, server_id: str):
        server = _server(self, server_id)
        rows = server.actions.order_by("-start_time", "-id")
        return Response({"instanceActions": [action_body(row, str(server.uuid), request.api_version) for row in rows]})


class InstanceActionView(ComputeView):
    def get(self, request, server_id: str, request_id: str):
        server = _server(self, server_id)
        action = server.actions.filter(request_id=request_id).prefetch_related("events").first()
        if action is None:
            raise exceptions.NotFound(f"Action for request_id {request_id} on instance {server_id} not found")
        body = action_body(action, str(server.uuid), request.api_version)
        is_admin = self.caller.is_admin
        if is_admin or request.api_version >= (2, 51):
            events = []
            for event in action.events.all():
                item = {
                    "event": event.event,
                    "start_time": iso_usec(event.start_time),
                    "finish_time": iso_usec(event.finish_time),
                    "result": event.result,
                }
                if is_admin:
                    item["traceback"] = event.traceback
                if request.api_version >= (2, 62):
                    item["hostId"] = ""
                    if is_admin:
                        item["host"] = event.host or ""
                if request.api_version >= (2, 84):
                    item["details"] = event.details
                events.append(item)
            body["events"] = events
        return Response({"instanceAction": body})
