"""/servers/{id}/os-instance-actions: the audit trail of a server, with events (tracebacks
and hosts for admins only). Thin views over servers.services.instance_actions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from rest_framework.response import Response

from core import microversions as mv
from core.exceptions import BadRequest
from core.microversions import Microversion
from core.timestamps import micro
from core.views import ComputeView
from identity.catalog import base_url
from servers.models import InstanceAction
from servers.services import instance_actions as service

from . import openapi_server_parts as doc
from .validation.common import limit_param, time_param

BAD_TIME = "Invalid input for query parameters {name}. Value: {value}. It is not a valid date-time."


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


def action_query(request, version: Microversion) -> service.ActionQuery | None:
    """From 2.58: limit, marker and changes-since (changes-before from 2.66), and nothing
    else (Nova's schema refuses other parameters there)."""
    if version < mv.INSTANCE_ACTION_PAGING:
        return None
    known = {"limit", "marker", "changes-since"} | ({"changes-before"} if version >= mv.CHANGES_BEFORE else set())
    unknown = set(request.query_params) - known
    if unknown:
        names = ", ".join(map(repr, sorted(unknown)))
        raise BadRequest(
            f"Invalid input for query parameters: Additional properties are not allowed ({names} was unexpected)"
        )
    limit = limit_param(request)
    return service.ActionQuery(
        limit=settings.API_MAX_LIMIT if limit is None else limit,
        marker=request.query_params.get("marker"),
        changes_since=time_param(request, "changes-since", BAD_TIME),
        changes_before=time_param(request, "changes-before", BAD_TIME),
    )


class InstanceActionsView(ComputeView):
    """GET /servers/{id}/os-instance-actions (with a `links` next page from 2.58)."""

    openapi = {"get": doc.INSTANCE_ACTION_LIST}

    def get(self, request, server_id: str) -> Response:
        version = request.api_version
        query = action_query(request, version)
        read_deleted = version >= mv.DELETED_SERVER_ACTIONS
        server, rows = service.list_actions(self.caller, server_id, query, read_deleted=read_deleted)
        body: dict[str, Any] = {"instanceActions": [action_body(row, str(server.uuid), version) for row in rows]}
        if query is not None and query.limit and len(rows) == query.limit:
            params = [(k, v) for k, v in request.query_params.items() if k != "marker"]
            params.append(("marker", rows[-1].request_id))
            href = f"{base_url(request)}/compute/v2.1/servers/{server_id}/os-instance-actions?{urlencode(params)}"
            body["links"] = [{"rel": "next", "href": href}]
        return Response(body)


class InstanceActionView(ComputeView):
    """GET /servers/{id}/os-instance-actions/{request_id}."""

    openapi = {"get": doc.INSTANCE_ACTION_SHOW}

    def get(self, request, server_id: str, request_id: str) -> Response:
        read_deleted = request.api_version >= mv.DELETED_SERVER_ACTIONS
        server, action = service.get_action(self.caller, server_id, request_id, read_deleted=read_deleted)
        body = action_body(action, str(server.uuid), request.api_version)
        internals = service.sees_event_internals(self.caller)
        # Before 2.51 only those who see the internals see the events at all.
        if internals or request.api_version >= mv.ACTION_EVENTS_FOR_MEMBERS:
            body["events"] = events_body(action, request.api_version, internals=internals)
        return Response({"instanceAction": body})
