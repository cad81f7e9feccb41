"""Compute API views for servers and flavors: thin, everything else in servers.actions."""

from __future__ import annotations

import re
from datetime import UTC
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import exceptions, status
from rest_framework.response import Response

from core.ids import is_uuid
from core.views import ComputeView
from identity.catalog import base_url
from networks.models import Port
from servers.models import Server
from servers.services import create, lookup, operations
from servers.states import states_for_status

from . import representation as rep
from .validation.servers import ServerCreateSerializer, validate_server_update


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
        raise exceptions.ValidationError(f"{name} param must be an integer") from None
    if number < 0:
        raise exceptions.ValidationError(f"{name} param must be positive")
    return number


TRUE_VALUES = ("1", "t", "true", "on", "y", "yes")
FALSE_VALUES = ("0", "f", "false", "off", "n", "no")

# Nova's sort keys -> columns. Keys Nova accepts but ignores (no such column here) sort nothing.
SORT_KEYS = {
    "access_ip_v4": "access_ip_v4",
    "access_ip_v6": "access_ip_v6",
    "availability_zone": "availability_zone",
    "config_drive": "config_drive",
    "created_at": "created_at",
    "display_description": "description",
    "display_name": "name",
    "host": "host",
    "hostname": "hostname",
    "image_ref": "image_ref",
    "key_name": "key_name",
    "launch_index": "launch_index",
    "launched_at": "launched_at",
    "locked_by": "locked_by",
    "node": "node",
    "power_state": "power_state",
    "project_id": "project_id",
    "task_state": "task_state",
    "terminated_at": "terminated_at",
    "updated_at": "updated_at",
    "user_id": "user_id",
    "uuid": "uuid",
    "vm_state": "vm_state",
}
IGNORED_SORT_KEYS = {
    "auto_disk_config",
    "instance_type_id",
    "kernel_id",
    "progress",
    "ramdisk_id",
    "root_device_name",
    "vm_mode",
    "architecture",
    "cell_name",
    "cleaned",
    "default_ephemeral_device",
    "default_swap_device",
    "deleted",
    "deleted_at",
    "disable_terminate",
    "ephemeral_gb",
    "ephemeral_key_uuid",
    "id",
    "key_data",
    "launched_on",
    "locked",
    "memory_mb",
    "os_type",
    "reservation_id",
    "root_gb",
    "shutdown_terminate",
    "user_data",
    "vcpus",
}
ADMIN_SORT_KEYS = {"host", "node"}


def _bool_param(request, name: str) -> bool | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if value.lower() in TRUE_VALUES:
        return True
    if value.lower() in FALSE_VALUES:
        return False
    raise exceptions.ValidationError(f"Invalid input for query parameters {name}. Value: {value}. Expected a boolean.")


