"""The image store: the one home of image bytes and of image status changes.

The API, the conductor (snapshots, backups, shelving) and the admin all go through these
functions. Bytes live in settings.IMAGE_DIR/<image id>; an upload is streamed to
`<id>.part` and renamed into place, so a reader never sees half an image.

Status changes are compare-and-swap (a conditional UPDATE on the expected status), so a
delete racing an upload, or a redelivered conductor task, never leaves a truthless row:

    queued --begin_upload--> saving --finish_upload--> active
                               |  \\--(failure / abort_upload)--> killed (partial file removed)
    any --delete_image--> deleted  (the row stays as a tombstone, the file is removed)

Deletion keeps the row with status "deleted" (Glance's soft delete): servers keep pointing at
the image they were booted from, every API answers 404 for it, and its id is never reused.
Protected images are never deleted: delete_image() returns False for them.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.exceptions import BadRequest, Conflict, OverLimit, ServiceError
from core.ids import require_uuid

from .models import Image

log = logging.getLogger(__name__)

CHUNK = 1 << 20
# Glance's default image_size_cap (1 TiB): an upload larger than this is refused (413).
IMAGE_SIZE_CAP = 1 << 40
QEMU_IMG_TIMEOUT = 60
# qemu-img's name for each Glance disk_format it can read; other formats are opaque bytes.
QEMU_FORMATS = {
    "raw": "raw",
    "iso": "raw",
    "qcow2": "qcow2",
    "vmdk": "vmdk",
    "vdi": "vdi",
    "vhd": "vpc",
    "vhdx": "vhdx",
}


class TooLarge(OverLimit):
    """The upload is over the size cap, or the image storage is full (413)."""


class UnreadableData(BadRequest):
    """The upload's bytes could not be read from the client."""


class StorageError(ServiceError):
    """The bytes could not be written to disk (500)."""


def image_path(image_id: str | uuid.UUID) -> str:
    """Where the bytes of image `image_id` live (whether or not they exist yet)."""
    return os.path.join(settings.IMAGE_DIR, str(image_id))


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _remove_files(image_id: str | uuid.UUID) -> None:
    final = image_path(image_id)
    _remove(final)
    _remove(final + ".part")


def snapshot_properties(
    *, instance_uuid: str, base_image_ref: str | None, image_type: str = "snapshot", backup_type: str | None = None
) -> dict[str, str]:
    """The properties that mark an image as a server's snapshot or backup (as Nova sets them)."""
    properties = {"image_type": image_type, "instance_uuid": str(instance_uuid), "base_image_ref": base_image_ref or ""}
    if backup_type is not None:
        properties["backup_type"] = backup_type
    return properties


def create_image(
    *,
    name: str | None,
    owner: str | None,
    visibility: str = "private",
    disk_format: str | None = None,
    container_format: str | None = None,
    properties: dict | None = None,
    status: str = "queued",
    image_id: str | uuid.UUID | None = None,
    min_disk: int = 0,
    min_ram: int = 0,
    protected: bool = False,
    tags: list[str] | None = None,
) -> Image:
    """Create an image record (no bytes yet unless status says otherwise). Property values are
    stored as strings, as Glance's schema requires. Raises Conflict when `image_id` exists
    (deleted images included: ids are never reused)."""
    fields: dict[str, Any] = {
        "name": name,
        "owner": owner,
        "visibility": visibility,
        "disk_format": disk_format,
        "container_format": container_format,
        "properties": {str(key): "" if value is None else str(value) for key, value in (properties or {}).items()},
        "status": status,
        "min_disk": min_disk,
        "min_ram": min_ram,
        "protected": protected,
        "tags": list(tags or []),
    }
    if image_id is not None:
        fields["id"] = require_uuid(image_id, BadRequest(f"Invalid image id {image_id!r}: expected a UUID."))
        if Image.objects.filter(id=fields["id"]).exists():
            raise Conflict(f"Image with identifier {fields['id']} already exists!")
    return Image.objects.create(**fields)


