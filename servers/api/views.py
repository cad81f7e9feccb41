"""Compute API views for servers: GET /servers[/detail] (list), POST /servers (create),
GET, PUT and DELETE /servers/{id}. Thin: the query and the body are parsed here (by
microversion), everything else is servers.services."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from rest_framework import status
from rest_framework.response import Response

from core import microversions as mv
from core.bodies import unwrap
from core.views import ComputeView
from identity.catalog import base_url
from servers.services import create, listing, lookup, operations, passwords, update

from . import openapi as doc
from . import representation as rep
from .validation import server_schemas
from .validation.listing import server_query
from .validation.schema import validate
from .validation.servers import ServerCreateSerializer, validate_server_update


def next_link(request, collection: str, next_marker: str | None) -> dict[str, Any]:
    """`servers_links` with the next page's URL (same query, new marker), when a page follows."""
    if not next_marker:
        return {}
    query = [(key, value) for key, values in request.query_params.lists() for value in values if key != "marker"]
    if not any(key == "limit" for key, _ in query):
        query.append(("limit", str(settings.API_MAX_LIMIT)))
    query.append(("marker", next_marker))
    href = f"{base_url(request)}/compute/v2.1/{collection}?{urlencode(query)}"
    return {"servers_links": [{"rel": "next", "href": href}]}


class ServersView(ComputeView):
    """GET /servers (brief list), POST /servers (create; 202)."""

    openapi = {"get": doc.SERVER_LIST, "post": doc.SERVER_CREATE}

    def get(self, request) -> Response:
        base = base_url(request)
        page = listing.list_server_briefs(self.caller, server_query(request, request.api_version))
        body = {"servers": [rep.server_brief(server, base) for server in page.servers]}
        return Response({**body, **next_link(request, "servers", page.next_marker)})

    def post(self, request) -> Response:
        validate(server_schemas.create(request.api_version), request.data)
        serializer = ServerCreateSerializer(data=unwrap(request.data, "server"))
        serializer.is_valid(raise_exception=True)
        hints = request.data.get("os:scheduler_hints", request.data.get("OS-SCH-HNT:scheduler_hints"))
        spec = serializer.to_request(request.api_version, hints)
        spec.auto_disk_config = request.data["server"].get("OS-DCF:diskConfig") == "AUTO"
        if request.api_version >= mv.SERVER_HOSTNAME:
            spec.hostname = request.data["server"].get("hostname")
        if request.api_version >= mv.CREATE_ON_HOST:  # the schema refuses both keys before
            spec.requested_host = request.data["server"].get("host")
            spec.requested_node = request.data["server"].get("hypervisor_hostname")
        spec.admin_password = passwords.admin_password(spec.admin_password)
        servers = create.create_servers(self.caller, spec)
        first = servers[0]
        base = base_url(request)
        body: dict[str, Any] = {
            "server": {
                **rep.server_brief(first, base),
                "OS-DCF:diskConfig": rep.disk_config(first),
                # Nova echoes the requested groups (none asked: the default group).
                "security_groups": request.data["server"].get("security_groups", [{"name": "default"}]),
            }
        }
        body["server"].pop("name")
        shown = passwords.shown_password(spec.admin_password)
        if shown is not None:
            body["server"]["adminPass"] = shown
        if len(servers) > 1 and request.data["server"].get("return_reservation_id"):
            body = {"reservation_id": first.reservation_id}
        response = Response(body, status=status.HTTP_202_ACCEPTED)
        response["Location"] = f"{base}/compute/v2.1/servers/{first.uuid}"
        return response


class ServersDetailView(ComputeView):
    """GET /servers/detail."""

    openapi = {"get": doc.SERVER_DETAIL_LIST}

    def get(self, request) -> Response:
        page = listing.list_servers(self.caller, server_query(request, request.api_version))
        body = rep.servers_detail(page.servers, request.api_version, base_url(request), is_admin=self.caller.is_admin)
        return Response({"servers": body, **next_link(request, "servers/detail", page.next_marker)})


class ServerView(ComputeView):
    """GET, PUT (name; description from 2.19; hostname from 2.90; access IPs) and DELETE
    /servers/{id}."""

    openapi = {"get": doc.SERVER_SHOW, "put": doc.SERVER_UPDATE, "delete": doc.SERVER_DELETE}

    def get(self, request, server_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        body = rep.servers_detail(
            [server], request.api_version, base_url(request), is_admin=self.caller.is_admin, shown=rep.SHOW
        )[0]
        return Response({"server": body})

    def put(self, request, server_id: str) -> Response:
        validate(server_schemas.update(request.api_version), request.data)
        changes = validate_server_update(unwrap(request.data, "server"), request.api_version)
        server = update.update_server(self.caller, server_id, changes)
        shown = rep.changed(request.api_version)
        body = rep.servers_detail(
            [server], request.api_version, base_url(request), is_admin=self.caller.is_admin, shown=shown
        )[0]
        return Response({"server": body})

    def delete(self, request, server_id: str) -> Response:
        operations.delete_server(self.caller, lookup.get_server(self.caller, server_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
