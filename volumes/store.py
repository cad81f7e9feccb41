"""The volume store: the one home of volume files and volume status changes (as
images.store is for images). The service layer (volumes.services) decides who may do what
and checks quotas; the conductor calls the attachment states directly.

A volume is a file, settings.VOLUME_DIR/<id>: qcow2 made with qemu-img when it is installed,
else a sparse raw file (truncate). Every status change is a compare-and-swap (a conditional
UPDATE on the expected status), so two callers can never both win, e.g. two attaches:

    creating --> available | error            write_new (blank or from an image)
    available --> extending --> available | error   begin_extending + finish_extending
    available --> attaching --> in-use         reserve + mark_in_use (or mark_in_use at once)
    in-use --> detaching --> available         begin_detaching + mark_available
    available | error --> deleting --> (row and file gone)   delete_volume (no snapshots left,
                                                            or cascade: they go first)

Snapshot files (settings.VOLUME_DIR/snapshots/<id>) are written by `copy_file`, the one home
of snapshot copies; their status changes are volumes.snapshot_store's.

The file work runs synchronously in the caller (the API request, for now): files are sparse
and small, so create, extend and delete take milliseconds. The row is written first with
status creating/extending/deleting, so moving the file work to a Celery task later changes
no status rule. A failure of the file work leaves status "error" with `error_message`; the
request itself still succeeds (202), as in Cinder, whose work is asynchronous anyway.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.exceptions import BadRequest, Conflict
from core.ids import require_uuid
from images import store as image_store
from images.models import Image

from .models import Snapshot, Volume

log = logging.getLogger(__name__)

GiB = 1 << 30
QEMU_IMG_TIMEOUT = 600


class VolumeFileError(Exception):
    """The file work (qemu-img, truncate, copy) failed; the message is shown to the user."""


def volume_path(volume_id: str | uuid.UUID) -> str:
    """Where the file of volume `volume_id` lives (whether or not it exists yet)."""
    return os.path.join(settings.VOLUME_DIR, str(volume_id))


def qemu_img() -> str | None:
    """The qemu-img binary, or None (then volumes are sparse raw files)."""
    return shutil.which("qemu-img")


def _cas(volume_id: uuid.UUID, expected: Q, **changes: Any) -> bool:
    """One conditional UPDATE: apply `changes` only if the row still matches `expected`."""
    return bool(Volume.objects.filter(expected, id=volume_id).update(**changes, updated_at=timezone.now()))


def _server(server_uuid: str | uuid.UUID) -> uuid.UUID:
    return require_uuid(server_uuid, ValueError(f"not a server UUID: {server_uuid!r}"))


# --- file work ------------------------------------------------------------------------------


def _run(*command: str) -> None:
    try:
        subprocess.run(command, capture_output=True, timeout=QEMU_IMG_TIMEOUT, check=True)
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode(errors="replace").strip().splitlines()
        raise VolumeFileError(f"{command[1]} failed: {detail[-1] if detail else exc.returncode}") from exc
    except (OSError, subprocess.SubprocessError) as exc:
        raise VolumeFileError(f"{command[0]} {command[1]} failed: {exc}") from exc


def _write_blank(part: str, size: int) -> str:
    binary = qemu_img()
    if binary:
        _run(binary, "create", "-q", "-f", "qcow2", part, str(size * GiB))
        return "qcow2"
    with open(part, "wb") as handle:
        handle.truncate(size * GiB)
    return "raw"


def _write_from_image(part: str, size: int, image: Image) -> str:
    source = image_store.image_path(image.id)
    if not os.path.exists(source):
        raise VolumeFileError(f"Image {image.id} has no data.")
    source_format = image_store.QEMU_FORMATS.get(image.disk_format or "raw")
    if source_format is None:
        raise VolumeFileError(f"Image disk format {image.disk_format} cannot be written to a volume.")
    binary = qemu_img()
    if binary is None:
        if source_format != "raw":
            raise VolumeFileError(f"qemu-img is needed to convert a {image.disk_format} image.")
        shutil.copyfile(source, part)
        with open(part, "r+b") as handle:
            handle.truncate(size * GiB)
        return "raw"
    info = image_store.inspect(source, image.disk_format)
    if info is None:
        raise VolumeFileError(f"Image {image.id} is not a readable {image.disk_format} image.")
    specific = (info.get("format-specific") or {}).get("data") or {}
    if info.get("backing-filename") or info.get("full-backing-filename") or specific.get("data-file"):
        raise VolumeFileError(f"Image {image.id} refers to other files (backing or data file); refused.")
    _run(binary, "convert", "-q", "-f", source_format, "-O", "qcow2", source, part)
    _run(binary, "resize", "-q", "-f", "qcow2", part, str(size * GiB))
    return "qcow2"


def _write_from_file(part: str, size: int, source: str, source_format: str) -> str:
    """A copy of another volume-store file (a snapshot), grown to `size` GiB."""
    if not os.path.exists(source):
        raise VolumeFileError("The source file is missing.")
    binary = qemu_img()
    if binary is None:
        if source_format != "raw":
            raise VolumeFileError(f"qemu-img is needed to copy a {source_format} file.")
        copy_file(source, part, "raw")
        with open(part, "r+b") as handle:
            handle.truncate(size * GiB)
        return "raw"
    _run(binary, "convert", "-q", "-f", source_format, "-O", "qcow2", source, part)
    _run(binary, "resize", "-q", "-f", "qcow2", part, str(size * GiB))
    return "qcow2"


def copy_file(source: str, destination: str, file_format: str) -> str:
    """Copy a volume file to `destination`, a standalone file of the same format (returned).

    This is the one home of snapshot copies. With qemu-img, ``qemu-img convert`` reads the
    image through QEMU's block layer: the result is a full, self-contained image (no backing
    file), and qemu-img takes QEMU's image lock, so while a running QEMU has the file open
    for writing the copy is refused rather than taken torn (the caller records the error).
    Without qemu-img (raw files only), ``cp --sparse=always --reflink=auto`` copies the
    holes as holes, and clones the extents at once on a filesystem that can."""
    binary = qemu_img()
    if binary is not None:
        _run(binary, "convert", "-q", "-f", file_format, "-O", file_format, source, destination)
        return file_format
    if file_format != "raw":
        raise VolumeFileError(f"qemu-img is needed to copy a {file_format} file.")
    _run("cp", "--sparse=always", "--reflink=auto", source, destination)
    return "raw"


def _resize(volume: Volume, size: int) -> None:
    path = volume_path(volume.id)
    if not os.path.exists(path):
        raise VolumeFileError(f"The file of volume {volume.id} is missing.")
    binary = qemu_img()
    if binary:
        _run(binary, "resize", "-q", "-f", volume.file_format, path, str(size * GiB))
    elif volume.file_format == "raw":
        with open(path, "r+b") as handle:
            handle.truncate(size * GiB)
    else:
        raise VolumeFileError("qemu-img is needed to resize a qcow2 volume.")


def snapshot_path(snapshot_id: str | uuid.UUID) -> str:
    """Where the file of snapshot `snapshot_id` lives (whether or not it exists yet)."""
    return os.path.join(settings.VOLUME_DIR, "snapshots", str(snapshot_id))


def remove_snapshot_file(snapshot_id: str | uuid.UUID) -> None:
    """Remove a snapshot's file and any partial copy (absent files are fine)."""
    for path in (snapshot_path(snapshot_id), snapshot_path(snapshot_id) + ".part"):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def _remove_files(volume_id: str | uuid.UUID) -> None:
    for path in (volume_path(volume_id), volume_path(volume_id) + ".part"):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


