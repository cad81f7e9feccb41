"""os-services (admin only, enforced by hosts.services.service_records): list (filters binary,
host), update and delete. From 2.53 a service is addressed by UUID (`PUT /os-services/{uuid}`);
below, by integer id for DELETE and through the legacy
`PUT /os-services/{enable,disable,disable-log-reason,force-down}` bodies
`{host, binary[, disabled_reason | forced_down]}`."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.exceptions import BadRequest, NotFound
from hosts.services import service_records
from hosts.zones import zones_by_host

from . import names
from . import openapi as doc
from .base import HostsView
from .ids import service_key
from .representation import service_body

LEGACY_ACTIONS = ("enable", "disable", "disable-log-reason", "force-down")
UPDATE_FIELDS = {"status", "disabled_reason", "forced_down"}
#: parameter_types.boolean: the JSON booleans and these spellings.
TRUE_SPELLINGS = {"True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes"}
FALSE_SPELLINGS = {"False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"}


def _forced_down(value: object) -> bool:
    """forced_down as Nova's schema takes it: a boolean or one of its spellings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in TRUE_SPELLINGS | FALSE_SPELLINGS:
        return value in TRUE_SPELLINGS
    raise names.invalid("forced_down", value, "It must be a boolean.")


def _reason(data: dict[str, Any]) -> str | None:
    """disabled_reason: absent, or a string of 1 to 255 characters."""
    value = data.get("disabled_reason")
    if "disabled_reason" in data and (not isinstance(value, str) or not 1 <= len(value) <= names.MAX_LENGTH):
        raise names.invalid("disabled_reason", value, f"It must be a string of 1 to {names.MAX_LENGTH} characters.")
    return value


class ServicesView(HostsView):
    """GET /os-services."""

    openapi = {"get": doc.SERVICE_LIST}

    def get(self, request: Request) -> Response:
        self.strict_query(mv.API_CONSISTENCY, ("host", "binary"))
        params = request.query_params
        rows = service_records.list_services(self.caller, binary=params.get("binary"), host=params.get("host"))
        zones = zones_by_host()
        return Response({"services": [service_body(row, self.api_version, zones) for row in rows]})


class ServiceView(HostsView):
    """PUT and DELETE /os-services/{id}."""

    openapi = {"put": doc.SERVICE_UPDATE, "delete": doc.SERVICE_DELETE}

    def put(self, request: Request, service_id: str) -> Response:
        version = self.api_version
        data = request.data
        if not isinstance(data, dict):
            raise BadRequest("Invalid input: the request body must be an object.")
        if version < mv.UUID_IDS:
            return self.legacy_update(service_id, data)
        key = service_key(service_id, version)
        unknown = set(data) - UPDATE_FIELDS
        if unknown:
            raise names.unexpected(unknown)
        if "status" in data and data["status"] not in ("enabled", "disabled"):
            raise names.invalid("status", data["status"], "It must be 'enabled' or 'disabled'.")
        service = service_records.update_service(
            self.caller,
            key,
            enabled=data["status"] == "enabled" if "status" in data else None,
            disabled_reason=_reason(data),
            forced_down=_forced_down(data["forced_down"]) if "forced_down" in data else None,
        )
        return Response({"service": service_body(service, version, zones_by_host())})

    def legacy_update(self, action: str, data: dict[str, Any]) -> Response:
        """The pre-2.53 update forms, addressed by host and binary: every form takes the
        schema's fields (forced_down from 2.11); each uses those it needs."""
        if action not in LEGACY_ACTIONS or (action == "force-down" and self.api_version < mv.SERVICE_FORCED_DOWN):
            raise NotFound("Unknown action")
        allowed = {"host", "binary", "disabled_reason"}
        if self.api_version >= mv.SERVICE_FORCED_DOWN:
            allowed.add("forced_down")
        if set(data) - allowed:
            raise names.unexpected(set(data) - allowed)
        for field in ("host", "binary"):
            if field not in data:
                raise BadRequest(f"'{field}' is a required property")
        host = names.host("host", data["host"])
        binary = data["binary"]
        if not isinstance(binary, str) or not 1 <= len(binary) <= names.MAX_LENGTH:
            raise names.invalid("binary", binary, f"It must be a string of 1 to {names.MAX_LENGTH} characters.")
        reason = _reason(data)
        body: dict[str, Any] = {"host": host, "binary": binary}
        if action == "force-down":
            if "forced_down" not in data:
                raise BadRequest("Missing forced_down field")
            forced = _forced_down(data["forced_down"])
            service_records.update_service_on_host(self.caller, host, binary, forced_down=forced)
            body["forced_down"] = forced
            return Response({"service": body})
        if action == "disable-log-reason" and reason is None:
            raise BadRequest("Missing disabled reason field")
        reason = reason if action == "disable-log-reason" else None
        service_records.update_service_on_host(
            self.caller, host, binary, enabled=action == "enable", disabled_reason=reason
        )
        body["status"] = "enabled" if action == "enable" else "disabled"
        if reason:
            body["disabled_reason"] = reason
        return Response({"service": body})

    def delete(self, request: Request, service_id: str) -> Response:
        service_records.delete_service(self.caller, service_key(service_id, self.api_version))
        return Response(status=status.HTTP_204_NO_CONTENT)
