"""os-services (admin only): list (filters binary, host), update and delete. From 2.53 a
service is addressed by UUID (`PUT /os-services/{uuid}`); below, by integer id for DELETE and
through the legacy `PUT /os-services/{enable,disable,disable-log-reason,force-down}` bodies
`{host, binary[, disabled_reason | forced_down]}`."""

from __future__ import annotations

from rest_framework import exceptions, status
from rest_framework.response import Response

from core.exceptions import NotFound
from core.ids import is_uuid
from core.views import ComputeView
from hosts import services
from hosts.models import Service
from hosts.zones import zones_by_host
from identity.authentication import IsAdmin

from .representation import int_id, service_body

LEGACY_ACTIONS = ("enable", "disable", "disable-log-reason", "force-down")


def get_service(service_id: str, version: tuple[int, int]) -> Service:
    """The service by UUID (>= 2.53) or integer id; a malformed id is 400, an unknown one 404."""
    if version >= (2, 53):
        if not is_uuid(service_id):
            raise exceptions.ValidationError(f"Invalid uuid {service_id}")
        service = Service.objects.filter(uuid=service_id).first()
    else:
        pk = int_id(service_id)
        if pk is None:
            raise exceptions.ValidationError(f"Invalid ID {service_id}: it must be an integer.")
        service = Service.objects.filter(pk=pk).first()
    if service is None:
        raise NotFound(f"Service {service_id} could not be found.")
    return service


class ServicesView(ComputeView):
    """GET /os-services."""

    permission_classes = [IsAdmin]

    def get(self, request):
        rows = Service.objects.order_by("id")
        for name in ("binary", "host"):
            value = request.query_params.get(name)
            if value:
                rows = rows.filter(**{name: value})
        zones = zones_by_host()
        return Response({"services": [service_body(row, request.api_version, zones) for row in rows]})


class ServiceView(ComputeView):
    """PUT and DELETE /os-services/{id}."""

    permission_classes = [IsAdmin]

    def put(self, request, service_id: str):
        version = request.api_version
        data = request.data
        if not isinstance(data, dict):
            raise exceptions.ValidationError("Invalid input: the request body must be an object.")
        if version < (2, 53):
            return self.legacy_update(request, service_id, data)
        service = get_service(service_id, version)
        unknown = set(data) - {"status", "disabled_reason", "forced_down"}
        if unknown:
            raise exceptions.ValidationError(
                f"Additional properties are not allowed ({', '.join(sorted(unknown))} unexpected)"
            )
        if "status" not in data and "forced_down" not in data:
            raise exceptions.ValidationError("At least one of 'status' or 'forced_down' must be specified.")
        if "status" in data and data["status"] not in ("enabled", "disabled"):
            raise exceptions.ValidationError("Invalid input for field/attribute status: 'enabled' or 'disabled'.")
        if "disabled_reason" in data and data.get("status") != "disabled":
            raise exceptions.ValidationError(
                "Specifying 'disabled_reason' with status other than 'disabled' is invalid."
            )
        if "forced_down" in data and not isinstance(data["forced_down"], bool):
            raise exceptions.ValidationError("Invalid input for field/attribute forced_down: it must be a boolean.")
        if service.binary != "nova-compute":
            raise exceptions.ValidationError(
                f"Updating a {service.binary} service is not supported. Only nova-compute services can be updated."
            )
        if "status" in data:
            services.set_service_status(service, data["status"] == "enabled", data.get("disabled_reason"))
        if "forced_down" in data:
            services.set_forced_down(service, data["forced_down"])
        return Response({"service": service_body(service, version, zones_by_host())})

    def legacy_update(self, request, action: str, data: dict) -> Response:
        """The pre-2.53 update forms, addressed by host and binary."""
        if action not in LEGACY_ACTIONS or (action == "force-down" and request.api_version < (2, 11)):
            raise NotFound(f"Unknown service action {action}.")
        allowed = {"host", "binary"} | {
            "disable-log-reason": {"disabled_reason"},
            "force-down": {"forced_down"},
        }.get(action, set())
        missing = allowed - set(data)
        unknown = set(data) - allowed
        if missing or unknown:
            raise exceptions.ValidationError(f"Invalid input: {action} takes {', '.join(sorted(allowed))}.")
        service = services.find_service(data["host"], data["binary"])
        body = {"host": service.host, "binary": service.binary}
        if action == "force-down":
            services.set_forced_down(service, data["forced_down"])
            body["forced_down"] = service.forced_down
        else:
            reason = data.get("disabled_reason")
            services.set_service_status(service, action == "enable", reason)
            body["status"] = "enabled" if action == "enable" else "disabled"
            if action == "disable-log-reason":
                body["disabled_reason"] = reason
        return Response({"service": body})

    def delete(self, request, service_id: str):
        services.delete_service(get_service(service_id, request.api_version))
        return Response(status=status.HTTP_204_NO_CONTENT)
