"""Volume quotas: Cinder's default limits, usage counted from the Volume rows themselves
(so it can never drift), and an atomic check.

`reserve()` runs inside the caller's transaction and first locks the project's identity row
(SELECT ... FOR UPDATE), so concurrent creates or extends in one project serialise: each sees
the rows the previous one committed, and usage can never pass the limit.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Sum

from core.exceptions import ServiceError
from identity.models import Project

from .models import Volume


class OverLimit(ServiceError):
    """413, as Cinder answers a quota overrun (Nova-style body key overLimit)."""

    http_status = 413


def limits(project_id: str) -> dict[str, int]:
    """The project's limits (the defaults: per-project overrides are not implemented)."""
    return dict(settings.VOLUME_QUOTA_DEFAULTS)


def usage(project_id: str) -> dict[str, int]:
    """What the project uses now: every volume counts, whatever its status (as in Cinder)."""
    totals = Volume.objects.filter(project_id=project_id).aggregate(volumes=Count("id"), gigabytes=Sum("size"))
    return {
        "volumes": totals["volumes"] or 0,
        "gigabytes": totals["gigabytes"] or 0,
        "snapshots": 0,
        "backups": 0,
        "backup_gigabytes": 0,
        "groups": 0,
        "per_volume_gigabytes": 0,
    }


def reserve(project_id: str, *, volumes: int = 0, gigabytes: int = 0, size: int | None = None) -> None:
    """Raise OverLimit unless `volumes` more volumes and `gigabytes` more GiB fit (and a
    volume of `size` GiB is allowed). Call inside transaction.atomic(), before writing the
    row or the new size, so the lock is held until the change commits."""
    Project.objects.select_for_update().filter(id=project_id).first()
    limit = limits(project_id)
    per_volume = limit.get("per_volume_gigabytes", -1)
    if size is not None and 0 <= per_volume < size:
        raise OverLimit(
            f"VolumeSizeExceedsLimit: Requested volume size {size}G is larger than maximum allowed limit {per_volume}G."
        )
    used = usage(project_id)
    if volumes and 0 <= limit["volumes"] < used["volumes"] + volumes:
        raise OverLimit(
            f"VolumeLimitExceeded: Maximum number of volumes allowed ({limit['volumes']}) exceeded for quota 'volumes'."
        )
    if gigabytes and 0 <= limit["gigabytes"] < used["gigabytes"] + gigabytes:
        raise OverLimit(
            f"VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. "
            f"Requested {gigabytes}G, quota is {limit['gigabytes']}G and {used['gigabytes']}G has been consumed."
        )
