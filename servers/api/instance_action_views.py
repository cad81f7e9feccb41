"""/servers/{id}/os-instance-actions: the audit trail of a server, with events (tracebacks
and hosts for admins only). Thin views over servers.services.instance_actions."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response

from core import microversions as mv
from core.microversions import Microversion
from core.timestamps import micro
from core.views import ComputeView
from servers.models import InstanceAction
from servers.services import instance_actions as service


def action_body(action: InstanceAction, server_uuid: str, version: Microversion) -> dict[str, Any]:
    body = {
        "action": action.action,
        "instance_uuid": server_uuid,
        "request_id": action.request_id,
        "user_id": action.user_id,
        "project_id": action.project_id,
        "start_time": micro(action.start_time),
        "message": action.message,
    }
    if version >= mv.INSTANCE_ACTION_PAGING:
        body["updated_at"] = micro(action.updated_at)
    return body


def events_body(action: InstanceAction, version: Microversion, *, internals: bool) -> list[dict[str, Any]]:
    """The action's events; ``internals`` adds the traceback and the host."""
    events = []
    for event in action.events.all():
        item = {
            "event": event.event,
            "start_time": micro(event.start_time),
            "finish_time": micro(event.finish_time),
            "result": event.result,
        }
        if internals:
            item["traceback"] = event.traceback
        if version >= mv.ACTION_EVENT_HOST:
            item["hostId"] = ""
            if internals:
                item["host"] = event.host or ""
        if version >= mv.ACTION_EVENT_DETAILS:
            item["details"] = event.details
        events.append(item)
    return events


class InstanceActionsView(ComputeView):
    def get(self, request, server_id: str) -> Response:
        server, rows = service.list_actions(self.caller, server_id)
        return Response({"instanceActions": [action_body(row, str(server.uuid), request.api_version) for row in rows]})


class InstanceActionView(ComputeView):
    def get(self, request, server_id: str, request_id: str) -> Response:
        server, action = service.get_action(self.caller, server_id, request_id)
        body = action_body(action, str(server.uuid), request.api_version)
        internals = service.sees_event_internals(self.caller)
        # Before 2.51 only those who see the internals see the events at all.
        if internals or request.api_version >= mv.ACTION_EVENTS_FOR_MEMBERS:
            body["events"] = events_body(action, request.api_version, internals=internals)
        return Response({"instanceAction": body})
