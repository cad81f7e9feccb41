"""The volumes of a build's block device mappings, on the conductor's side.

Before the build is cast, ``prepare`` creates the volumes the mappings ask for (from an
image, or blank: creating → available, through volumes.services) and reserves each for the
server (available → attaching) with its VolumeAttachment, as Nova's compute does in
_prep_block_device; a volume the request named was reserved by the API already. The compute
host gets them in the instance payload (the root one as the root disk). A finished build
marks them in-use (``attached``); a failed one gives them back (``release``): a volume made
for the build is deleted when its mapping says delete_on_termination, else left available,
and a volume the user named is available again. Every step is safe to run twice."""

from __future__ import annotations

import functools
import logging

from django.db import transaction

from core.exceptions import Conflict, ServiceError
from core.principal import Caller
from images.models import Image
from servers.models import BlockDeviceMapping, Server, VolumeAttachment
from volumes import services as volume_services
from volumes import store as volume_store
from volumes.models import Volume

log = logging.getLogger(__name__)


class BuildVolumeError(Exception):
    """A volume the build needs could not be made or reserved; the message is the fault's."""


def _owner(server: Server) -> Caller:
    """The server's owner, in whose project (and quota) its volumes are made."""
    return Caller(user_id=server.user_id, project_id=server.project_id)


def _volume_mappings(server: Server) -> list[BlockDeviceMapping]:
    return list(server.block_devices.filter(destination_type="volume").order_by("id"))


def _create(server: Server, bdm: BlockDeviceMapping) -> Volume:
    """Make the mapping's volume and record it on the mapping (one compare-and-swap, so a
    redelivered step never makes two)."""
    from_snapshot = bdm.source_type == "snapshot" and bdm.snapshot_id is not None
    spec = volume_services.NewVolume(
        # A snapshot's copy is the snapshot's size unless the mapping asks for more.
        size=bdm.volume_size or (None if from_snapshot else 1),
        name="",
        image_id=str(bdm.image_id) if bdm.source_type == "image" and bdm.image_id else None,
        snapshot_id=str(bdm.snapshot_id) if from_snapshot else None,
    )
    try:
        volume = volume_services.create_volume(_owner(server), server.project_id, spec)
    except ServiceError as exc:
        raise BuildVolumeError(f"Volume for {bdm.device_name} could not be created: {exc}") from exc
    if not BlockDeviceMapping.objects.filter(pk=bdm.pk, volume_id__isnull=True).update(volume_id=volume.id):
        _delete(volume)  # another delivery of this step made the volume first
        bdm.refresh_from_db()
        return Volume.objects.get(id=str(bdm.volume_id))
    bdm.volume_id = volume.id
    if volume.status != "available":
        raise BuildVolumeError(
            f"Volume {volume.id} did not become available (status {volume.status}): {volume.error_message}"[:255]
        )
    return volume


def prepare(server: Server) -> bool:
    """Create the mappings' missing volumes and reserve each volume for the server with its
    attachment (device from the mapping); returns whether the server maps any volume. Raises
    BuildVolumeError."""
    mappings = _volume_mappings(server)
    for bdm in mappings:
        volume = _create(server, bdm) if bdm.volume_id is None else Volume.objects.filter(id=bdm.volume_id).first()
        if volume is None:
            raise BuildVolumeError(f"Volume {bdm.volume_id} no longer exists.")
        if server.volume_attachments.filter(volume_id=volume.id).exists():
            continue
        with transaction.atomic():
            try:
                volume_store.reserve(volume, server.uuid)
            except Conflict as exc:
                raise BuildVolumeError(str(exc)) from exc
            VolumeAttachment.objects.create(
                server=server,
                volume_id=volume.id,
                device=(bdm.device_name or "").removeprefix("/dev/") or None,
                status="attaching",
                delete_on_termination=bdm.delete_on_termination,
            )
    return bool(mappings)


def _build_attachments(server: Server) -> list[VolumeAttachment]:
    volume_ids = [bdm.volume_id for bdm in _volume_mappings(server) if bdm.volume_id]
    return list(server.volume_attachments.filter(volume_id__in=volume_ids))


def attached(server: Server) -> None:
    """The build finished: its volumes are in-use by the server (attaching → attached)."""
    for row in _build_attachments(server):
        if row.status != "attaching":
            continue
        volume = Volume.objects.filter(id=row.volume_id).first()
        try:
            if volume is not None:
                volume_store.mark_in_use(volume, server.uuid)
        except Conflict as exc:  # reset by an admin meanwhile: that wins
            log.warning("volume %s of %s: %s", row.volume_id, server.uuid, exc)
        VolumeAttachment.objects.filter(pk=row.pk, status="attaching").update(status="attached")


def release(server: Server) -> None:
    """The build failed for good: detach every volume of its mappings. A volume made for the
    build is deleted when its mapping says delete_on_termination (else left available, or in
    error if it never became available); a volume the user named is available again."""
    made = {bdm.volume_id: bdm for bdm in _volume_mappings(server) if bdm.volume_id and bdm.made_for_server}
    for row in _build_attachments(server):
        volume = Volume.objects.filter(id=row.volume_id).first()
        if volume is not None:
            try:
                volume_store.mark_available(volume, server.uuid)
            except Conflict as exc:
                log.warning("volume %s of failed build %s: %s", volume.id, server.uuid, exc)
        row.delete()
    for volume_id, bdm in made.items():
        volume = Volume.objects.filter(id=volume_id).first()
        if volume is not None and bdm.delete_on_termination:
            transaction.on_commit(functools.partial(_delete, volume))


def _delete(volume: Volume) -> None:
    try:
        volume_store.delete_volume(volume)
    except ServiceError as exc:  # attached again or reset meanwhile: it stays as it is
        log.warning("volume %s of a failed build not deleted: %s", volume.id, exc)


def reimage_root(server: Server, image_id: str) -> None:
    """Write image ``image_id`` over the server's root volume (a rebuild of a volume-backed
    server from 2.93, as Nova's compute asks Cinder to re-image it); the volume stays
    attached. Raises BuildVolumeError with the fault's message when it cannot be done (the
    volume then says error, or is untouched when it was not this server's)."""
    root = server.block_devices.filter(boot_index=0, destination_type="volume").first()
    volume = Volume.objects.filter(id=str(root.volume_id)).first() if root and root.volume_id else None
    image = Image.objects.filter(id=image_id, status="active").first()
    if volume is None or image is None:
        raise BuildVolumeError(f"The root volume of server {server.uuid} or image {image_id} no longer exists.")
    try:
        volume_store.reimage(volume, image, server.uuid, volume_services.image_metadata(image))
    except (volume_store.VolumeFileError, Conflict) as exc:
        raise BuildVolumeError(str(exc)) from exc
