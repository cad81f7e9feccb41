"""os-hosts, deprecated: Nova 34 still serves it below microversion 2.43 and answers 404 from
2.43 (os-hypervisors and os-services replace it). GET /os-hosts[?zone=], GET /os-hosts/{host},
PUT /os-hosts/{host} {"status", "maintenance_mode"} and GET /os-hosts/{host}/startup,
/shutdown, /reboot (admin only, enforced by hosts.services.legacy_hosts)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.exceptions import BadRequest, NotFound
from hosts.services import legacy_hosts

from . import names
from . import openapi as doc
from .base import HostsView

#: The words the update schema takes for status and maintenance_mode.
SWITCH_WORDS = {"enable", "disable", "Enable", "Disable", "ENABLE", "DISABLE"}
UPDATE_FIELDS = ("status", "maintenance_mode")


def _switch(field: str, value: object) -> bool | None:
    """An update field: absent is None; else one of the schema's words, true for enable."""
    if value is None:
        return None
    if not isinstance(value, str) or value not in SWITCH_WORDS:
        raise names.invalid(field, value, f"It must be one of {', '.join(sorted(SWITCH_WORDS))}.")
    return value.lower() == "enable"


def host_update(body: object) -> tuple[bool | None, bool | None]:
    """PUT /os-hosts/{host}: (enable?, maintenance?), each None when not asked for. The body
    holds status and/or maintenance_mode and nothing else; null is not a value."""
    if not isinstance(body, dict):
        raise BadRequest("Invalid input: the request body must be an object.")
    if set(body) - set(UPDATE_FIELDS):
        raise names.unexpected(set(body) - set(UPDATE_FIELDS))
    if not set(body) & set(UPDATE_FIELDS):
        raise BadRequest("'status' or 'maintenance_mode' is required.")
    for field in UPDATE_FIELDS:
        if field in body and body[field] is None:
            raise names.invalid(field, None, "None is not of type 'string'.")
    return _switch("status", body.get("status")), _switch("maintenance_mode", body.get("maintenance_mode"))


class LegacyHostsView(HostsView):
    """Below 2.43 only: the resource is gone from 2.43."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.api_version >= mv.HOSTS_API_REMOVED:
            raise NotFound("The resource could not be found.")


class HostsListView(LegacyHostsView):
    """GET /os-hosts: {"hosts": [{"host_name", "service", "zone"}]}."""

    openapi = {"get": doc.OS_HOSTS_LIST}

    def get(self, request: Request) -> Response:
        rows = legacy_hosts.list_hosts(self.caller, request.query_params.get("zone") or None)
        return Response({"hosts": [asdict(row) for row in rows]})


class HostView(LegacyHostsView):
    """GET /os-hosts/{host}: {"host": [{"resource": {...}}]}; PUT updates it."""

    openapi = {"get": doc.OS_HOST_SHOW, "put": doc.OS_HOST_UPDATE}

    def get(self, request: Request, host: str) -> Response:
        rows = legacy_hosts.show_host(self.caller, host)
        return Response({"host": [{"resource": asdict(row)} for row in rows]})

    def put(self, request: Request, host: str) -> Response:
        enabled, maintenance = host_update(request.data)
        result = legacy_hosts.update_host(self.caller, host, enabled=enabled, maintenance=maintenance)
        return Response({"host": host, **result})


class HostPowerView(LegacyHostsView):
    """GET /os-hosts/{host}/startup, /shutdown or /reboot."""

    openapi = {"get": doc.OS_HOST_POWER}

    action: legacy_hosts.PowerAction = "reboot"

    def get(self, request: Request, host: str) -> Response:
        legacy_hosts.power_action(self.caller, host, self.action)
        return Response({"host": host, "power_action": self.action})
