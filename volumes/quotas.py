"""Volume quotas: Cinder's default limits, usage counted from the Volume and Snapshot rows
themselves (so it can never drift), and the check made before a volume or a snapshot is
created or a volume extended. As in Cinder (no_snapshot_gb_quota False), a snapshot takes
its volume's size from the gigabytes quota as well as one from the snapshots quota.

`reserve()` runs inside the caller's transaction and first takes the project's quota lock
(``core.quotas.lock_project``, as the network quotas do), so concurrent creates or extends in
one project serialise: each sees the rows the previous one committed, and usage can never
pass the limit. Overruns are Cinder's 413s (cinder/quota_utils.py, process_reserve_over_quota:
the volume or snapshot count is reported before the gigabytes)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Sum

from core.exceptions import OverLimit
from core.quotas import fits, lock_project

from .models import Snapshot, Volume

SERVICE = "volume"


def limits(project_id: str) -> dict[str, int]:
    """The project's limits (the defaults: per-project overrides are not implemented)."""
    return dict(settings.VOLUME_QUOTA_DEFAULTS)


def usage(project_id: str) -> dict[str, int]:
    """What the project uses now: every volume and snapshot counts, whatever its status (as
    in Cinder), and both count toward gigabytes."""
    volumes = Volume.objects.filter(project_id=project_id).aggregate(count=Count("id"), gigabytes=Sum("size"))
    snapshots = Snapshot.objects.filter(project_id=project_id).aggregate(count=Count("id"), gigabytes=Sum("size"))
    return {
        "volumes": volumes["count"] or 0,
        "gigabytes": (volumes["gigabytes"] or 0) + (snapshots["gigabytes"] or 0),
        "snapshots": snapshots["count"] or 0,
        "backups": 0,
        "backup_gigabytes": 0,
        "groups": 0,
        "per_volume_gigabytes": 0,
    }


def reserve(
    project_id: str, *, volumes: int = 0, snapshots: int = 0, gigabytes: int = 0, size: int | None = None
) -> None:
    """Raise OverLimit (413) unless `volumes` more volumes, `snapshots` more snapshots and
    `gigabytes` more GiB fit (and a volume of `size` GiB is allowed). Call inside
    transaction.atomic(), before writing the row or the new size, so the lock is held until
    the change commits."""
    lock_project(SERVICE, project_id)
    limit = limits(project_id)
    per_volume = limit.get("per_volume_gigabytes", -1)
    if size is not None and not fits(per_volume, 0, size):
        raise OverLimit(
            f"VolumeSizeExceedsLimit: Requested volume size {size}G is larger than maximum allowed limit {per_volume}G."
        )
    used = usage(project_id)
    if volumes and not fits(limit["volumes"], used["volumes"], volumes):
        raise OverLimit(
            f"VolumeLimitExceeded: Maximum number of volumes allowed ({limit['volumes']}) exceeded for quota 'volumes'."
        )
    if snapshots and not fits(limit["snapshots"], used["snapshots"], snapshots):
        raise OverLimit(f"SnapshotLimitExceeded: Maximum number of snapshots allowed ({limit['snapshots']}) exceeded")
    if gigabytes and not fits(limit["gigabytes"], used["gigabytes"], gigabytes):
        raise OverLimit(
            f"VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. "
            f"Requested {gigabytes}G, quota is {limit['gigabytes']}G and {used['gigabytes']}G has been consumed."
        )
