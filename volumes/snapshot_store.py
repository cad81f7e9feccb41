"""The snapshot store: the one home of snapshot status changes (volumes.store holds the
files, and copies them with `store.copy_file`). The service layer (volumes.snapshots)
decides who may do what and checks quotas.

    (row inserted) creating --> available | error          begin + write
    available | error --> deleting --> (row and file gone)  delete (force: from any status)
                                    \\-> error_deleting       the file could not be removed

Every status change is a compare-and-swap on the expected status. The copy runs
synchronously in the caller, as volume creation does (volumes.store explains why); the row is
written first with status creating, so moving the copy to a Celery task later changes no
status rule.
"""

from __future__ import annotations

import logging
import os
import uuid
from typing import Any

from django.db.models import Q
from django.utils import timezone

from core.exceptions import BadRequest

from . import store
from .models import Snapshot, Volume

log = logging.getLogger(__name__)


def _cas(snapshot_id: uuid.UUID, expected: Q, **changes: Any) -> bool:
    """One conditional UPDATE: apply `changes` only if the row still matches `expected`."""
    return bool(Snapshot.objects.filter(expected, id=snapshot_id).update(**changes, updated_at=timezone.now()))


def begin(
    volume: Volume,
    *,
    allowed: tuple[str, ...],
    project_id: str,
    user_id: str,
    name: str | None,
    description: str | None,
    metadata: dict[str, str],
) -> Snapshot:
    """Insert the snapshot (creating, 0%) of `volume` if its status is one of `allowed`;
    BadRequest (Cinder's InvalidVolume) otherwise. Call inside transaction.atomic(): the
    volume's row stays locked until the caller commits, so a delete of the volume waits and
    then sees the snapshot (volumes.store.delete_volume takes the same lock)."""
    locked = Volume.objects.select_for_update().filter(id=volume.id).first()
    if locked is None:
        raise BadRequest(f"Invalid volume: Volume {volume.id} no longer exists.")
    if locked.status not in allowed:
        raise BadRequest(
            f"Invalid volume: Volume {volume.id} status must be {', '.join(allowed)}, "
            f"but current status is: {locked.status}."
        )
    return Snapshot.objects.create(
        volume=locked,
        project_id=project_id,
        user_id=user_id,
        size=locked.size,
        name=name,
        description=description,
        metadata=metadata,
        status="creating",
        progress="0%",
        file_format=locked.file_format,
    )


def write(snapshot: Snapshot) -> Snapshot:
    """creating -> available (the volume's file copied, progress 100%) or error (with
    error_message) when the copy fails."""
    path = store.snapshot_path(snapshot.id)
    part = path + ".part"
    volume = Volume.objects.filter(id=snapshot.volume_id).only("id", "file_format").first()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if volume is None:
            raise store.VolumeFileError(f"Volume {snapshot.volume_id} no longer exists.")
        source = store.volume_path(volume.id)
        if not os.path.exists(source):
            raise store.VolumeFileError(f"The file of volume {volume.id} is missing.")
        file_format = store.copy_file(source, part, volume.file_format)
        os.replace(part, path)
    except (store.VolumeFileError, OSError) as exc:
        store.remove_snapshot_file(snapshot.id)
        log.warning("snapshot %s: creation failed: %s", snapshot.id, exc)
        _cas(snapshot.id, Q(status="creating"), status="error", error_message=str(exc)[:2000])
    else:
        _cas(snapshot.id, Q(status="creating"), status="available", progress="100%", file_format=file_format)
    snapshot.refresh_from_db()
    return snapshot


def delete(snapshot: Snapshot, *, force: bool = False) -> None:
    """available | error (any status with `force`, Cinder's os-force_delete) -> deleting ->
    file and row gone; error_deleting when the file cannot be removed. BadRequest (Cinder's
    InvalidSnapshot) in any other status; deleting a snapshot already gone is a no-op."""
    expected = Q() if force else Q(status__in=Snapshot.DELETABLE)
    if not _cas(snapshot.id, expected, status="deleting"):
        if not Snapshot.objects.filter(id=snapshot.id).exists():
            return
        raise BadRequest(
            "Invalid snapshot: Snapshot status must be available or error and must not be part of a group."
        )
    try:
        store.remove_snapshot_file(snapshot.id)
    except OSError as exc:
        log.warning("snapshot %s: delete failed: %s", snapshot.id, exc)
        _cas(snapshot.id, Q(status="deleting"), status="error_deleting", error_message=str(exc)[:2000])
        return
    Snapshot.objects.filter(id=snapshot.id, status="deleting").delete()


def reset_status(snapshot: Snapshot, status: str) -> Snapshot:
    """Repair (os-reset_status): force any of Cinder's snapshot statuses. Touches no file.
    Who may do it is the service layer's rule."""
    wanted = status.lower()
    if not status or wanted not in Snapshot.RESET_STATUSES:
        raise BadRequest(f"Snapshot status: {status} is invalid, valid statuses are: {Snapshot.RESET_STATUSES}.")
    _cas(snapshot.id, Q(), status=wanted)
    snapshot.refresh_from_db()
    return snapshot
