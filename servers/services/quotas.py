"""Compute quotas: a project's (and a user's) limits and usage, changing the limits
(os-quota-sets), and reserving usage atomically when servers are created or resized
(released when they go).

The resources are Nova's (nova/quota.py): those settings.QUOTA_DEFAULTS sets, the personality
file limits and the nova-network proxies (fixed_ips, floating_ips, security_groups,
security_group_rules), which are stored and shown, never enforced here; which of them the API
shows depends on the microversion, which the views decide. A user's limits within a project
default to the project's (Nova's DbQuotaDriver).

Usage rows are locked (SELECT ... FOR UPDATE) in a fixed order, so concurrent creates in a
project serialise on them and in_use can never pass the limit. What the numbers must satisfy
is core.quotas; who may read or change them is core.policy (nova/policies/quota_sets.py,
limits.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Value
from django.utils import timezone

from core import policy
from core.exceptions import BadRequest, QuotaExceeded
from core.principal import Caller
from core.quotas import UNLIMITED, fits
from identity.lookup import project_exists

from ..models import QuotaClassLimit, QuotaLimit, QuotaUsage, Server, ServerGroup, UserQuotaLimit

#: Nova's personality file limits ([quota] injected_files, injected_file_content_bytes,
#: injected_file_path_length); the API shows them until 2.57.
INJECTED_FILE_QUOTAS = {"injected_files": 5, "injected_file_content_bytes": 10240, "injected_file_path_bytes": 255}
#: The nova-network proxies: Nova keeps them, unlimited by default, and shows them until 2.36.
NETWORK_QUOTAS = {
    "fixed_ips": UNLIMITED,
    "floating_ips": UNLIMITED,
    "security_groups": UNLIMITED,
    "security_group_rules": UNLIMITED,
}
#: Nova's wording for a new limit outside what usage and the other limits allow
#: (nova/api/openstack/compute/quota_sets.py).
BELOW_USAGE = "Quota limit {limit} for {resource} must be greater than or equal to already used and reserved {used}."
ABOVE_MAXIMUM = "Quota limit {limit} for {resource} must be less than or equal to {maximum}."
MAX_LIMIT = 2**31 - 1
#: The quota class whose limits are every project's defaults.
DEFAULT_CLASS = "default"


def _configured() -> dict[str, int]:
    """The limits the configuration gives every resource."""
    return {**settings.QUOTA_DEFAULTS, **INJECTED_FILE_QUOTAS, **NETWORK_QUOTAS}


def resources() -> frozenset[str]:
    """Every resource a project has a limit of."""
    return frozenset(_configured())


def _class_rows(class_name: str) -> dict[str, int]:
    return dict(QuotaClassLimit.objects.filter(class_name=class_name).values_list("resource", "hard_limit"))


def defaults() -> dict[str, int]:
    """The default limit of every resource: the "default" quota class's over the configured."""
    return {**_configured(), **_class_rows(DEFAULT_CLASS)}


def _check_limit_values(limits: Mapping[str, int]) -> None:
    """Known resources only, each limit from -1 (unlimited) to the largest 32-bit integer."""
    for resource in limits:
        if resource not in resources():
            raise BadRequest(f"Additional properties are not allowed ({resource!r} was unexpected)")
        if not UNLIMITED <= limits[resource] <= MAX_LIMIT:
            raise BadRequest(
                f"Invalid input for field/attribute {resource}. Value: {limits[resource]}. "
                f"It must be between -1 and {MAX_LIMIT}."
            )


def class_limits(caller: Caller, class_name: str) -> dict[str, int]:
    """A quota class's limits over the configured ones (any name is a class; "default" holds
    the defaults)."""
    policy.enforce(caller, policy.QUOTA_CLASSES_SHOW)
    return {**_configured(), **_class_rows(class_name)}


