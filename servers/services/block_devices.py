"""Block device mappings of a create (Nova's BDM v2): parsed from the request, checked as
Nova's API checks them (nova/block_device.py, compute/api.py _validate_bdm), and recorded
with each server. A volume the request names is reserved at once (Cinder's attachment
create); volumes made from an image or blank are created by the conductor during the build
(workers/conductor/block_devices.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.exceptions import BadRequest, Conflict
from core.ids import parse_uuid
from core.principal import Caller
from images.models import Image
from volumes import store as volume_store
from volumes.models import Snapshot, Volume
from volumes.services import visible_snapshots

from ..models import BlockDeviceMapping, Server, VolumeAttachment
from .attachments import VOLUME_DEVICES
from .lookup import visible_images

GIB = 1024**3
#: The device of the root disk (the libvirt driver's virtio root, workers/virt/libvirt/xml.py).
ROOT_DEVICE = "vda"
INVALID = "Block Device Mapping is Invalid"
BOOT_SEQUENCE = f"{INVALID}: Boot sequence for the instance and image/block device mapping combination is not valid."


@dataclass(frozen=True)
class BlockDevice:
    """One requested mapping, normalised (``uuid`` is the source's id; none for blank)."""

    source_type: str
    destination_type: str
    boot_index: int | None = None
    uuid: str | None = None
    volume_size: int | None = None
    delete_on_termination: bool = False
    device_name: str | None = None
    disk_bus: str | None = None
    device_type: str | None = None
    guest_format: str | None = None
    tag: str | None = None
    volume_type: str | None = None


def _invalid(details: str) -> BadRequest:
    return BadRequest(f"{INVALID}: {details}")


def _int_or_none(value: object, message: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        raise _invalid(message) from None


def parse_v2(entries: list[dict]) -> list[BlockDevice]:
    """``block_device_mapping_v2`` (already checked against Nova's JSON schema) as
    BlockDevices, with Nova's format rules (BlockDeviceDict.from_api and _validate)."""
    parsed = []
    for entry in entries:
        source = entry.get("source_type") or "volume"
        uuid = entry.get("uuid")
        if source == "blank" and uuid:
            raise _invalid("Invalid device UUID.")
        if source != "blank" and not uuid:
            raise _invalid("Missing device UUID.")
        destination = entry.get("destination_type") or ("local" if source in ("image", "blank") else "volume")
        boot_index = _int_or_none(entry.get("boot_index"), "Boot index is invalid.")
        if source == "image" and destination == "local" and boot_index != 0:
            raise _invalid("Mapping image to local is not supported.")
        device_name = entry.get("device_name")
        if device_name is not None and (not device_name.strip() or " " in device_name):
            raise _invalid("Device name contains spaces." if " " in device_name else "Device name empty or too long.")
        parsed.append(
            BlockDevice(
                source_type=source,
                destination_type=destination,
                boot_index=boot_index if boot_index is None or boot_index >= 0 else None,
                uuid=str(uuid) if uuid else None,
                volume_size=_int_or_none(entry.get("volume_size"), "Invalid volume_size."),
                delete_on_termination=bool(entry.get("delete_on_termination", False)),
                device_name=device_name,
                disk_bus=entry.get("disk_bus"),
                device_type=entry.get("device_type"),
                guest_format=entry.get("guest_format"),
                tag=entry.get("tag"),
                volume_type=entry.get("volume_type"),
            )
        )
    return parsed


def parse_legacy(entries: list[dict], has_image: bool) -> list[BlockDevice]:
    """The legacy ``block_device_mapping``: each entry with a volume_id is that volume; the
    first one is the root disk when no image is given (Nova's from_legacy names the root by
    device name; a volume-only create has one boot volume); a snapshot_id is a new volume
    copied from that snapshot, as in v2."""
    parsed = []
    for index, entry in enumerate(entries):
        if entry.get("no_device"):
            continue
        if entry.get("snapshot_id"):
            parsed.append(BlockDevice("snapshot", "volume", uuid=str(entry["snapshot_id"])))
            continue
        if not entry.get("volume_id"):
            raise _invalid("Unrecognized legacy format.")
        parsed.append(
            BlockDevice(
                "volume",
                "volume",
                boot_index=0 if index == 0 and not has_image else None,
                uuid=str(entry["volume_id"]),
                delete_on_termination=bool(entry.get("delete_on_termination", False)),
                device_name=entry.get("device_name"),
            )
        )
    return parsed


def boot_device(mappings: list[BlockDevice]) -> BlockDevice | None:
    """The mapping with boot_index 0, if any."""
    return next((bdm for bdm in mappings if bdm.boot_index == 0), None)


def image_from_mappings(mappings: list[BlockDevice]) -> str:
    """The image of an image boot named only by a mapping (image → local, boot_index 0)."""
    root = boot_device(mappings)
    if root is not None and root.source_type == "image" and root.destination_type == "local":
        return root.uuid or ""
    return ""


def _image(caller: Caller, image_id: str) -> Image:
    key = parse_uuid(image_id)
    image = visible_images(caller).filter(id=key).first() if key else None
    if image is None or image.status != "active":
        raise _invalid(f"failed to get image {image_id}.")
    return image


def _volume(caller: Caller, volume_id: str) -> Volume:
    key = parse_uuid(volume_id)
    volumes = Volume.objects.filter(id=key) if key else Volume.objects.none()
    if not caller.is_admin:
        volumes = volumes.filter(project_id=caller.project_id)
    volume = volumes.first()
    if volume is None:
        raise _invalid(f"failed to get volume {volume_id}.")
    return volume


def _snapshot(caller: Caller, snapshot_id: str) -> Snapshot:
    key = parse_uuid(snapshot_id)
    snapshot = visible_snapshots(caller).filter(id=key).first() if key else None
    if snapshot is None:
        raise _invalid(f"failed to get snapshot {snapshot_id}.")
    if snapshot.status != "available":
        raise BadRequest(
            f"Invalid snapshot: Snapshot {snapshot.id} status must be available, but the current status is "
            f"{snapshot.status}."
        )
    return snapshot


def check(caller: Caller, mappings: list[BlockDevice], image_ref: str, count: int) -> list[BlockDevice]:
    """Nova's checks of a create's mappings against what they name; returns the mappings to
    record (the root of an image boot named by a mapping is the server's image, not a row).
    BadRequest (400) with Nova's messages."""
    boot_indexes = sorted(bdm.boot_index for bdm in mappings if bdm.boot_index is not None)
    if boot_indexes != list(range(len(boot_indexes))) or (not image_ref and not boot_indexes):
        raise BadRequest(BOOT_SEQUENCE)
    if image_ref and any(bdm.boot_index == 0 and bdm.destination_type == "local" for bdm in mappings):
        mappings = [bdm for bdm in mappings if not (bdm.boot_index == 0 and bdm.destination_type == "local")]
    checked = []
    for bdm in mappings:
        if bdm.destination_type == "local":
            # Ephemeral and swap disks from blank mappings: not made by this driver.
            raise _invalid("local block devices other than the image's root disk are not supported.")
        if bdm.source_type == "snapshot":
            snapshot = _snapshot(caller, bdm.uuid or "")
            if bdm.volume_size and bdm.volume_size < snapshot.size:
                raise BadRequest(
                    f"Volume size {bdm.volume_size}GB cannot be smaller than the snapshot size {snapshot.size}GB."
                )
            bdm = replace(bdm, uuid=str(snapshot.id))
        elif bdm.source_type == "image":
            if not bdm.volume_size:
                raise BadRequest("Images with destination_type 'volume' need to have a non-zero size specified")
            image = _image(caller, bdm.uuid or "")
            if image.min_disk > bdm.volume_size:
                raise BadRequest(
                    "Volume is smaller than the minimum size specified in image metadata. Volume size is "
                    f"{bdm.volume_size * GIB} bytes, minimum size is {image.min_disk * GIB} bytes."
                )
        elif bdm.source_type == "blank":
            if not bdm.volume_size:
                raise BadRequest("Blank volumes (source: 'blank', dest: 'volume') need to have non-zero size")
        else:  # an existing volume
            volume = _volume(caller, bdm.uuid or "")
            if count > 1:
                raise BadRequest("Cannot attach one or more volumes to multiple instances")
            if volume.status != "available":
                raise BadRequest(
                    f"Invalid volume: Volume {volume.id} status must be available to reserve, "
                    f"but the current status is {volume.status}."
                )
            if bdm.boot_index == 0 and not volume.bootable:
                raise BadRequest(f"Block Device {volume.id} is not bootable.")
            bdm = replace(bdm, uuid=str(volume.id))
        checked.append(bdm)
    if sum(1 for bdm in checked if bdm.uuid and bdm.source_type == "volume") != len(
        {bdm.uuid for bdm in checked if bdm.source_type == "volume"}
    ):
        raise _invalid("a volume is mapped more than once.")
    return checked


def _next_device(taken: set[str]) -> str:
    device = next((name for name in VOLUME_DEVICES if name not in taken), None)
    if device is None:
        raise BadRequest("Too many block devices: no free device name.")
    return device


def record(server: Server, mappings: list[BlockDevice]) -> None:
    """Write the server's mappings; reserve each existing volume for it (available →
    attaching) with its VolumeAttachment, the root one as ``vda``. Runs in the create's
    transaction, so a refusal (the volume taken meanwhile: 400) writes nothing."""
    taken: set[str] = set()
    for bdm in mappings:
        device = ROOT_DEVICE if bdm.boot_index == 0 else _next_device(taken)
        taken.add(device)
        BlockDeviceMapping.objects.create(
            server=server,
            source_type=bdm.source_type,
            destination_type=bdm.destination_type,
            boot_index=bdm.boot_index,
            delete_on_termination=bdm.delete_on_termination,
            volume_size=bdm.volume_size,
            device_name=f"/dev/{device}",
            volume_id=bdm.uuid if bdm.source_type == "volume" else None,
            image_id=bdm.uuid if bdm.source_type == "image" else None,
            snapshot_id=bdm.uuid if bdm.source_type == "snapshot" else None,
            disk_bus=bdm.disk_bus,
            device_type=bdm.device_type,
            guest_format=bdm.guest_format,
            tag=bdm.tag,
            volume_type=bdm.volume_type,
        )
        if bdm.source_type == "volume":
            volume = Volume.objects.get(id=str(bdm.uuid))
            try:
                volume_store.reserve(volume, server.uuid)
            except Conflict as exc:
                raise BadRequest(f"Invalid volume: {exc}") from exc
            VolumeAttachment.objects.create(
                server=server,
                volume_id=volume.id,
                device=device,
                status="attaching",
                delete_on_termination=bdm.delete_on_termination,
            )
