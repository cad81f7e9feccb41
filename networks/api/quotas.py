"""/network/v2.0/quotas: Neutron's quota API. A member may read its own project's quota;
reading another project's, listing, changing and resetting are admin-only."""

from __future__ import annotations

from rest_framework.response import Response

from networks import access, quotas

from .base import NeutronView


def _readable(request, project_id: str) -> None:
    if not request.user.is_admin and request.user.project_id != project_id:
        raise access.PolicyNotAuthorized("get_quota")


class QuotasView(NeutronView):
    """GET /quotas: the projects with non-default quotas (admin)."""

    def get(self, request):
        access.require_admin(request.user, "get_quota")
        entries = [
            {**quotas.limits(project_id), "project_id": project_id, "tenant_id": project_id}
            for project_id in quotas.overridden_projects()
        ]
        return Response({"quotas": entries})


class QuotaView(NeutronView):
    """GET shows the effective limits; PUT changes them (admin); DELETE resets (admin)."""

    def get(self, request, project_id: str):
        _readable(request, project_id)
        return Response({"quota": quotas.limits(project_id)})

    def put(self, request, project_id: str):
        access.require_admin(request.user, "update_quota")
        return Response({"quota": quotas.update(project_id, quotas.validated_limits(request.data, project_id))})

    def delete(self, request, project_id: str):
        access.require_admin(request.user, "delete_quota")
        quotas.reset(project_id)
        return Response(status=204)


class QuotaDefaultView(NeutronView):
    """GET /quotas/{project}/default: the defaults."""

    def get(self, request, project_id: str):
        _readable(request, project_id)
        return Response({"quota": dict(quotas.DEFAULTS)})


class QuotaDetailsView(NeutronView):
    """GET /quotas/{project}/details: limit, used and reserved per resource."""

    def get(self, request, project_id: str):
        _readable(request, project_id)
        limits, used = quotas.limits(project_id), quotas.usage(project_id)
        return Response(
            {
                "quota": {
                    resource: {"limit": limit, "used": used[resource], "reserved": 0}
                    for resource, limit in limits.items()
                }
            }
        )