def set_class_limits(caller: Caller, class_name: str, limits: Mapping[str, int]) -> None:
    """Store a quota class's limits; the class "default" changes every project's defaults."""
    policy.enforce(caller, policy.QUOTA_CLASSES_UPDATE)
    if not 1 <= len(class_name) <= 255:
        raise BadRequest("Invalid input for quota_class_name: it must have 1 to 255 characters.")
    _check_limit_values(limits)
    with transaction.atomic():
        for resource, limit in limits.items():
            QuotaClassLimit.objects.update_or_create(
                class_name=class_name, resource=resource, defaults={"hard_limit": limit}
            )


def valid_project(project_id: str) -> str:
    """A project id usable in a query (400 for one no project could have)."""
    if len(project_id) > 64 or "\x00" in project_id:
        raise BadRequest(f"Invalid project id {project_id!r}.")
    return project_id


def _verify_project(caller: Caller, project_id: str) -> None:
    """Nova asks Keystone, with the caller's token, whether the project exists: an admin
    learns that it does not (400); anyone else cannot tell, and is let through."""
    if caller.is_admin and not project_exists(project_id):
        raise BadRequest(f"Project ID {project_id} is not a valid project.")


def limits_for(project_id: str) -> dict[str, int]:
    """The project's limits: its own rows over the defaults (-1 = unlimited). One query: the
    default class's rows and the project's, the project's last so that they win."""
    rows = (
        QuotaClassLimit.objects.filter(class_name=DEFAULT_CLASS)
        .annotate(own=Value(0))
        .values_list("own", "resource", "hard_limit")
        .union(
            QuotaLimit.objects.filter(project_id=project_id)
            .annotate(own=Value(1))
            .values_list("own", "resource", "hard_limit"),
            all=True,
        )
    )
    limits = _configured()
    limits.update((resource, limit) for _, resource, limit in sorted(rows, key=lambda row: row[0]))
    return limits


def _user_rows(project_id: str, user_id: str) -> dict[str, int]:
    rows = UserQuotaLimit.objects.filter(project_id=project_id, user_id=user_id)
    return dict(rows.values_list("resource", "hard_limit"))


def _limits(project_id: str, user_id: str | None) -> dict[str, int]:
    """The project's limits, or a user's: its own rows over the project's."""
    limits = limits_for(project_id)
    if user_id is not None:
        limits.update(_user_rows(project_id, user_id))
    return limits


def project_limits(caller: Caller, project_id: str, *, user_id: str | None = None) -> dict[str, int]:
    """A project's limits, or those of one of its users (members: their own project's only)."""
    policy.enforce(caller, policy.QUOTAS_SHOW, project_id=valid_project(project_id))
    _verify_project(caller, project_id)
    return _limits(project_id, user_id)


def default_limits(caller: Caller, project_id: str) -> dict[str, int]:
    """The defaults a project starts with (anyone may read them)."""
    policy.enforce(caller, policy.QUOTAS_DEFAULTS, project_id=valid_project(project_id))
    _verify_project(caller, project_id)
    return defaults()


def project_usage(project_id: str) -> dict[str, int]:
    """What the project uses of each resource it counts (instances, cores, ram, server groups)."""
    usage = usage_for(project_id)
    usage["server_groups"] = ServerGroup.objects.filter(project_id=project_id).count()
    return usage


def user_usage(project_id: str, user_id: str) -> dict[str, int]:
    """What one user's servers and server groups use within the project."""
    usage = {"instances": 0, "cores": 0, "ram": 0}
    for flavor in Server.objects.filter(project_id=project_id, user_id=user_id, deleted=False).values_list(
        "flavor", flat=True
    ):
        for resource, amount in server_usage(flavor or {}).items():
            usage[resource] += amount
    usage["server_groups"] = ServerGroup.objects.filter(project_id=project_id, user_id=user_id).count()
    return usage


