"""os-quota-sets and /limits: thin views over servers.services.quotas.

GET /os-quota-sets/{project}[?user_id=] (members: their own project only), /detail (in_use,
limit, reserved 0), /defaults; PUT and DELETE are admin only. The keys are Nova's resources
as each version shows them: the nova-network proxies (fixed_ips, floating_ips,
security_groups, security_group_rules) until 2.35, the injected_file* limits until 2.56. The
update answer has no id. From 2.75 the only query parameter is user_id (tenant_id for /limits).
GET and PUT /os-quota-class-sets/{class} (admin) show and change a class's limits.
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.microversions import Microversion
from core.views import ComputeView
from hosts.api.base import refuse_unknown_query
from servers.services import quotas

from . import openapi_resources as doc
from .validation.quotas import class_shown, quota_class_update, quota_update, shown

QUOTA_QUERY = ("user_id",)


class QuotaView(ComputeView):
    """A quota view: the request's version, and from 2.75 no query parameter but user_id."""

    strict_since: Microversion = mv.API_CONSISTENCY
    allowed_query: tuple[str, ...] = QUOTA_QUERY

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.version >= self.strict_since:
            refuse_unknown_query(request, self.allowed_query)

    @property
    def version(self) -> Microversion:
        """The microversion the request asked for."""
        version: Microversion = self.request.api_version  # type: ignore[attr-defined]  # set by ComputeView
        return version

    def user_id(self) -> str | None:
        """?user_id=: the user whose quotas within the project are meant."""
        return self.request.query_params.get("user_id") or None


class QuotaSetView(QuotaView):
    """GET, PUT (admin) and DELETE (admin; back to defaults, 202) /os-quota-sets/{project}."""

    openapi = {"get": doc.QUOTA_SHOW, "put": doc.QUOTA_UPDATE, "delete": doc.QUOTA_REVERT}

    def get(self, request: Request, project_id: str) -> Response:
        limits = quotas.project_limits(self.caller, project_id, user_id=self.user_id())
        return Response({"quota_set": {"id": project_id, **shown(limits, self.version)}})

    def put(self, request: Request, project_id: str) -> Response:
        limits, force = quota_update(request.data, self.version)
        user_id = self.user_id()
        quotas.set_limits(self.caller, project_id, limits, force=force, user_id=user_id)
        updated = quotas.project_limits(self.caller, project_id, user_id=user_id)
        return Response({"quota_set": shown(updated, self.version)})

    def delete(self, request: Request, project_id: str) -> Response:
        quotas.revert_limits(self.caller, project_id, user_id=self.user_id())
        return Response(status=status.HTTP_202_ACCEPTED)


class QuotaSetDetailView(QuotaView):
    """GET /os-quota-sets/{project}/detail: {key: {in_use, limit, reserved}}."""

    openapi = {"get": doc.QUOTA_DETAIL_SHOW}

    def get(self, request: Request, project_id: str) -> Response:
        detail = quotas.quota_detail(self.caller, project_id, user_id=self.user_id())
        return Response({"quota_set": {"id": project_id, **shown(detail, self.version)}})


class QuotaSetDefaultsView(QuotaView):
    """GET /os-quota-sets/{project}/defaults (no query parameter from 2.102)."""

    openapi = {"get": doc.QUOTA_DEFAULTS}

    strict_since = mv.QUERY_PARAMS_RESTRICTED
    allowed_query = ()

    def get(self, request: Request, project_id: str) -> Response:
        defaults = quotas.default_limits(self.caller, project_id)
        return Response({"quota_set": {"id": project_id, **shown(defaults, self.version)}})


class QuotaClassSetView(QuotaView):
    """GET and PUT /os-quota-class-sets/{class} (admin): a class's limits; the class
    "default" holds every project's defaults. The update answer has no id."""

    openapi = {"get": doc.QUOTA_CLASS_SHOW, "put": doc.QUOTA_CLASS_UPDATE}

    strict_since = mv.QUERY_PARAMS_RESTRICTED
    allowed_query = ()

    def get(self, request: Request, class_name: str) -> Response:
        limits = quotas.class_limits(self.caller, class_name)
        return Response({"quota_class_set": {"id": class_name, **class_shown(limits, self.version)}})

    def put(self, request: Request, class_name: str) -> Response:
        limits = quota_class_update(request.data, self.version)
        quotas.set_class_limits(self.caller, class_name, limits)
        updated = quotas.class_limits(self.caller, class_name)
        return Response({"quota_class_set": class_shown(updated, self.version)})


class LimitsView(QuotaView):
    """GET /limits: the caller's project's absolute limits and usage (admins may ask about
    another project with ?tenant_id=). The network proxy limits until 2.35, maxImageMeta
    until 2.38, the personality limits until 2.56."""

    openapi = {"get": doc.LIMITS}

    allowed_query = ("tenant_id",)

    def get(self, request: Request) -> Response:
        version = self.version
        asked = request.query_params.get("tenant_id")
        limits, usage = quotas.absolute_limits(self.caller, asked)
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
        if version < mv.NETWORK_PROXIES_REMOVED:
            # Nova counts no usage of these: nothing here uses them.
            absolute.update(
                {
                    "maxTotalFloatingIps": limits["floating_ips"],
                    "maxSecurityGroups": limits["security_groups"],
                    "maxSecurityGroupRules": limits["security_group_rules"],
                    "totalFloatingIpsUsed": 0,
                    "totalSecurityGroupsUsed": 0,
                }
            )
        if version < mv.IMAGE_METADATA_LIMIT_REMOVED:
            absolute["maxImageMeta"] = limits["metadata_items"]
        if version < mv.INJECTED_FILES_REMOVED:
            absolute["maxPersonality"] = limits["injected_files"]
            absolute["maxPersonalitySize"] = limits["injected_file_content_bytes"]
        return Response({"limits": {"rate": [], "absolute": absolute}})
