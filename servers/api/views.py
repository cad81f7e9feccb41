"""Compute API views for servers and flavors: thin, everything else in servers.actions."""
from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.response import Response

from identity.catalog import base_url
from novasite.microversion import ComputeView
from servers import actions, operations
from servers.models import Server
from servers.states import states_for_status

from . import representation as rep
from .validation import ServerCreateSerializer


def _body(request, key: str) -> dict:
    if not isinstance(request.data, dict) or not isinstance(request.data.get(key), dict):
        raise exceptions.ValidationError(f"Invalid input: the request body must be an object with a '{key}' object.")
    return request.data[key]


def _int_param(request, name: str, default: int | None = None) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise exceptions.ValidationError(f"{name} param must be an integer")
    if number < 0:
        raise exceptions.ValidationError(f"{name} param must be positive")
    return number


class ServerListMixin:
    """Filtering and paging shared by /servers and /servers/detail."""

    def servers(self, request) -> list[Server]:
        caller = self.caller
        servers = Server.objects.filter(deleted=False)
        all_tenants = request.query_params.get("all_tenants") not in (None, "0", "false", "False")
        if not (caller.is_admin and all_tenants):
            servers = servers.filter(project_id=caller.project_id)
        params = request.query_params
        if params.get("name"):
            servers = servers.filter(name__regex=params["name"])
        if params.getlist("status"):
            wanted = states_for_status(params.getlist("status"))
            if not wanted.vm_states:
                if request.api_version >= (2, 38):
                    raise exceptions.ValidationError("Invalid status value")
                return []
            servers = servers.filter(vm_state__in=wanted.vm_states)
            if wanted.task_states is not None:
                servers = servers.filter(task_state__in=wanted.task_states)
        if caller.is_admin and params.get("host"):
            servers = servers.filter(host=params["host"])
        if params.get("flavor"):
            servers = servers.filter(flavor__flavorid=params["flavor"])
        if params.get("image"):
            servers = servers.filter(image_ref=params["image"])
        limit = min(_int_param(request, "limit", settings.API_MAX_LIMIT), settings.API_MAX_LIMIT)
        marker = params.get("marker")
        if marker:
            anchor = servers.filter(uuid=marker).first() if actions.is_uuid(marker) else None
            if anchor is None:
                raise exceptions.ValidationError(f"marker [{marker}] not found")
            servers = servers.filter(created_at__lte=anchor.created_at).exclude(pk__gte=anchor.pk, created_at=anchor.created_at)
        return list(servers.order_by("-created_at", "-id")[:limit])


class ServersView(ServerListMixin, ComputeView):
    """GET /servers (brief list), POST /servers (create; 202)."""

    def get(self, request):
        base = base_url(request)
        return Response({"servers": [rep.server_brief(server, base) for server in self.servers(request)]})

    def post(self, request):
        serializer = ServerCreateSerializer(data=_body(request, "server"))
        serializer.is_valid(raise_exception=True)
        hints = request.data.get("os:scheduler_hints", request.data.get("OS-SCH-HNT:scheduler_hints"))
        servers = actions.create_servers(self.caller, serializer.to_request(request.api_version, hints))
        first = servers[0]
        base = base_url(request)
        body = {
            "server": {
                **rep.server_brief(first, base),
                "OS-DCF:diskConfig": "MANUAL",
                "security_groups": [{"name": "default"}],
            }
        }
        body["server"].pop("name")
        if len(servers) > 1 and request.data["server"].get("return_reservation_id"):
            body = {"reservation_id": first.reservation_id}
        response = Response(body, status=status.HTTP_202_ACCEPTED)
        response["Location"] = f"{base}/compute/v2.1/servers/{first.uuid}"
        return response


class ServersDetailView(ServerListMixin, ComputeView):
    """GET /servers/detail."""

    def get(self, request):
        servers = self.servers(request)
        body = rep.servers_detail(servers, request.api_version, base_url(request), is_admin=self.caller.is_admin)
        return Response({"servers": body})


class ServerView(ComputeView):
    """GET and DELETE /servers/{id}."""

    def get(self, request, server_id: str):
        server = actions.get_server(self.caller, server_id)
        body = rep.servers_detail([server], request.api_version, base_url(request), is_admin=self.caller.is_admin)[0]
        return Response({"server": body})

    def delete(self, request, server_id: str):
        operations.delete_server(self.caller, actions.get_server(self.caller, server_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
