"""createImage and createBackup: the image record exists before the API answers; the
compute host writes the disk bytes; the conductor marks the image active (or killed)."""

from __future__ import annotations

from django.db import transaction

from core.exceptions import BadRequest
from core.principal import Caller
from images import store
from images.models import Image

from ..models import Server
from .operations import Operation, begin
from .volume_backed import is_volume_backed
from .volume_snapshots import create_volume_backed_image


def _properties(server: Server, image_type: str, extra: dict[str, object] | None = None) -> dict[str, object]:
    return {
        "image_type": image_type,
        "instance_uuid": str(server.uuid),
        "base_image_ref": server.image_ref,
        "user_id": server.user_id,
        **(extra or {}),
    }


def check_name(name: object, max_length: int | None = None) -> str:
    """A snapshot's name: not blank (and at most ``max_length`` characters)."""
    if not isinstance(name, str) or not name.strip() or (max_length is not None and len(name) > max_length):
        raise BadRequest("Invalid input for field/attribute name.")
    return name


def create_image(caller: Caller, server: Server, name: str, metadata: dict[str, object] | None = None) -> Image:
    """Snapshot the server into a new private image of its project (for a volume-backed
    server, snapshots of its volumes and an empty image mapping them, as Nova)."""
    name = check_name(name, max_length=255)
    if is_volume_backed(server):
        return create_volume_backed_image(caller, server, name, _properties(server, "snapshot", metadata))
    with transaction.atomic():
        image = store.create_image(
            name=name,
            owner=server.project_id,
            visibility="private",
            disk_format="qcow2",
            container_format="bare",
            properties=_properties(server, "snapshot", metadata),
        )
        begin(
            caller,
            server,
            Operation("create_image", "conductor.snapshot_server", {"image_id": str(image.id), "backup": None}),
        )
    return image


def create_backup(
    caller: Caller,
    server: Server,
    name: str,
    backup_type: str,
    rotation: int,
    metadata: dict[str, object] | None = None,
) -> Image:
    """A snapshot tagged as a backup; beyond `rotation` backups of that type, the oldest go."""
    if not backup_type:
        raise BadRequest("Invalid input for field/attribute backup_type.")
    if rotation < 0:
        raise BadRequest("Invalid input for field/attribute rotation: must be >= 0.")
    name = check_name(name)
    if is_volume_backed(server):
        raise BadRequest("Backup is not supported for volume-backed instances.")
    with transaction.atomic():
        image = store.create_image(
            name=name,
            owner=server.project_id,
            visibility="private",
            disk_format="qcow2",
            container_format="bare",
            properties=_properties(server, "backup", {**(metadata or {}), "backup_type": backup_type}),
        )
        begin(
            caller,
            server,
            Operation(
                "create_backup",
                "conductor.snapshot_server",
                {"image_id": str(image.id), "backup": {"backup_type": backup_type, "rotation": rotation}},
            ),
        )
    return image
