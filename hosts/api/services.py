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

from .base import HostsView
from .ids import service_key
from .representation import service_body

LEGACY_ACTIONS = ("enable", "disable", "disable-log-reason", "force-down")
UPDATE_FIELDS = {"status", "disabled_reason", "forced_down"}


def _forced_down(value: object) -> bool:
    if not isinstance(value, bool):
        raise BadRequest("Invalid input for field/attribute forced_down: it must be a boolean.")
    return value


class ServicesView(HostsView):
    """GET /os-services."""

    def get(self, request: Request) -> Response:
        params = request.query_params
        rows = service_records.list_services(self.caller, binary=params.get("binary"), host=params.get("host"))
        zones = zones_by_host()
        return Response({"services": [service_body(row, self.api_version, zones) for row in rows]})


class ServiceView(HostsView):
    """PUT and DELETE /os-services/{id}."""

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
            raise BadRequest(f"Additional properties are not allowed ({', '.join(sorted(unknown))} unexpected)")
        if "status" not in data and "forced_down" not in data:
            raise BadRequest("At least one of 'status' or 'forced_down' must be specified.")
        if "status" in data and data["status"] not in ("enabled", "disabled"):
            raise BadRequest("Invalid input for field/attribute status: 'enabled' or 'disabled'.")
        if "disabled_reason" in data and not isinstance(data["disabled_reason"], str):
            # The schema's type check; that a reason comes only with a disable is the service's rule.
            raise BadRequest("Invalid input for field/attribute disabled_reason: a string is required.")
        service = service_records.update_service(
            self.caller,
            key,
            enabled=data["status"] == "enabled" if "status" in data else None,
            disabled_reason=data.get("disabled_reason"),
            forced_down=_forced_down(data["forced_down"]) if "forced_down" in data else None,
        )
        return Response({"service": service_body(service, version, zones_by_host())})

    def legacy_update(self, action: str, data: dict[str, Any]) -> Response:
        """The pre-2.53 update forms, addressed by host and binary."""
        if action not in LEGACY_ACTIONS or (action == "force-down" and self.api_version < mv.SERVICE_FORCED_DOWN):
            raise NotFound(f"Unknown service action {action}.")
        allowed = {"host", "binary"} | {
            "disable-log-reason": {"disabled_reason"},
            "force-down": {"forced_down"},
        }.get(action, set())
        if set(data) != allowed:
            raise BadRequest(f"Invalid input: {action} takes {', '.join(sorted(allowed))}.")
        host, binary = data["host"], data["binary"]
        if not isinstance(host, str) or not isinstance(binary, str):
            raise BadRequest("Invalid input: 'host' and 'binary' must be strings.")
        body: dict[str, Any] = {"host": host, "binary": binary}
        if action == "force-down":
            service = service_records.update_service_on_host(
                self.caller, host, binary, forced_down=_forced_down(data["forced_down"])
            )
            body["forced_down"] = service.forced_down
            return Response({"service": body})
        reason = data.get("disabled_reason")
        service_records.update_service_on_host(
            self.caller, host, binary, enabled=action == "enable", disabled_reason=reason
        )
        body["status"] = "enabled" if action == "enable" else "disabled"
        if action == "disable-log-reason":
            body["disabled_reason"] = reason
        return Response({"service": body})

    def delete(self, request: Request, service_id: str) -> Response:
        service_records.delete_service(self.caller, service_key(service_id, self.api_version))
        return Response(status=status.HTTP_204_NO_CONTENT)