def quota_detail(caller: Caller, project_id: str, *, user_id: str | None = None) -> dict[str, dict[str, int]]:
    """Each limit with what is in use (the user's, with ``user_id``). As in Nova, key pairs
    and server group members, limited per user and per group, show no usage here."""
    policy.enforce(caller, policy.QUOTAS_DETAIL, project_id=valid_project(project_id))
    _verify_project(caller, project_id)
    usage = project_usage(project_id) if user_id is None else user_usage(project_id, user_id)
    limits = _limits(project_id, user_id)
    return {key: {"in_use": usage.get(key, 0), "limit": limit, "reserved": 0} for key, limit in limits.items()}


def _unlimited_if(*values: int) -> bool:
    return any(value <= UNLIMITED for value in values)


def _settable(project_id: str, user_id: str | None) -> dict[str, tuple[int, int]]:
    """(minimum, maximum) of each new limit, as Nova's DbQuotaDriver.get_settable_quotas: a
    project's limit covers what it uses and what its users' own limits hand out; a user's,
    what the user uses, up to what the project has left plus the user's current limit."""
    project = limits_for(project_id)
    handed_out: dict[str, int] = {}
    for resource, limit in UserQuotaLimit.objects.filter(project_id=project_id).values_list("resource", "hard_limit"):
        handed_out[resource] = handed_out.get(resource, 0) + limit
    remains = {key: limit - handed_out.get(key, 0) for key, limit in project.items()}
    if user_id is None:
        usage = project_usage(project_id)
        return {
            key: (
                max(UNLIMITED if _unlimited_if(limit, remains[key]) else limit - remains[key], usage.get(key, 0)),
                UNLIMITED,
            )
            for key, limit in project.items()
        }
    own, usage = _user_rows(project_id, user_id), user_usage(project_id, user_id)
    return {
        key: (
            usage.get(key, 0),
            UNLIMITED if _unlimited_if(remains[key], own.get(key, 0)) else remains[key] + own.get(key, 0),
        )
        for key in project
    }


def _check_range(resource: str, limit: int, minimum: int, maximum: int) -> None:
    def infinite(value: int) -> float:
        return float("inf") if value == UNLIMITED else value

    if infinite(limit) < infinite(minimum):
        raise BadRequest(BELOW_USAGE.format(limit=limit, resource=resource, used=minimum))
    if infinite(limit) > infinite(maximum):
        raise BadRequest(ABOVE_MAXIMUM.format(limit=limit, resource=resource, maximum=maximum))


def set_limits(
    caller: Caller, project_id: str, limits: Mapping[str, int], *, force: bool = False, user_id: str | None = None
) -> None:
    """Store new limits (-1: unlimited) of the project, or of one of its users. An unknown
    resource is 400; so is a limit below usage and the users' limits (a user's: above what
    the project has left), unless ``force``, as Nova does."""
    policy.enforce(caller, policy.QUOTAS_UPDATE, project_id=valid_project(project_id))
    _verify_project(caller, project_id)
    _check_limit_values(limits)
    with transaction.atomic():
        if not force:
            settable = _settable(project_id, user_id)
            for resource in sorted(limits):
                _check_range(resource, limits[resource], *settable[resource])
        for resource, limit in limits.items():
            if user_id is None:
                QuotaLimit.objects.update_or_create(
                    project_id=project_id, resource=resource, defaults={"hard_limit": limit}
                )
            else:
                UserQuotaLimit.objects.update_or_create(
                    project_id=project_id, user_id=user_id, resource=resource, defaults={"hard_limit": limit}
                )


def revert_limits(
    caller: Caller, project_id: str, resources: Collection[str] | None = None, *, user_id: str | None = None
) -> None:
    """Back to the defaults: forget the project's own limits and its users' (only the user's
    with ``user_id``; of ``resources`` only, when given: the admin's one row)."""
    policy.enforce(caller, policy.QUOTAS_DELETE, project_id=valid_project(project_id))
    if user_id is not None:
        UserQuotaLimit.objects.filter(project_id=project_id, user_id=user_id).delete()
        return
    rows = QuotaLimit.objects.filter(project_id=project_id)
    if resources is not None:
        rows.filter(resource__in=list(resources)).delete()
        return
    rows.delete()
    UserQuotaLimit.objects.filter(project_id=project_id).delete()


