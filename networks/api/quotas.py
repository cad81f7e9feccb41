"""/network/v2.0/quotas: Neutron's quota API. A member may read its own project's quota;
reading another project's, listing, changing and resetting are admin-only (the service layer
enforces get_quota, update_quota and delete_quota)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core.bodies import unwrap
from core.exceptions import BadRequest
from networks.services import quotas

from . import openapi as doc
from .base import NeutronView

# Flags of the quota-check-limit extension (the openstack client sends check_limit).
FLAGS = ("check_limit", "force")


def _limit(resource: str, value: object) -> int:
    if isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < -1:
        raise BadRequest(f"Invalid input for {resource}. Reason: '{value}' should be an integer >= -1.")
    return value


def new_limits(quota: dict[str, Any]) -> dict[str, int]:
    """The {resource: limit} of a PUT body's "quota" object; 400 for unknown resources or
    limits that are not integers >= -1."""
    requested = {key: value for key, value in quota.items() if key not in FLAGS}
    if not requested:
        raise BadRequest("Invalid input for operation: no quota to update.")
    limits = {}
    for resource, value in requested.items():
        if resource not in quotas.DEFAULTS:
            raise BadRequest(f"Unrecognized attribute(s) '{resource}'")
        limits[resource] = _limit(resource, value)
    return limits


class QuotasView(NeutronView):
    """GET /quotas: the projects with non-default quotas (admin)."""

    openapi = {"get": doc.QUOTA_LIST}

    def get(self, request: Request) -> Response:
        entries = [
            {**limits, "project_id": project_id, "tenant_id": project_id}
            for project_id, limits in quotas.overridden(self.caller).items()
        ]
        return Response({"quotas": entries})


class QuotaView(NeutronView):
    """GET shows the effective limits; PUT changes them (admin); DELETE resets (admin)."""

    openapi = {"get": doc.QUOTA_SHOW, "put": doc.QUOTA_UPDATE, "delete": doc.QUOTA_DELETE}

    def get(self, request: Request, project_id: str) -> Response:
        return Response({"quota": quotas.show(self.caller, project_id)})

    def put(self, request: Request, project_id: str) -> Response:
        quota = unwrap(
            request.data,
            "quota",
            message='Invalid input for operation: the body must be {{"quota": {{resource: limit}}}}.',
        )
        # With check_limit (and without force), a limit below what is used is refused.
        check_limit = quota.get("check_limit") is True and not quota.get("force")
        limits = quotas.update(self.caller, project_id, new_limits(quota), check_limit=check_limit)
        return Response({"quota": limits})

    def delete(self, request: Request, project_id: str) -> Response:
        quotas.reset(self.caller, project_id)
        return Response(status=204)


class QuotaDefaultView(NeutronView):
    """GET /quotas/{project}/default: the defaults."""

    openapi = {"get": doc.QUOTA_DEFAULT}

    def get(self, request: Request, project_id: str) -> Response:
        return Response({"quota": quotas.defaults(self.caller, project_id)})


class QuotaDetailsView(NeutronView):
    """GET /quotas/{project}/details: limit, used and reserved per resource."""

    openapi = {"get": doc.QUOTA_DETAILS}

    def get(self, request: Request, project_id: str) -> Response:
        details = quotas.details(self.caller, project_id)
        return Response(
            {
                "quota": {
                    resource: {"limit": line.limit, "used": line.used, "reserved": line.reserved}
                    for resource, line in details.items()
                }
            }
        )