# --- lifecycle ------------------------------------------------------------------------------


def write_new(volume: Volume, image: Image | None, source: tuple[str, str] | None = None) -> Volume:
    """creating -> available (the file written, blank, holding `image`'s disk, or a copy of
    `source`, a (path, format) such as a snapshot's file) or error (with error_message) when
    the file work fails."""
    os.makedirs(settings.VOLUME_DIR, exist_ok=True)
    part = volume_path(volume.id) + ".part"
    try:
        if source is not None:
            file_format = _write_from_file(part, volume.size, *source)
        elif image is not None:
            file_format = _write_from_image(part, volume.size, image)
        else:
            file_format = _write_blank(part, volume.size)
        os.replace(part, volume_path(volume.id))
    except (VolumeFileError, OSError) as exc:
        _remove_files(volume.id)
        log.warning("volume %s: creation failed: %s", volume.id, exc)
        _cas(volume.id, Q(status="creating"), status="error", error_message=str(exc)[:2000])
    else:
        _cas(volume.id, Q(status="creating"), status="available", file_format=file_format)
    volume.refresh_from_db()
    return volume


def begin_extending(volume: Volume) -> None:
    """available (still of the size the caller saw) -> extending; Conflict otherwise."""
    if not _cas(volume.id, Q(status="available", size=volume.size), status="extending"):
        volume.refresh_from_db()
        raise Conflict(f"Volume status must be available to extend, but current status is: {volume.status}.")


