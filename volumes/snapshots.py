"""The snapshot service layer (Cinder v3 snapshots): who may see and change which snapshot,
the quota check and the order of the work. Functions take a ``core.principal.Caller`` and
typed arguments; the files and the status changes are ``volumes.store``'s and
``volumes.snapshot_store``'s. The project rules are the volumes' (``volumes.services``):
the URL's project must be the token's, admins may name any and see every snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import policy
from core.exceptions import BadRequest, Conflict, NotFound
from core.ids import parse_uuid
from core.paging import NEWEST_FIRST, SortKey, keyset_page
from core.principal import Caller
from core.unset import UNSET, Unset

from . import quotas, snapshot_store
from .models import Snapshot, Volume
from .services import get_volume, project_scope, visible_snapshots


@dataclass(frozen=True)
class NewSnapshot:
    """A snapshot to take of volume ``volume_id``. ``force`` allows an in-use volume (below
    3.66); ``allow_in_use`` is what 3.66 and later always allow."""

    volume_id: str
    name: str | None = None
    description: str | None = None
    metadata: dict[str, str] | None = None
    force: bool = False
    allow_in_use: bool = False


@dataclass(frozen=True)
class SnapshotChanges:
    """The user-editable fields an update sets (UNSET: left alone)."""

    name: str | Unset | None = UNSET
    description: str | Unset | None = UNSET


@dataclass(frozen=True)
class SnapshotQuery:
    """A list request: exact-match filters, every project (admins), and a page."""

    limit: int
    name: str | None = None
    status: str | None = None
    volume_id: str | None = None
    project_id: str | None = None
    all_tenants: bool = False
    marker: str | None = None
    #: The order (volumes.api.sorting; each key on an index): newest first unless asked.
    order: tuple[SortKey, ...] = NEWEST_FIRST


@dataclass(frozen=True)
class SnapshotPage:
    """One page of snapshots; ``more`` when rows follow; ``all_tenants`` when every
    project's snapshots were listed."""

    snapshots: list[Snapshot]
    more: bool
    all_tenants: bool


def _require_visible(caller: Caller, snapshot: Snapshot) -> None:
    if not (caller.is_admin or snapshot.project_id == caller.project_id):
        raise NotFound(f"Snapshot {snapshot.id} could not be found.")


def get_snapshot(caller: Caller, project_id: str, snapshot_id: str) -> Snapshot:
    """The snapshot, if the caller may see it (NotFound otherwise, also for a non-UUID id)."""
    project_scope(caller, project_id)
    key = parse_uuid(snapshot_id)
    snapshot = visible_snapshots(caller).filter(id=key).first() if key else None
    if snapshot is None:
        raise NotFound(f"Snapshot {snapshot_id} could not be found.")
    return snapshot


def list_snapshots(caller: Caller, project_id: str, query: SnapshotQuery) -> SnapshotPage:
    """A page of the project's snapshots (every project's with all_tenants, for admins),
    in ``query.order``, after ``query.marker``."""
    project = project_scope(caller, project_id)
    everything = query.all_tenants and policy.allows(caller, policy.VOLUME_ALL_TENANTS)
    snapshots = Snapshot.objects.all() if everything else Snapshot.objects.filter(project_id=project)
    if query.volume_id is not None:
        volume_key = parse_uuid(query.volume_id)
        snapshots = snapshots.filter(volume_id=volume_key) if volume_key else snapshots.none()
    filters = {"name": query.name, "status": query.status, "project_id": query.project_id if everything else None}
    snapshots = snapshots.filter(**{column: value for column, value in filters.items() if value})
    marker = None
    if query.marker:
        key = parse_uuid(query.marker)
        found = snapshots.filter(id=key).first() if key else None
        if found is None:
            raise BadRequest(f"Marker {query.marker} could not be found.")
        marker = {sort.column: getattr(found, sort.column) for sort in query.order}
    rows, more = keyset_page(snapshots, query.order, limit=query.limit, marker=marker)
    return SnapshotPage(rows, more, everything)