def update_image(
    image: Image,
    *,
    changes: dict | None = None,
    set_properties: dict[str, str] | None = None,
    remove_properties: list[str] | tuple[str, ...] = (),
) -> Image:
    """Change metadata (name, visibility, min_disk, min_ram, protected, tags, ...) and
    additional properties in one row-locked transaction; returns the fresh image."""
    with transaction.atomic():
        locked = Image.objects.select_for_update().get(id=image.id)
        for field, value in (changes or {}).items():
            setattr(locked, field, value)
        properties = dict(locked.properties or {})
        properties.update(set_properties or {})
        for key in remove_properties:
            properties.pop(key, None)
        locked.properties = properties
        locked.save()
    return locked


def begin_upload(image: Image) -> Image:
    """queued -> saving, or Conflict: exactly one uploader wins an image."""
    if not Image.objects.filter(id=image.id, status="queued").update(updated_at=timezone.now(), status="saving"):
        image.refresh_from_db(fields=["status"])
        raise Conflict(f"Image status transition from {image.status} to saving is not allowed")
    image.refresh_from_db()
    return image


def abort_upload(image: Image) -> Image:
    """queued/saving -> killed and any partial bytes removed (a failed upload or snapshot)."""
    if Image.objects.filter(id=image.id, status__in=("queued", "saving")).update(
        updated_at=timezone.now(), status="killed"
    ):
        _remove_files(image.id)
    image.refresh_from_db()
    return image


def _copy(source: BinaryIO, out: BinaryIO) -> tuple[int, str, str]:
    """Copy in chunks; returns size, md5 and sha512 hex digests."""
    md5, sha512, size = hashlib.md5(usedforsecurity=False), hashlib.sha512(), 0
    while True:
        try:
            chunk = source.read(CHUNK)
        except Exception as exc:  # the client went away or sent a broken body
            raise UnreadableData(f"Error reading image data: {exc}") from exc
        if not chunk:
            return size, md5.hexdigest(), sha512.hexdigest()
        if isinstance(chunk, str):
            chunk = chunk.encode()
        size += len(chunk)
        if size > IMAGE_SIZE_CAP:
            raise TooLarge(f"Image exceeds the storage quota: the upload is over {IMAGE_SIZE_CAP} bytes.")
        md5.update(chunk)
        sha512.update(chunk)
        out.write(chunk)


def finish_upload(image: Image, source: str | os.PathLike | BinaryIO | bytes) -> Image:
    """Write the bytes of a `saving` image (from a path, a file object or bytes) and make it
    active with size, md5 checksum and sha512 hash. On any failure the image is killed, the
    partial file removed, and the error re-raised (UnreadableData 400, TooLarge 413,
    StorageError 500 for a disk error). If the image was deleted meanwhile, the bytes are
    dropped and Conflict is raised."""
    os.makedirs(settings.IMAGE_DIR, exist_ok=True)
    final = image_path(image.id)
    part = final + ".part"
    try:
        if isinstance(source, (bytes, bytearray)):
            source = io.BytesIO(bytes(source))
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as src, open(part, "wb") as out:
                size, md5, sha512 = _copy(src, out)
                out.flush()
                os.fsync(out.fileno())
        else:
            with open(part, "wb") as out:
                size, md5, sha512 = _copy(source, out)
                out.flush()
                os.fsync(out.fileno())
        os.replace(part, final)
    except BaseException as exc:
        Image.objects.filter(id=image.id, status="saving").update(updated_at=timezone.now(), status="killed")
        _remove_files(image.id)
        if isinstance(exc, OSError) and not isinstance(exc, ServiceError):
            full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
            error = (
                TooLarge("Image storage media is full.") if full else StorageError(f"Error writing image data: {exc}")
            )
            raise error from exc
        raise
    virtual = probe_virtual_size(final, image.disk_format)
    done = Image.objects.filter(id=image.id, status="saving").update(
        updated_at=timezone.now(),
        status="active",
        size=size,
        checksum=md5,
        os_hash_algo="sha512",
        os_hash_value=sha512,
        virtual_size=virtual,
    )
    if not done:
        _remove_files(image.id)
        image.refresh_from_db(fields=["status"])
        raise Conflict(f"Image {image.id} changed to {image.status} during the upload; the data was discarded.")
    image.refresh_from_db()
    return image