def finish_extending(volume: Volume, new_size: int) -> Volume:
    """extending -> available at `new_size` GiB once the file is resized, or error."""
    try:
        _resize(volume, new_size)
    except (VolumeFileError, OSError) as exc:
        log.warning("volume %s: extend failed: %s", volume.id, exc)
        _cas(volume.id, Q(status="extending"), status="error", error_message=str(exc)[:2000])
    else:
        _cas(volume.id, Q(status="extending"), status="available", size=new_size)
    volume.refresh_from_db()
    return volume


# Cinder's InvalidVolume when a volume still has snapshots (cinder/volume/api.py, delete).
HAS_SNAPSHOTS = (
    "Invalid volume: Volume status must be available or error and must not be migrating, attached, "
    "belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots "
    "after volume transfer."
)


def delete_volume(volume: Volume, *, cascade: bool = False) -> None:
    """Remove the file and the row. BadRequest while the volume is attached (or busy creating
    or extending), or while it has snapshots: Cinder's InvalidVolume, a 400. With `cascade`
    the snapshots go first, if every one is available or error (else BadRequest, nothing
    changed). Deleting a volume already gone is a no-op.

    The volume's row lock orders this against a snapshot's creation, which takes the same
    lock before it inserts (volumes.snapshot_store.begin): a snapshot cannot appear between
    the check and the delete."""
    with transaction.atomic():
        current = Volume.objects.select_for_update().filter(id=volume.id).values_list("status", flat=True).first()
        if current is None or current == "deleting":
            return
        if current not in ("available", "error"):
            raise BadRequest(
                f"Invalid volume: Volume {volume.id} status must be available or error to be deleted, "
                f"but it is {current}."
            )
        snapshots = Snapshot.objects.filter(volume_id=volume.id)
        doomed: list[uuid.UUID] = []
        if snapshots.exists():
            if not cascade:
                raise BadRequest(HAS_SNAPSHOTS)
            if snapshots.exclude(status__in=(*Snapshot.DELETABLE, "deleting")).exists():
                raise BadRequest("Invalid volume: Failed to update snapshot.")
            doomed = list(snapshots.values_list("id", flat=True))
            snapshots.update(status="deleting", updated_at=timezone.now())
        _cas(volume.id, Q(), status="deleting")
    for snapshot_id in doomed:
        remove_snapshot_file(snapshot_id)
    Snapshot.objects.filter(id__in=doomed).delete()
    _remove_files(volume.id)
    Volume.objects.filter(id=volume.id, status="deleting").delete()


def reset_status(volume: Volume, status: str) -> Volume:
    """Repair (os-reset_status): force a status; leaving the attached states forgets the
    holder. Touches no file. Who may do it is the service layer's rule."""
    if status not in Volume.STATUSES:
        raise BadRequest(f"Invalid status {status!r}: one of {', '.join(Volume.STATUSES)}.")
    changes: dict[str, Any] = {"status": status}
    if status not in Volume.ATTACHED:
        changes.update(attached_server_uuid=None, attached_at=None)
    _cas(volume.id, Q(), **changes)
    volume.refresh_from_db()
    return volume