def create_snapshot(caller: Caller, project_id: str, spec: NewSnapshot) -> Snapshot:
    """Snapshot a volume the caller sees: available, or in-use with ``force`` (or at 3.66+).
    Raises NotFound (volume), BadRequest (Cinder's InvalidVolume) or OverLimit (snapshots,
    then gigabytes: the volume's size) before anything is written; a failed copy afterwards
    leaves the snapshot in status error with error_message."""
    project = project_scope(caller, project_id)
    volume: Volume = get_volume(caller, project_id, spec.volume_id)
    allowed = ("available", "in-use") if spec.force or spec.allow_in_use else ("available",)
    with transaction.atomic():
        # Quota lock first, then the volume's row (snapshot_store.begin): the order every
        # writer of both uses, so two of them never wait on each other.
        quotas.reserve(project, snapshots=1, gigabytes=volume.size)
        snapshot = snapshot_store.begin(
            volume,
            allowed=allowed,
            project_id=project,
            user_id=caller.user_id,
            name=spec.name,
            description=spec.description,
            metadata=dict(spec.metadata or {}),
        )
    return snapshot_store.write(snapshot)


def update_snapshot(caller: Caller, snapshot: Snapshot, changes: SnapshotChanges) -> Snapshot:
    """Change the name or description of a snapshot the caller sees (any status)."""
    _require_visible(caller, snapshot)
    fields: dict[str, Any] = {
        name: value
        for name, value in (("name", changes.name), ("description", changes.description))
        if value is not UNSET
    }
    if not Snapshot.objects.filter(id=snapshot.id).update(**fields, updated_at=timezone.now()):
        raise Conflict(f"Snapshot {snapshot.id} no longer exists.")
    snapshot.refresh_from_db()
    return snapshot


def set_metadata(caller: Caller, snapshot: Snapshot, metadata: dict[str, str], *, replace: bool) -> dict[str, str]:
    """Merge ``metadata`` into the snapshot's (replace: it becomes exactly ``metadata``);
    the metadata after the change. The row is locked so two merges never lose a key."""
    _require_visible(caller, snapshot)
    with transaction.atomic():
        current = Snapshot.objects.select_for_update().filter(id=snapshot.id).values_list("metadata", flat=True).first()
        if current is None:
            raise NotFound(f"Snapshot {snapshot.id} could not be found.")
        merged = dict(metadata) if replace else {**(current or {}), **metadata}
        Snapshot.objects.filter(id=snapshot.id).update(metadata=merged, updated_at=timezone.now())
    snapshot.metadata = merged
    return merged


def metadata_not_found(snapshot: Snapshot, key: str) -> NotFound:
    """Cinder's SnapshotMetadataNotFound (404)."""
    return NotFound(f"Metadata key: {key} could not be found for snapshot {snapshot.id}.")


def delete_metadata_key(caller: Caller, snapshot: Snapshot, key: str) -> None:
    """Remove one metadata key (NotFound, Cinder's SnapshotMetadataNotFound, when absent)."""
    _require_visible(caller, snapshot)
    with transaction.atomic():
        current = Snapshot.objects.select_for_update().filter(id=snapshot.id).values_list("metadata", flat=True).first()
        if current is None or key not in current:
            raise metadata_not_found(snapshot, key)
        remaining = {k: v for k, v in current.items() if k != key}
        Snapshot.objects.filter(id=snapshot.id).update(metadata=remaining, updated_at=timezone.now())
    snapshot.metadata = remaining


def delete_snapshot(caller: Caller, snapshot: Snapshot) -> None:
    """Delete a snapshot the caller sees: BadRequest (Cinder's InvalidSnapshot) unless it is
    available or error."""
    _require_visible(caller, snapshot)
    snapshot_store.delete(snapshot)


def force_delete_snapshot(caller: Caller, snapshot: Snapshot) -> None:
    """Delete a snapshot whatever its status (admins: os-force_delete)."""
    _require_visible(caller, snapshot)
    policy.enforce(caller, policy.SNAPSHOT_FORCE_DELETE, project_id=snapshot.project_id)
    snapshot_store.delete(snapshot, force=True)


def reset_snapshot_status(caller: Caller, snapshot: Snapshot, status: str) -> Snapshot:
    """Force a snapshot's status (admins: os-reset_status)."""
    _require_visible(caller, snapshot)
    policy.enforce(caller, policy.SNAPSHOT_RESET_STATUS, project_id=snapshot.project_id)
    return snapshot_store.reset_status(snapshot, status)
