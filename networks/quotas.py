"""Neutron quotas: default limits, per-project overrides (NetworkQuota), usage counted from
the rows themselves, and the check made before a network, subnet or port is created.

`reserve()` runs inside the caller's transaction and first locks the project's override row
(created on demand), so concurrent creates in one project serialise and cannot pass the limit.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from core.exceptions import BadRequest

from .exceptions import OverQuota
from .models import Network, NetworkQuota, Port, Subnet

DEFAULTS: dict[str, int] = {
    "network": 100,
    "subnet": 100,
    "port": 500,
    "router": 10,
    "floatingip": 50,
    "security_group": 10,
    "security_group_rule": 100,
}
COUNTED = {"network": Network, "subnet": Subnet, "port": Port}


def limits(project_id: str) -> dict[str, int]:
    """The project's effective limits: the defaults with its overrides on top."""
    row = NetworkQuota.objects.filter(project_id=project_id).first()
    return {**DEFAULTS, **(row.limits if row else {})}


def usage(project_id: str) -> dict[str, int]:
    """How many of each resource the project owns now (routers and the rest: none exist)."""
    used = dict.fromkeys(DEFAULTS, 0)
    for resource, model in COUNTED.items():
        used[resource] = model.objects.filter(project_id=project_id).count()
    return used


# Flags of the quota-check-limit extension (the openstack client sends check_limit).
FLAGS = ("check_limit", "force")


def validated_limits(body: object, project_id: str) -> dict[str, int]:
    """The {resource: limit} of a PUT body's "quota" object; 400 for unknown resources or
    limits that are not integers >= -1, and (with check_limit true) for a limit below what
    the project already uses."""
    if not isinstance(body, dict) or not isinstance(body.get("quota"), dict):
        raise BadRequest('Invalid input for operation: the body must be {"quota": {resource: limit}}.')
    requested = {key: value for key, value in body["quota"].items() if key not in FLAGS}
    if not requested:
        raise BadRequest("Invalid input for operation: no quota to update.")
    result = {}
    for resource, value in requested.items():
        if resource not in DEFAULTS:
            raise BadRequest(f"Unrecognized attribute(s) '{resource}'")
        if isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < -1:
            raise BadRequest(f"Invalid input for {resource}. Reason: '{value}' should be an integer >= -1.")
        result[resource] = value
    if body["quota"].get("check_limit") is True and not body["quota"].get("force"):
        used = usage(project_id)
        for resource, limit in result.items():
            if 0 <= limit < used[resource]:
                raise BadRequest(
                    f"Quota limit {limit} for {resource} must be greater than or equal to"
                    f" already used {used[resource]}."
                )
    return result


def _locked_row(project_id: str) -> NetworkQuota:
    try:
        with transaction.atomic():
            NetworkQuota.objects.get_or_create(project_id=project_id)
    except IntegrityError:
        pass  # created concurrently
    return NetworkQuota.objects.select_for_update().get(project_id=project_id)


def update(project_id: str, new_limits: dict[str, int]) -> dict[str, int]:
    """Store overrides for the project; returns its effective limits."""
    with transaction.atomic():
        row = _locked_row(project_id)
        row.limits = {**row.limits, **new_limits}
        row.save()
    return limits(project_id)


def reset(project_id: str) -> None:
    """Back to the defaults."""
    NetworkQuota.objects.filter(project_id=project_id).delete()


def overridden_projects() -> list[str]:
    """Projects with stored overrides (what Neutron's GET /quotas lists)."""
    return list(NetworkQuota.objects.exclude(limits={}).order_by("project_id").values_list("project_id", flat=True))


def reserve(project_id: str, resource: str, count: int = 1) -> None:
    """Raise OverQuota unless `count` more of `resource` fit. Call inside transaction.atomic()
    before creating the rows, so the lock is held until they commit."""
    row = _locked_row(project_id)
    limit = {**DEFAULTS, **row.limits}[resource]
    if limit < 0:
        return
    if COUNTED[resource].objects.filter(project_id=project_id).count() + count > limit:
        raise OverQuota(resource)
