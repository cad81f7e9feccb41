"""createImage of a volume-backed server, as Nova's compute API snapshot_volume_backed: a
Cinder snapshot of each mapped volume (forced: they are in use), then an image with no data
(size 0, active at once) whose ``block_device_mapping`` property lists the snapshots as
source_type "snapshot" mappings (``bdm_v2`` True), so a server booted from that image gets
new volumes copied from them (servers.services.image_mappings). No compute host is involved:
the work is done before the API answers, as in Nova."""

from __future__ import annotations

import hashlib
import json
import os

from core.exceptions import BadRequest
from core.principal import Caller
from images import store
from images.models import Image
from volumes import snapshots as volume_snapshots
from volumes.models import Volume

from .. import lifecycle
from ..models import BlockDeviceMapping, Server
from .operations import check
from .volume_backed import root_mapping

#: The root device name Nova records for a libvirt guest booted from a virtio disk.
ROOT_DEVICE_NAME = "/dev/vda"


def _image_mapping(bdm: BlockDeviceMapping, snapshot_id: str, volume_size: int) -> dict[str, object]:
    """Nova's block_device.snapshot_from_bdm(...).get_image_mapping(): the template's disk
    fields with the new snapshot as source."""
    return {
        "source_type": "snapshot",
        "destination_type": "volume",
        "snapshot_id": snapshot_id,
        "volume_id": None,
        "image_id": None,
        "boot_index": bdm.boot_index,
        "delete_on_termination": bdm.delete_on_termination,
        "volume_size": bdm.volume_size or volume_size,
        "device_name": bdm.device_name,
        "disk_bus": bdm.disk_bus,
        "device_type": bdm.device_type,
        "guest_format": None,
        "no_device": None,
        "tag": None,
        "volume_type": None,
    }


def create_volume_backed_image(caller: Caller, server: Server, name: str, properties: dict[str, object]) -> Image:
    """Snapshot every volume of a volume-backed server and return the new active, empty image
    carrying the mappings. Refused as createImage is (409 in a wrong state); a volume whose
    snapshot fails is 400 with Cinder's message and no image is made (snapshots already
    taken stay, as in Nova)."""
    check(caller, server, "create_image")
    action = lifecycle.start_action(
        server, "createImage", request_id=caller.request_id, user_id=caller.user_id, project_id=caller.project_id
    )
    try:
        mapping = []
        for bdm in server.block_devices.filter(destination_type="volume").exclude(volume_id=None):
            volume = Volume.objects.filter(id=str(bdm.volume_id)).first()
            if volume is None:
                continue
            snapshot = volume_snapshots.create_snapshot(
                caller,
                volume.project_id,
                volume_snapshots.NewSnapshot(
                    volume_id=str(volume.id),
                    name=f"snapshot for {name}",
                    description=volume.description,
                    force=True,
                ),
            )
            if snapshot.status != "available":
                raise BadRequest(f"Snapshot of volume {volume.id} failed: {snapshot.error_message}")
            mapping.append(_image_mapping(bdm, str(snapshot.id), volume.size))
        props = {k: v for k, v in properties.items() if k not in ("block_device_mapping", "bdm_v2")}
        props["root_device_name"] = ROOT_DEVICE_NAME if root_mapping(server) else props.get("root_device_name")
        if mapping:
            props["block_device_mapping"] = json.dumps(mapping)
            props["bdm_v2"] = True
        image = store.create_image(
            name=name,
            owner=server.project_id,
            visibility="private",
            disk_format="qcow2",
            container_format="bare",
            properties=props,
        )
        # An empty file, so an active image's bytes exist (Nova forces Glance to activate it
        # with empty data).
        os.makedirs(os.path.dirname(store.image_path(image.id)), exist_ok=True)
        open(store.image_path(image.id), "wb").close()
        return store.record_external_upload(
            image, size=0, checksum=hashlib.md5(b"", usedforsecurity=False).hexdigest(), disk_format="qcow2"
        )
    finally:
        lifecycle.finish_action(action.request_id, str(server.uuid))