def _time_param(request, name: str):
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        moment = parse_datetime(value.replace(" ", "+"))  # an unencoded '+' in the query became a space
    except ValueError:
        moment = None
    if moment is None:
        raise exceptions.ValidationError(
            f"Invalid input for query parameters {name}. Value: {value}. '{value}' is not a 'date-time'"
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _regex(value: str) -> str:
    """A name/ip/description filter is a regular expression in Nova; a pattern that does not
    compile is matched literally rather than answered with a database error."""
    try:
        re.compile(value)
    except re.error:
        return re.escape(value)
    return value


def _ordering(request) -> list[str]:
    """sort_key/sort_dir pairs (Nova's rules: a dir only with keys, missing dirs default to
    desc), then created_at and id as tie-breakers so paging is stable."""
    keys = request.query_params.getlist("sort_key")
    dirs = request.query_params.getlist("sort_dir")
    if dirs and not keys:
        raise exceptions.ValidationError("sort_dir is only valid with sort_key")
    if len(dirs) > len(keys):
        raise exceptions.ValidationError("The number of sort_keys and sort_dirs must be the same")
    order = []
    for index, key in enumerate(keys):
        direction = dirs[index] if index < len(dirs) else "desc"
        if direction not in ("asc", "desc"):
            raise exceptions.ValidationError(f"Invalid input for query parameters sort_dir. Value: {direction}.")
        if key in IGNORED_SORT_KEYS:
            continue
        if key not in SORT_KEYS:
            raise exceptions.ValidationError(f"Invalid input for query parameters sort_key. Value: {key}.")
        if key in ADMIN_SORT_KEYS and not request.user.is_admin:
            raise exceptions.PermissionDenied(f"Only administrators can sort servers by {key}")
        column = SORT_KEYS[key]
        order.append(column if direction == "asc" else f"-{column}")
    for tie in ("created_at", "id"):
        if not any(item.lstrip("-") == tie for item in order):
            order.append(f"-{tie}")
    return order


class ServerListMixin:
    """Filtering, sorting and paging shared by /servers and /servers/detail.

    Filters: name, ip, ip6, description (regexes, as in Nova), status, flavor, image, uuid,
    reservation_id, key_name, locked, user_id, tags, changes-since, changes-before; admins also
    host, node, availability_zone, hostname, vm_state, task_state, power_state, deleted, and
    project_id/tenant_id with all_tenants. Other query parameters are ignored, as Nova ignores
    unknown filters. A member's all_tenants is refused (403), as Nova's policy does. Paging:
    limit (capped at API_MAX_LIMIT), marker; a `servers_links` next link only when another page
    follows."""

    def servers(self, request) -> list[Server]:
        servers, self.next_marker = self._page(request)
        return servers

    def _filtered(self, request):
        caller = self.caller
        params = request.query_params
        admin = caller.is_admin
        servers = Server.objects.all()
        all_tenants = params.get("all_tenants") is not None and (
            params["all_tenants"] == "" or params["all_tenants"].lower() not in FALSE_VALUES
        )
        if all_tenants and not admin:
            # Nova's policy os_compute_api:servers:index:get_all_tenants is admin-only.
            raise exceptions.PermissionDenied(
                "Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed."
            )
        if all_tenants:
            project = params.get("project_id") or params.get("tenant_id")
            if project:
                servers = servers.filter(project_id=project)
        else:
            servers = servers.filter(project_id=caller.project_id)
        changes_since = _time_param(request, "changes-since")
        changes_before = _time_param(request, "changes-before") if request.api_version >= (2, 66) else None
        if changes_since and changes_before and changes_since > changes_before:
            raise exceptions.ValidationError("The value of changes-since must be less than or equal to changes-before.")
        deleted = _bool_param(request, "deleted") if admin else None
        if deleted is not None:
            servers = servers.filter(deleted=deleted)
        elif not (changes_since or changes_before):
            servers = servers.filter(deleted=False)  # changes-since also lists what was deleted since
        if changes_since:
            servers = servers.filter(updated_at__gte=changes_since)
        if changes_before:
            servers = servers.filter(updated_at__lte=changes_before)
        if params.get("name"):
            servers = servers.filter(name__regex=_regex(params["name"]))
        if params.getlist("status"):
            wanted = states_for_status(params.getlist("status"))
            if not wanted.vm_states:
                if request.api_version >= (2, 38):
                    raise exceptions.ValidationError("Invalid status value")
                return Server.objects.none()
            servers = servers.filter(vm_state__in=wanted.vm_states)
            if wanted.task_states is not None:
                servers = servers.filter(task_state__in=wanted.task_states)
        if params.get("flavor"):
            servers = servers.filter(flavor__flavorid=params["flavor"])
        if params.get("image"):
            servers = servers.filter(image_ref=params["image"])
        if params.get("uuid"):
            servers = servers.filter(uuid=params["uuid"]) if is_uuid(params["uuid"]) else Server.objects.none()
        if params.get("reservation_id"):
            servers = servers.filter(reservation_id=params["reservation_id"])
        if params.get("tags") or params.get("tags-any"):
            servers = Server.objects.none()  # servers carry no tags here
        if params.get("key_name"):
            servers = servers.filter(key_name=params["key_name"])
        if params.get("user_id"):
            servers = servers.filter(user_id=params["user_id"])
        if params.get("description") and request.api_version >= (2, 83):
            servers = servers.filter(description__regex=_regex(params["description"]))
        locked = _bool_param(request, "locked") if request.api_version >= (2, 73) else None
        if locked is not None:
            servers = servers.filter(locked=locked)
        if admin:
            for name, column in (("host", "host"), ("node", "node"), ("availability_zone", "availability_zone")):
                if params.get(name):
                    servers = servers.filter(**{column: params[name]})
            for name in ("vm_state", "task_state"):
                if params.getlist(name):
                    servers = servers.filter(**{f"{name}__in": params.getlist(name)})
            if params.getlist("power_state"):
                try:
                    servers = servers.filter(power_state__in=[int(value) for value in params.getlist("power_state")])
                except ValueError:
                    raise exceptions.ValidationError("Invalid input for query parameters power_state.") from None
            if params.get("hostname"):
                servers = servers.filter(hostname__regex=_regex(params["hostname"]))
        for name in ("ip", "ip6"):
            if params.get(name):
                servers = servers.filter(uuid__in=self._with_address(params[name], 6 if name == "ip6" else 4))
        return servers

    @staticmethod
    def _with_address(pattern: str, version: int) -> list[str]:
        matcher = re.compile(_regex(pattern))
        found = set()
        for device_id, fixed_ips in Port.objects.exclude(device_id="").values_list("device_id", "fixed_ips"):
            for fixed in fixed_ips or []:
                address = str(fixed.get("ip_address", ""))
                if (":" in address) == (version == 6) and matcher.search(address):
                    found.add(device_id)
        return [item for item in found if is_uuid(item)]

    def _page(self, request) -> tuple[list[Server], str | None]:
        servers = self._filtered(request).order_by(*_ordering(request))
        limit = min(_int_param(request, "limit", settings.API_MAX_LIMIT), settings.API_MAX_LIMIT)
        marker = request.query_params.get("marker")
        if marker:
            # Any sort order: the marker's position in the ordered ids (uuids only, cheap).
            order = list(servers.values_list("uuid", flat=True))
            position = next((index for index, item in enumerate(order) if str(item) == marker), None)
            if position is None:
                raise exceptions.ValidationError(f"marker [{marker}] not found")
            page_ids = order[position + 1 : position + 2 + limit]
            by_uuid = {str(s.uuid): s for s in servers.filter(uuid__in=page_ids[:limit])}
            rows = [by_uuid[str(item)] for item in page_ids[:limit] if str(item) in by_uuid]
            more = len(page_ids) > limit
        else:
            found = list(servers[: limit + 1])
            rows, more = found[:limit], len(found) > limit
        return rows, (str(rows[-1].uuid) if more and rows else None)

    def links(self, request, collection: str) -> dict:
        """`servers_links` with the next page's URL (same query, new marker), if any."""
        if not self.next_marker:
            return {}
        query = [(key, value) for key, values in request.query_params.lists() for value in values if key != "marker"]
        if not any(key == "limit" for key, _ in query):
            query.append(("limit", str(settings.API_MAX_LIMIT)))
        query.append(("marker", self.next_marker))
        href = f"{base_url(request)}/compute/v2.1/{collection}?{urlencode(query)}"
        return {"servers_links": [{"rel": "next", "href": href}]}


class ServersView(ServerListMixin, ComputeView):
    """GET /servers (brief list), POST /servers (create; 202)."""

    def get(self, request):
        base = base_url(request)
        body = {"servers": [rep.server_brief(server, base) for server in self.servers(request)]}
        return Response({**body, **self.links(request, "servers")})

    def post(self, request):
        serializer = ServerCreateSerializer(data=_body(request, "server"))
        serializer.is_valid(raise_exception=True)
        hints = request.data.get("os:scheduler_hints", request.data.get("OS-SCH-HNT:scheduler_hints"))
        servers = create.create_servers(self.caller, serializer.to_request(request.api_version, hints))
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
        return Response({"servers": body, **self.links(request, "servers/detail")})


class ServerView(ComputeView):
    """GET, PUT (name; description from 2.19; hostname from 2.90; access IPs) and DELETE
    /servers/{id}."""

    def get(self, request, server_id: str):
        server = lookup.get_server(self.caller, server_id)
        body = rep.servers_detail([server], request.api_version, base_url(request), is_admin=self.caller.is_admin)[0]
        return Response({"server": body})

    def put(self, request, server_id: str):
        server = lookup.get_server(self.caller, server_id)
        changes = validate_server_update(_body(request, "server"), request.api_version)
        if changes:
            # A plain UPDATE of these columns only: a running workflow owns the others.
            Server.objects.filter(pk=server.pk, deleted=False).update(**changes, updated_at=timezone.now())
            server.refresh_from_db()
        body = rep.servers_detail([server], request.api_version, base_url(request), is_admin=self.caller.is_admin)[0]
        return Response({"server": body})

    def delete(self, request, server_id: str):
        operations.delete_server(self.caller, lookup.get_server(self.caller, server_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
