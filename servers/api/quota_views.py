"""os-quota-sets and /limits: thin views over servers.services.quotas.

GET /os-quota-sets/{project} (members: their own project only), /detail (in_use, limit,
reserved 0), /defaults; PUT and DELETE are admin only. Keys: instances, cores, ram,
metadata_items, key_pairs, server_groups, server_group_members, plus the fixed injected_file*
keys below 2.57. The network proxy keys (floating_ips, fixed_ips, security_group*) are never
emitted; below 2.36 a PUT may still name them and they are ignored.
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from core import microversions as mv
from core.microversions import Microversion
from core.views import ComputeView
from servers.services import quotas

from .validation.quotas import quota_update


def shows_injected_files(version: Microversion) -> bool:
    """The personality file quotas are shown until 2.57 removed them."""
    return version < mv.INJECTED_FILES_REMOVED


class QuotaSetView(ComputeView):
    """GET, PUT (admin) and DELETE (admin; back to defaults, 202) /os-quota-sets/{project}."""

    def get(self, request, project_id: str) -> Response:
        injected = shows_injected_files(request.api_version)
        limits = quotas.project_limits(self.caller, project_id, injected_files=injected)
        return Response({"quota_set": {"id": project_id, **limits}})

    def put(self, request, project_id: str) -> Response:
        limits, force = quota_update(request.data, request.api_version)
        quotas.set_limits(self.caller, project_id, limits, force=force)
        injected = shows_injected_files(request.api_version)
        return Response({"quota_set": quotas.project_limits(self.caller, project_id, injected_files=injected)})

    def delete(self, request, project_id: str) -> Response:
        quotas.revert_limits(self.caller, project_id)
        return Response(status=status.HTTP_202_ACCEPTED)


class QuotaSetDetailView(ComputeView):
    """GET /os-quota-sets/{project}/detail: {key: {in_use, limit, reserved}}."""

    def get(self, request, project_id: str) -> Response:
        injected = shows_injected_files(request.api_version)
        detail = quotas.quota_detail(self.caller, project_id, injected_files=injected)
        return Response({"quota_set": {"id": project_id, **detail}})


class QuotaSetDefaultsView(ComputeView):
    """GET /os-quota-sets/{project}/defaults."""

    def get(self, request, project_id: str) -> Response:
        defaults = quotas.defaults(injected_files=shows_injected_files(request.api_version))
        return Response({"quota_set": {"id": project_id, **defaults}})


class LimitsView(ComputeView):
    """GET /limits: the caller's project's absolute limits and usage (admins may ask about
    another project with ?tenant_id=)."""

    def get(self, request) -> Response:
        version = request.api_version
        limits, usage = quotas.absolute_limits(self.caller, request.query_params.get("tenant_id") or None)
        absolute = {
            "maxTotalInstances": limits["instances"],
            "maxTotalCores": limits["cores"],
            "maxTotalRAMSize": limits["ram"],
            "maxServerMeta": limits["metadata_items"],
            "maxTotalKeypairs": limits["key_pairs"],
            "maxServerGroups": limits["server_groups"],
            "maxServerGroupMembers": limits["server_group_members"],
            "totalInstancesUsed": usage.get("instances", 0),
            "totalCoresUsed": usage.get("cores", 0),
            "totalRAMUsed": usage.get("ram", 0),
            "totalServerGroupsUsed": usage.get("server_groups", 0),
        }
        if version < mv.IMAGE_METADATA_LIMIT_REMOVED:
            absolute["maxImageMeta"] = limits["metadata_items"]
        if version < mv.INJECTED_FILES_REMOVED:
            absolute["maxPersonality"] = quotas.INJECTED_FILE_QUOTAS["injected_files"]
            absolute["maxPersonalitySize"] = quotas.INJECTED_FILE_QUOTAS["injected_file_content_bytes"]
        return Response({"limits": {"rate": [], "absolute": absolute}})