def upload(image: Image, source: str | os.PathLike | BinaryIO | bytes) -> Image:
    """begin_upload + finish_upload: what PUT /v2/images/{id}/file does."""
    return finish_upload(begin_upload(image), source)


def record_external_upload(
    image: Image, *, size: int, checksum: str, disk_format: str | None, os_hash_value: str | None = None
) -> Image:
    """A compute host wrote image_path(image.id) itself (snapshot, backup, shelve): mark the
    image active with what the host measured. Safe to call twice (a redelivered task) and
    never raises for a lost race: if the image was deleted or killed meanwhile, the orphaned
    file is removed and the image is returned unchanged, so callers check `image.status`."""
    path = image_path(image.id)
    virtual = probe_virtual_size(path, disk_format) if os.path.exists(path) else None
    done = Image.objects.filter(id=image.id, status__in=("queued", "saving")).update(
        updated_at=timezone.now(),
        status="active",
        size=size,
        checksum=checksum,
        disk_format=disk_format,
        virtual_size=virtual,
        os_hash_algo="sha512" if os_hash_value else None,
        os_hash_value=os_hash_value,
    )
    image.refresh_from_db()
    if not done and image.status in ("deleted", "killed"):
        log.info("image %s is %s: dropping the bytes a host wrote for it", image.id, image.status)
        _remove_files(image.id)
    return image


def delete_image(image: Image) -> bool:
    """Tombstone the image (status deleted) and remove its bytes. Returns False, changing
    nothing, when the image is protected (the check and the update are one statement, so a
    concurrent `protected=true` wins). Deleting a deleted image is a no-op returning True."""
    live = Image.objects.filter(id=image.id, protected=False).exclude(status="deleted")
    if live.update(updated_at=timezone.now(), status="deleted"):
        _remove_files(image.id)
        image.refresh_from_db()
        return True
    image.refresh_from_db()
    return image.status == "deleted"


def rotate_backups(*, server_uuid: str | uuid.UUID, backup_type: str, rotation: int, owner: str | None) -> list[str]:
    """Keep the `rotation` newest backups of this type of this server (owned by `owner`) and
    delete the rest, as Nova's createBackup does. Protected backups are skipped. Returns the
    ids deleted, oldest last."""
    if isinstance(rotation, bool) or not isinstance(rotation, int) or rotation < 0:
        raise BadRequest(f"Invalid rotation: {rotation!r}")
    backups = (
        Image.objects.exclude(status="deleted")
        .filter(
            owner=owner,
            properties__image_type="backup",
            properties__instance_uuid=str(server_uuid),
            properties__backup_type=backup_type,
        )
        .order_by("-created_at", "-id")
    )
    deleted = []
    for image in list(backups)[rotation:]:
        if delete_image(image):
            deleted.append(str(image.id))
        else:
            log.info("backup %s of server %s is protected: kept beyond rotation", image.id, server_uuid)
    return deleted


def qemu_img() -> str | None:
    """The qemu-img binary, or None when it is not installed."""
    return shutil.which("qemu-img")


def inspect(path: str, disk_format: str | None) -> dict | None:
    """`qemu-img info --output=json` of a file read as `disk_format` (never probed when the
    format is known), or None when qemu-img is missing or cannot read it."""
    binary = qemu_img()
    qemu_format = QEMU_FORMATS.get(disk_format or "")
    if binary is None or (disk_format and qemu_format is None):
        return None
    command = [binary, "info", "--output=json"] + (["-f", qemu_format] if qemu_format else []) + [path]
    try:
        done = subprocess.run(command, capture_output=True, timeout=QEMU_IMG_TIMEOUT, check=True)
        return json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def probe_virtual_size(path: str, disk_format: str | None) -> int | None:
    """The disk size a guest would see: raw bytes count as is, else qemu-img's virtual-size."""
    if disk_format in ("raw", "iso"):
        try:
            return Path(path).stat().st_size
        except OSError:
            return None
    info = inspect(path, disk_format) if disk_format else None
    return int(info["virtual-size"]) if info and "virtual-size" in info else None
