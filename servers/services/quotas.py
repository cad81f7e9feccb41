"""Quota checks and usage: reserve atomically at the API, release when a server is deleted.

Usage rows are locked (SELECT ... FOR UPDATE) in a fixed order, so concurrent creates in a
project serialise on them and in_use can never pass the limit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F

from core.exceptions import Forbidden

from ..models import QuotaLimit, QuotaUsage


class QuotaExceeded(Forbidden):
    """The request would take a project over one of its limits (403, as in Nova)."""


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
        limit = limits.get(resource, -1)
        if limit >= 0 and rows[resource].in_use + delta > limit:
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
    return dict(QuotaUsage.objects.filter(project_id=project_id).values_list("resource", "in_use"))


def resize_deltas(old_flavor: dict, new_flavor: dict) -> dict[str, int]:
    """Change in cores and ram when a server moves from old_flavor to new_flavor."""
    return {
        "cores": new_flavor["vcpus"] - old_flavor["vcpus"],
        "ram": new_flavor["memory_mb"] - old_flavor["memory_mb"],
    }


def positive(deltas: dict[str, int]) -> dict[str, int]:
    return {resource: delta for resource, delta in deltas.items() if delta > 0}


def negated_negative(deltas: dict[str, int]) -> dict[str, int]:
    """The decreases, as positive amounts to release."""
    return {resource: -delta for resource, delta in deltas.items() if delta < 0}
