"""os-quota-sets and /limits.

GET /os-quota-sets/{project} (members: their own project only), /detail (in_use, limit,
reserved 0), /defaults; PUT and DELETE are admin only. Keys: instances, cores, ram,
metadata_items, key_pairs, server_groups, server_group_members, plus the fixed injected_file*
keys below 2.57. The network proxy keys (floating_ips, fixed_ips, security_group*) are never
emitted; below 2.36 a PUT may still name them and they are ignored.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import transaction
from rest_framework import exceptions, status
from rest_framework.response import Response

from core.exceptions import Forbidden
from core.views import ComputeView
from identity.authentication import IsAdmin
from servers.models import Keypair, QuotaLimit, ServerGroup
from servers.services import quotas

# Fixed (not enforced) quotas of personality files, shown below 2.57 where they existed.
INJECTED_FILE_QUOTAS = {"injected_files": 5, "injected_file_content_bytes": 10240, "injected_file_path_bytes": 255}
NETWORK_QUOTAS = ("floating_ips", "fixed_ips", "security_groups", "security_group_rules", "networks")
INT_RE = re.compile(r"^-?[0-9]+$")


def visible_defaults(version: tuple[int, int]) -> dict[str, int]:
    """The default limits of every key shown at `version`."""
    defaults = dict(settings.QUOTA_DEFAULTS)
    if version < (2, 57):
        defaults.update(INJECTED_FILE_QUOTAS)
    return defaults


def project_limits(project_id: str, version: tuple[int, int]) -> dict[str, int]:
    limits = quotas.limits_for(project_id)
    return {key: limits.get(key, default) for key, default in visible_defaults(version).items()}


def project_usage(project_id: str, user_id: str | None = None) -> dict[str, int]:
    """What the project uses of each resource (key pairs: the user's, as Nova counts them)."""
    usage = quotas.usage_for(project_id)
    usage["server_groups"] = ServerGroup.objects.filter(project_id=project_id).count()
    if user_id:
        usage["key_pairs"] = Keypair.objects.filter(user_id=user_id).count()
    return usage


def valid_project(project_id: str) -> str:
    """A project id usable in a query (400 for one no project could have)."""
    if len(project_id) > 64 or "\x00" in project_id:
        raise exceptions.ValidationError(f"Invalid project id {project_id!r}.")
    return project_id


def check_project(caller, project_id: str) -> None:
    """Members read their own project's quotas only (403 otherwise)."""
    valid_project(project_id)
    if not caller.is_admin and project_id != caller.project_id:
        raise Forbidden("Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.")


def _as_int(key: str, value: object) -> int:
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and INT_RE.match(value))):
        raise exceptions.ValidationError(
            f"Invalid input for field/attribute {key}. Value: {value!r}. It must be an integer."
        )
    number = int(value)
    if number < -1 or number > 2**31 - 1:
        raise exceptions.ValidationError(
            f"Invalid input for field/attribute {key}. Value: {value}. It must be between -1 and {2**31 - 1}."
        )
    return number


def _as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    raise exceptions.ValidationError(
        f"Invalid input for field/attribute force. Value: {value!r}. It must be a boolean."
    )


def set_limits(project_id: str, changes: dict, version: tuple[int, int]) -> None:
    """Validate and store new limits. Unknown keys are 400; a limit below the current usage is
    refused (400) unless `force` is true, as Nova does."""
    force = _as_bool(changes.get("force", False))
    wanted: dict[str, int] = {}
    for key, value in changes.items():
        if key == "force":
            continue
        ignored = (version < (2, 36) and key in NETWORK_QUOTAS) or (version < (2, 57) and key in INJECTED_FILE_QUOTAS)
        if key not in settings.QUOTA_DEFAULTS and not ignored:
            raise exceptions.ValidationError(f"Additional properties are not allowed ({key!r} was unexpected)")
        number = _as_int(key, value)
        if not ignored:
            wanted[key] = number
    with transaction.atomic():
        usage = project_usage(project_id)
        for key, number in wanted.items():
            used = usage.get(key, 0)
            if not force and number != -1 and number < used:
                raise exceptions.ValidationError(
                    f"Quota limit {number} for {key} must be greater than or equal to already used and reserved {used}."
                )
        for key, number in wanted.items():
            QuotaLimit.objects.update_or_create(project_id=project_id, resource=key, defaults={"hard_limit": number})


class QuotaSetView(ComputeView):
    """GET, PUT (admin) and DELETE (admin; back to defaults, 202) /os-quota-sets/{project}."""

    def get_permissions(self):
        if self.request.method in ("PUT", "DELETE"):
            return [IsAdmin()]
        return super().get_permissions()

    def get(self, request, project_id: str):
        check_project(self.caller, project_id)
        return Response({"quota_set": {"id": project_id, **project_limits(project_id, request.api_version)}})

    def put(self, request, project_id: str):
        data = request.data
        if not isinstance(data, dict) or not isinstance(data.get("quota_set"), dict) or set(data) != {"quota_set"}:
            raise exceptions.ValidationError('Invalid input: the request body must be {"quota_set": {...}}.')
        set_limits(valid_project(project_id), data["quota_set"], request.api_version)
        return Response({"quota_set": project_limits(project_id, request.api_version)})

    def delete(self, request, project_id: str):
        QuotaLimit.objects.filter(project_id=valid_project(project_id)).delete()
        return Response(status=status.HTTP_202_ACCEPTED)


class QuotaSetDetailView(ComputeView):
    """GET /os-quota-sets/{project}/detail: {key: {in_use, limit, reserved}}."""

    def get(self, request, project_id: str):
        caller = self.caller
        check_project(caller, project_id)
        usage = project_usage(project_id, caller.user_id if project_id == caller.project_id else None)
        body = {
            key: {"in_use": usage.get(key, 0), "limit": limit, "reserved": 0}
            for key, limit in project_limits(project_id, request.api_version).items()
        }
        return Response({"quota_set": {"id": project_id, **body}})


class QuotaSetDefaultsView(ComputeView):
    """GET /os-quota-sets/{project}/defaults."""

    def get(self, request, project_id: str):
        return Response({"quota_set": {"id": project_id, **visible_defaults(request.api_version)}})


class LimitsView(ComputeView):
    """GET /limits: the caller's project's absolute limits and usage (admins may ask about
    another project with ?tenant_id=)."""

    def get(self, request):
        caller = self.caller
        project_id = caller.project_id
        if request.query_params.get("tenant_id"):
            if not caller.is_admin and request.query_params["tenant_id"] != project_id:
                raise Forbidden("Policy doesn't allow os_compute_api:limits:other_project to be performed.")
            project_id = valid_project(request.query_params["tenant_id"])
        limits = project_limits(project_id, request.api_version)
        usage = project_usage(project_id)
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
        if request.api_version < (2, 39):
            absolute["maxImageMeta"] = limits["metadata_items"]
        if request.api_version < (2, 57):
            absolute["maxPersonality"] = INJECTED_FILE_QUOTAS["injected_files"]
            absolute["maxPersonalitySize"] = INJECTED_FILE_QUOTAS["injected_file_content_bytes"]
        return Response({"limits": {"rate": [], "absolute": absolute}})
