"""The volume service layer (a Cinder v3 subset): who may see and change which volume, the
quota check, and the order of the work. Functions take a ``core.principal.Caller`` and
typed arguments; the files and the status changes are ``volumes.store``'s.

Every URL names a project (/volume/v3/{project_id}/...). It must be the token's, as Cinder
requires; admins may name any existing project and then act in it. A member sees its
project's volumes only; an admin sees every volume."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core import policy
from core.exceptions import BadRequest, Conflict, NotFound
from core.ids import parse_uuid
from core.paging import NEWEST_FIRST, SortKey, keyset_page
from core.principal import Caller
from core.unset import UNSET, Unset
from identity.lookup import project_exists
from images import access as image_access
from images import store as image_store
from images.models import Image

from . import quotas, store
from .models import Snapshot, Volume


@dataclass(frozen=True)
class NewVolume:
    """A volume to create: blank, holding the disk of the image ``image_id``, or a copy of
    the snapshot ``snapshot_id`` (``size`` None: the snapshot's size)."""

    size: int | None
    name: str | None = None
    description: str | None = None
    metadata: dict[str, str] | None = None
    image_id: str | None = None
    availability_zone: str | None = None
    snapshot_id: str | None = None


@dataclass(frozen=True)
class VolumeChanges:
    """The user-editable fields an update sets (UNSET: left alone)."""

    name: str | Unset | None = UNSET
    description: str | Unset | None = UNSET
    metadata: dict[str, str] | Unset = UNSET


@dataclass(frozen=True)
class VolumeQuery:
    """A list request: exact-match filters, every project (admins), and a page."""

    limit: int
    name: str | None = None
    status: str | None = None
    project_id: str | None = None
    all_tenants: bool = False
    marker: str | None = None
    #: The order (volumes.api.sorting; each key on an index): newest first unless asked.
    order: tuple[SortKey, ...] = NEWEST_FIRST


@dataclass(frozen=True)
class VolumePage:
    """One page of volumes; ``more`` when rows follow; ``all_tenants`` when every project's
    volumes were listed (the request asked and the caller may)."""

    volumes: list[Volume]
    more: bool
    all_tenants: bool


def project_scope(caller: Caller, project_id: str) -> str:
    """The project in the URL. It must be the token's (else 400, Cinder's "Malformed request
    url"); admins may name any existing project and then act in it."""
    if project_id == caller.project_id:
        return project_id
    if not caller.is_admin:
        raise BadRequest("Malformed request url")
    if not project_exists(project_id):
        raise NotFound(f"Project {project_id} could not be found.")
    return project_id


def visible_volumes(caller: Caller) -> QuerySet[Volume]:
    """The volumes the caller may see: its project's, or any for an admin."""
    return Volume.objects.all() if caller.is_admin else Volume.objects.filter(project_id=caller.project_id)


def visible_snapshots(caller: Caller) -> QuerySet[Snapshot]:
    """The snapshots the caller may see: its project's, or any for an admin."""
    return Snapshot.objects.all() if caller.is_admin else Snapshot.objects.filter(project_id=caller.project_id)


def _require_visible(caller: Caller, volume: Volume) -> None:
    """NotFound unless the caller may see ``volume`` (what get_volume found for it)."""
    if not (caller.is_admin or volume.project_id == caller.project_id):
        raise NotFound(f"Volume {volume.id} could not be found.")


def get_volume(caller: Caller, project_id: str, volume_id: str) -> Volume:
    """The volume, if the caller may see it (NotFound otherwise, also for a non-UUID id)."""
    project_scope(caller, project_id)
    key = parse_uuid(volume_id)
    volume = visible_volumes(caller).filter(id=key).first() if key else None
    if volume is None:
        raise NotFound(f"Volume {volume_id} could not be found.")
    return volume


def list_volumes(caller: Caller, project_id: str, query: VolumeQuery) -> VolumePage:
    """A page of the project's volumes (every project's with all_tenants, for admins),
    in ``query.order``, after ``query.marker``."""
    project = project_scope(caller, project_id)
    everything = query.all_tenants and policy.allows(caller, policy.VOLUME_ALL_TENANTS)
    volumes = Volume.objects.all() if everything else Volume.objects.filter(project_id=project)
    filters = {"name": query.name, "status": query.status, "project_id": query.project_id if everything else None}
    volumes = volumes.filter(**{column: value for column, value in filters.items() if value})
    marker = None
    if query.marker:
        key = parse_uuid(query.marker)
        found = volumes.filter(id=key).first() if key else None
        if found is None:
            raise BadRequest(f"Marker {query.marker} could not be found.")
        marker = {sort.column: getattr(found, sort.column) for sort in query.order}
    rows, more = keyset_page(volumes, query.order, limit=query.limit, marker=marker)
    return VolumePage(rows, more, everything)


def check_image(image: Image, size: int) -> None:
    """BadRequest unless `image` is active and fits in `size` GiB (virtual size, min_disk)."""
    if image.status != "active":
        raise BadRequest(f"Image {image.id} is not active (status {image.status}).")
    virtual = image.virtual_size or image_store.probe_virtual_size(image_store.image_path(image.id), image.disk_format)
    needed = -(-(virtual or image.size or 0) // store.GiB)
    if needed > size:
        raise BadRequest(f"Size of specified image {needed}GB is larger than volume size {size}GB.")
    if image.min_disk > size:
        raise BadRequest(f"Volume size {size}GB cannot be smaller than the image minDisk size {image.min_disk}GB.")


def image_metadata(image: Image) -> dict[str, str]:
    """Cinder's volume_image_metadata: what the volume remembers of its source image."""
    fields = {
        "image_id": str(image.id),
        "image_name": image.name or "",
        "disk_format": image.disk_format or "",
        "container_format": image.container_format or "",
        "checksum": image.checksum or "",
        "size": str(image.size or 0),
        "min_disk": str(image.min_disk),
        "min_ram": str(image.min_ram),
    }
    return {**{key: str(value) for key, value in (image.properties or {}).items()}, **fields}


def _source_image(caller: Caller, image_id: str) -> Image:
    """The image to copy, which the caller must be able to see."""
    try:
        return image_access.find_image(caller, image_id)
    except NotFound:
        raise BadRequest("Invalid image identifier or unable to access requested image.") from None


def _source_snapshot(caller: Caller, snapshot_id: str, size: int | None) -> tuple[Snapshot, int]:
    """The available snapshot to copy (404, Cinder's SnapshotNotFound, unless the caller sees
    it; 400, InvalidSnapshot, unless available) and the new volume's size: the snapshot's
    when none is asked, never smaller (Cinder's InvalidInput, 400)."""
    key = parse_uuid(snapshot_id)
    snapshot = visible_snapshots(caller).select_related("volume").filter(id=key).first() if key else None
    if snapshot is None:
        raise NotFound(f"Snapshot {snapshot_id} could not be found.")
    if snapshot.status != "available":
        raise BadRequest("Invalid snapshot: Originating snapshot status must be one of 'available' values")
    if size is None:
        return snapshot, snapshot.size
    if size < snapshot.size:
        raise BadRequest(
            f"Invalid input received: Volume size '{size}'GB cannot be smaller than the snapshot size "
            f"{snapshot.size}GB. They must be >= original snapshot size."
        )
    return snapshot, size


def create_volume(caller: Caller, project_id: str, spec: NewVolume) -> Volume:
    """Create a volume (blank, holding an image's disk, or a copy of a snapshot) within the
    project's quota. Raises BadRequest (image, snapshot, size), NotFound (snapshot) or
    OverLimit before anything is written; a failure of the file work afterwards leaves the
    volume in status error with error_message."""
    project = project_scope(caller, project_id)
    if spec.image_id is not None and spec.snapshot_id is not None:
        raise BadRequest("Invalid input received: Only one of imageRef and snapshot_id may be given.")
    snapshot = None
    if spec.snapshot_id is not None:
        snapshot, size = _source_snapshot(caller, spec.snapshot_id, spec.size)
    elif spec.size is None:
        raise BadRequest("Invalid input for field/attribute size. Value: None. size is required.")
    else:
        size = spec.size
    image = _source_image(caller, spec.image_id) if spec.image_id is not None else None
    if image is not None:
        check_image(image, size)
    source_volume = snapshot.volume if snapshot is not None else None
    with transaction.atomic():
        quotas.reserve(project, volumes=1, gigabytes=size, size=size)
        volume = Volume.objects.create(
            project_id=project,
            user_id=caller.user_id,
            size=size,
            name=spec.name,
            description=spec.description,
            metadata=dict(spec.metadata or {}),
            status="creating",
            bootable=image is not None or bool(source_volume and source_volume.bootable),
            source_image_id=image.id if image is not None else None,
            image_metadata=(
                image_metadata(image)
                if image is not None
                else dict(source_volume.image_metadata if source_volume else {})
            ),
            snapshot_id=snapshot.id if snapshot is not None else None,
            availability_zone=spec.availability_zone
            or (source_volume.availability_zone if source_volume else settings.DEFAULT_AVAILABILITY_ZONE),
        )
    if snapshot is not None:
        return store.write_new(volume, None, (store.snapshot_path(snapshot.id), snapshot.file_format))
    return store.write_new(volume, image)


def update_volume(caller: Caller, volume: Volume, changes: VolumeChanges) -> Volume:
    """Change the user-editable fields of a volume the caller sees (no status rule applies)."""
    _require_visible(caller, volume)
    fields: dict[str, Any] = {
        name: value
        for name, value in (
            ("name", changes.name),
            ("description", changes.description),
            ("metadata", changes.metadata),
        )
        if value is not UNSET
    }
    if not Volume.objects.filter(id=volume.id).update(**fields, updated_at=timezone.now()):
        raise Conflict(f"Volume {volume.id} no longer exists.")
    volume.refresh_from_db()
    return volume


def set_bootable(caller: Caller, volume: Volume, bootable: bool) -> Volume:
    """Set the bootable flag of a volume the caller sees (Cinder's os-set_bootable)."""
    _require_visible(caller, volume)
    if not Volume.objects.filter(id=volume.id).update(bootable=bootable, updated_at=timezone.now()):
        raise Conflict(f"Volume {volume.id} no longer exists.")
    volume.refresh_from_db()
    return volume


def extend_volume(caller: Caller, volume: Volume, new_size: int) -> Volume:
    """Grow an available volume to `new_size` GiB (BadRequest unless it grows, Conflict unless
    available, OverLimit over the gigabytes quota). A failed resize leaves status error."""
    _require_visible(caller, volume)
    if new_size <= volume.size:
        raise BadRequest(
            f"New size for extend must be greater than current size. (current: {volume.size}, extended: {new_size})."
        )
    with transaction.atomic():
        quotas.reserve(volume.project_id, gigabytes=new_size - volume.size, size=new_size)
        store.begin_extending(volume)
    return store.finish_extending(volume, new_size)


def delete_volume(caller: Caller, volume: Volume, *, cascade: bool = False) -> None:
    """Delete a volume the caller sees: BadRequest (Cinder's InvalidVolume) while it is
    attached or busy, or has snapshots (with ``cascade`` they are deleted first, when every
    one is available or error)."""
    _require_visible(caller, volume)
    store.delete_volume(volume, cascade=cascade)


def reset_status(caller: Caller, volume: Volume, status: str) -> Volume:
    """Force a volume's status (admins: volume_extension:volume_admin_actions:reset_status)."""
    _require_visible(caller, volume)
    policy.enforce(caller, policy.VOLUME_RESET_STATUS, project_id=volume.project_id)
    return store.reset_status(volume, status)


@dataclass(frozen=True)
class QuotaUsage:
    """The project's limits and (when asked) what it uses."""

    limits: dict[str, int]
    usage: dict[str, int] | None


def quota_set(
    caller: Caller, project_id: str, target: str, *, defaults: bool = False, usage: bool = False
) -> QuotaUsage:
    """The quotas of project ``target`` (its members, or admins): the defaults, or its
    limits with usage when asked."""
    project_scope(caller, project_id)
    policy.enforce(caller, policy.VOLUME_QUOTAS_SHOW, project_id=target)
    if defaults:
        return QuotaUsage(dict(settings.VOLUME_QUOTA_DEFAULTS), None)
    return QuotaUsage(quotas.limits(target), quotas.usage(target) if usage else None)
