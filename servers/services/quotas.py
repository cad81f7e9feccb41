"""Compute quotas: a project's limits and usage, changing the limits (os-quota-sets), and
reserving usage atomically when servers are created or resized (released when they go).

Usage rows are locked (SELECT ... FOR UPDATE) in a fixed order, so concurrent creates in a
project serialise on them and in_use can never pass the limit. What the numbers must satisfy
is core.quotas; who may read or change them is core.policy (nova/policies/quota_sets.py,
limits.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.conf import settings
from django.db import transaction
from django.db.models import F

from core import policy
from core.exceptions import BadRequest, QuotaExceeded
from core.principal import Caller
from core.quotas import UNLIMITED, check_new_limits, fits

from ..models import Keypair, QuotaLimit, QuotaUsage, ServerGroup

#: Fixed (never enforced) quotas of personality files: the API shows them before 2.57.
INJECTED_FILE_QUOTAS = {"injected_files": 5, "injected_file_content_bytes": 10240, "injected_file_path_bytes": 255}
#: The network proxy quotas the API dropped in 2.36; before it, a PUT may still name them.
NETWORK_QUOTAS = ("floating_ips", "fixed_ips", "security_groups", "security_group_rules", "networks")
#: Nova's wording for a new limit below usage (nova/api/openstack/compute/quota_sets.py).
BELOW_USAGE = "Quota limit {limit} for {resource} must be greater than or equal to already used and reserved {used}."


def resources() -> frozenset[str]:
    """The resources a project has a limit of (settings.QUOTA_DEFAULTS)."""
    return frozenset(settings.QUOTA_DEFAULTS)


def defaults(*, injected_files: bool = False) -> dict[str, int]:
    """The default limits; with ``injected_files``, the fixed personality quotas too."""
    limits = dict(settings.QUOTA_DEFAULTS)
    if injected_files:
        limits.update(INJECTED_FILE_QUOTAS)
    return limits


def valid_project(project_id: str) -> str:
    """A project id usable in a query (400 for one no project could have)."""
    if len(project_id) > 64 or "\x00" in project_id:
        raise BadRequest(f"Invalid project id {project_id!r}.")
    return project_id


def project_limits(caller: Caller, project_id: str, *, injected_files: bool = False) -> dict[str, int]:
    """A project's limits (members: their own project's only), each key of ``defaults``."""
    policy.enforce(caller, policy.QUOTAS_SHOW, project_id=valid_project(project_id))
    limits = limits_for(project_id)
    return {key: limits.get(key, default) for key, default in defaults(injected_files=injected_files).items()}


def project_usage(project_id: str, user_id: str | None = None) -> dict[str, int]:
    """What the project uses of each resource (key pairs: ``user_id``'s, as Nova counts them)."""
    usage = usage_for(project_id)
    usage["server_groups"] = ServerGroup.objects.filter(project_id=project_id).count()
    if user_id:
        usage["key_pairs"] = Keypair.objects.filter(user_id=user_id).count()
    return usage


def quota_detail(caller: Caller, project_id: str, *, injected_files: bool = False) -> dict[str, dict[str, int]]:
    """Each limit with what is in use (key pairs: the caller's, in its own project)."""
    limits = project_limits(caller, project_id, injected_files=injected_files)
    usage = project_usage(project_id, caller.user_id if project_id == caller.project_id else None)
    return {key: {"in_use": usage.get(key, 0), "limit": limit, "reserved": 0} for key, limit in limits.items()}


def set_limits(caller: Caller, project_id: str, limits: Mapping[str, int], *, force: bool = False) -> None:
    """Store new limits (-1: unlimited). An unknown resource is 400; a limit below what the
    project uses is 400 unless ``force``, as Nova does."""
    policy.enforce(caller, policy.QUOTAS_UPDATE, project_id=valid_project(project_id))
    for resource in limits:
        if resource not in resources():
            raise BadRequest(f"Additional properties are not allowed ({resource!r} was unexpected)")
        if not UNLIMITED <= limits[resource] <= 2**31 - 1:
            raise BadRequest(
                f"Invalid input for field/attribute {resource}. Value: {limits[resource]}. "
                f"It must be between -1 and {2**31 - 1}."
            )
    with transaction.atomic():
        if not force:
            check_new_limits(limits, project_usage(project_id), BELOW_USAGE)
        for resource, limit in limits.items():
            QuotaLimit.objects.update_or_create(
                project_id=project_id, resource=resource, defaults={"hard_limit": limit}
            )


def revert_limits(caller: Caller, project_id: str, resources: Collection[str] | None = None) -> None:
    """Back to the defaults: forget the project's own limits (of ``resources`` only, when
    given: the admin's one row)."""
    policy.enforce(caller, policy.QUOTAS_DELETE, project_id=valid_project(project_id))
    rows = QuotaLimit.objects.filter(project_id=project_id)
    if resources is not None:
        rows = rows.filter(resource__in=list(resources))
    rows.delete()


def absolute_limits(caller: Caller, project_id: str | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """(limits, usage) of the caller's project, or (admins) of ``project_id``, for /limits."""
    if project_id is None or project_id == caller.project_id:
        project_id = caller.project_id
    else:
        policy.enforce(caller, policy.LIMITS_OTHER_PROJECT, project_id=project_id)
        valid_project(project_id)
    return limits_for(project_id), project_usage(project_id)


def limits_for(project_id: str) -> dict[str, int]:
    """The project's limits: its own rows over settings.QUOTA_DEFAULTS (-1 = unlimited)."""
    limits = dict(settings.QUOTA_DEFAULTS)
    limits.update(QuotaLimit.objects.filter(project_id=project_id).values_list("resource", "hard_limit"))
    return limits


def server_usage(flavor: dict, count: int = 1) -> dict[str, int]:
    """What `count` servers of a flavor count against instances, cores and ram."""
    return {"instances": count, "cores": flavor["vcpus"] * count, "ram": flavor["memory_mb"] * count}


def reserve(project_id: str, deltas: dict[str, int]) -> None:
    """Add `deltas` to the project's usage, or raise QuotaExceeded and change nothing. Must be
    called inside the caller's transaction so a later failure rolls the reservation back."""
    limits = limits_for(project_id)
    for resource in sorted(deltas):
        QuotaUsage.objects.get_or_create(project_id=project_id, resource=resource)
    rows = {
        row.resource: row
        for row in QuotaUsage.objects.select_for_update()
        .filter(project_id=project_id, resource__in=list(deltas))
        .order_by("resource")
    }
    for resource, delta in deltas.items():
        limit = limits.get(resource, UNLIMITED)
        if not fits(limit, rows[resource].in_use, delta):
            raise QuotaExceeded(
                f"Quota exceeded for {resource}: Requested {delta}, but already used "
                f"{rows[resource].in_use} of {limit} {resource}"
            )
    for resource, delta in deltas.items():
        QuotaUsage.objects.filter(pk=rows[resource].pk).update(in_use=F("in_use") + delta)


def release(project_id: str, deltas: dict[str, int]) -> None:
    """Give usage back (never below zero)."""
    with transaction.atomic():
        for resource, delta in deltas.items():
            QuotaUsage.objects.filter(project_id=project_id, resource=resource, in_use__gte=delta).update(
                in_use=F("in_use") - delta
            )


def usage_for(project_id: str) -> dict[str, int]:
    """The project's reserved usage rows (instances, cores, ram)."""
    return dict(QuotaUsage.objects.filter(project_id=project_id).values_list("resource", "in_use"))


def resize_deltas(old_flavor: dict, new_flavor: dict) -> dict[str, int]:
    """Change in cores and ram when a server moves from old_flavor to new_flavor."""
    return {
        "cores": new_flavor["vcpus"] - old_flavor["vcpus"],
        "ram": new_flavor["memory_mb"] - old_flavor["memory_mb"],
    }


def positive(deltas: dict[str, int]) -> dict[str, int]:
    """The increases only (what a resize must reserve)."""
    return {resource: delta for resource, delta in deltas.items() if delta > 0}


def negated_negative(deltas: dict[str, int]) -> dict[str, int]:
    """The decreases, as positive amounts to release."""
    return {resource: -delta for resource, delta in deltas.items() if delta < 0}