# --- attachment states (the conductor's side of attach and detach) ------------------------


def _swap(volume: Volume, allowed: Q, action: str, **changes: Any) -> Volume:
    if not _cas(volume.id, allowed, **changes):
        current = Volume.objects.filter(id=volume.id).values("status", "attached_server_uuid").first()
        if current is None:
            raise Conflict(f"Volume {volume.id} no longer exists.")
        holder = f" (held by server {current['attached_server_uuid']})" if current["attached_server_uuid"] else ""
        raise Conflict(f"Cannot {action} volume {volume.id}: its status is {current['status']}{holder}.")
    volume.refresh_from_db()
    return volume


def reserve(volume: Volume, server_uuid: str | uuid.UUID) -> Volume:
    """available -> attaching, held by `server_uuid` (the API's step before the conductor
    attaches). Idempotent for the same server; Conflict otherwise."""
    server = _server(server_uuid)
    allowed = Q(status="available") | Q(status="attaching", attached_server_uuid=server)
    return _swap(volume, allowed, "reserve", status="attaching", attached_server_uuid=server)


def mark_in_use(volume: Volume, server_uuid: str | uuid.UUID) -> Volume:
    """available, or attaching/detaching by this server (a finished attach, a failed detach
    rolled back) -> in-use by `server_uuid`. Of two callers for different servers exactly
    one wins; the other gets Conflict. Idempotent for the winner."""
    server = _server(server_uuid)
    allowed = Q(status="available") | Q(status__in=Volume.ATTACHED, attached_server_uuid=server)
    return _swap(volume, allowed, "attach", status="in-use", attached_server_uuid=server, attached_at=timezone.now())


def begin_detaching(volume: Volume, server_uuid: str | uuid.UUID | None = None) -> Volume:
    """in-use -> detaching (by `server_uuid` when given). Idempotent; Conflict otherwise."""
    allowed = Q(status__in=("in-use", "detaching"))
    if server_uuid is not None:
        allowed &= Q(attached_server_uuid=_server(server_uuid))
    return _swap(volume, allowed, "detach", status="detaching")


def mark_available(volume: Volume, server_uuid: str | uuid.UUID | None = None) -> Volume:
    """attaching, in-use or detaching (held by `server_uuid` when given) -> available, holder
    cleared: a finished detach, or a failed attach rolled back. Idempotent when already
    available; Conflict in any other state."""
    held = Q(status__in=Volume.ATTACHED)
    if server_uuid is not None:
        held &= Q(attached_server_uuid=_server(server_uuid))
    allowed = held | Q(status="available")
    return _swap(volume, allowed, "release", status="available", attached_server_uuid=None, attached_at=None)


def reimage(volume: Volume, image: Image, server_uuid: str | uuid.UUID, metadata: dict[str, str]) -> Volume:
    """Cinder's os-reimage of a root volume in use by ``server_uuid`` (Nova's rebuild of a
    volume-backed server from 2.93): ``image``'s disk written over the volume's file, which
    keeps its id, size and attachment, and the volume then remembers the new image
    (``metadata``: its volume_image_metadata). The new file replaces the old one at once (written beside it
    first), so a failure leaves the old disk: the volume goes to error with error_message
    and VolumeFileError is raised. Conflict when the volume is not in use by that server."""
    held = Q(status="in-use", attached_server_uuid=_server(server_uuid))
    if not Volume.objects.filter(held, id=volume.id).exists():
        raise Conflict(f"Cannot re-image volume {volume.id}: it is not in use by server {server_uuid}.")
    part = volume_path(volume.id) + ".reimage.part"
    try:
        file_format = _write_from_image(part, volume.size, image)
        os.replace(part, volume_path(volume.id))
    except (VolumeFileError, OSError) as exc:
        if os.path.exists(part):
            os.remove(part)
        _cas(volume.id, held, status="error", error_message=str(exc)[:2000])
        raise VolumeFileError(f"Re-image of volume {volume.id} failed: {exc}") from exc
    _cas(volume.id, held, file_format=file_format, source_image_id=image.id, image_metadata=metadata)
    volume.refresh_from_db()
    return volume