def absolute_limits(caller: Caller, project_id: str | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """(limits, usage) of the caller's project, or (admins) of ``project_id``, for /limits:
    naming a project at all takes os_compute_api:limits:other_project, as in Nova."""
    if project_id is None:
        project_id = caller.project_id
    else:
        policy.enforce(caller, policy.LIMITS_OTHER_PROJECT, project_id=project_id)
        valid_project(project_id)
    return limits_for(project_id), project_usage(project_id)


def server_usage(flavor: dict, count: int = 1) -> dict[str, int]:
    """What `count` servers of a flavor count against instances, cores and ram."""
    return {"instances": count, "cores": flavor.get("vcpus", 0) * count, "ram": flavor.get("memory_mb", 0) * count}


def reserve(project_id: str, deltas: dict[str, int], limits: Mapping[str, int] | None = None) -> None:
    """Add `deltas` to the project's usage, or raise QuotaExceeded and change nothing. Must be
    called inside the caller's transaction so a later failure rolls the reservation back.
    ``limits``: the project's limits when the caller already read them (limits_for).

    Two statements once the usage rows exist: lock them (in resource order, so concurrent
    reservations never deadlock), then add every delta in one UPDATE. Nothing to add (a
    resize to a smaller flavor): nothing is run."""
    if not deltas:
        return
    limits = limits_for(project_id) if limits is None else limits
    rows = _locked_usage(project_id, deltas)
    if len(rows) < len(deltas):
        QuotaUsage.objects.bulk_create(
            [QuotaUsage(project_id=project_id, resource=resource) for resource in sorted(deltas)],
            ignore_conflicts=True,
        )
        rows = _locked_usage(project_id, deltas)
    for resource, delta in deltas.items():
        limit = limits.get(resource, UNLIMITED)
        used = rows[resource][1]
        if not fits(limit, used, delta):
            raise QuotaExceeded(
                f"Quota exceeded for {resource}: Requested {delta}, but already used {used} of {limit} {resource}"
            )
    _add_usage({rows[resource][0]: delta for resource, delta in deltas.items()})


# The reservation's two statements are written out: every create, resize and volume runs them,
# and the ORM took several times longer to build them (the CASE above all) than to run them.


def _locked_usage(project_id: str, resources: Collection[str]) -> dict[str, tuple[int, int]]:
    """{resource: (row id, in use)} of the project's usage rows of `resources`, locked until
    the transaction ends (in resource order, so that concurrent reservations never deadlock;
    SQLite has no row locks, and runs one writer at a time)."""
    names = sorted(resources)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = (
        f"SELECT resource, id, in_use FROM {_usage_table()} WHERE project_id = %s"
        f" AND resource IN ({', '.join(['%s'] * len(names))}) ORDER BY resource{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [project_id, *names])
        return {resource: (row_id, in_use) for resource, row_id, in_use in cursor.fetchall()}


def _add_usage(deltas_by_row: dict[int, int]) -> None:
    """Add each delta to its (locked) usage row, in one UPDATE."""
    cases = " ".join(["WHEN %s THEN %s"] * len(deltas_by_row))
    sql = (
        f"UPDATE {_usage_table()} SET in_use = in_use + CASE id {cases} ELSE 0 END, updated_at = %s"
        f" WHERE id IN ({', '.join(['%s'] * len(deltas_by_row))})"
    )
    now = QuotaUsage._meta.get_field("updated_at").get_db_prep_value(timezone.now(), connection)
    params: list[Any] = [value for pair in deltas_by_row.items() for value in pair]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, now, *deltas_by_row])


def _usage_table() -> str:
    return connection.ops.quote_name(QuotaUsage._meta.db_table)


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
