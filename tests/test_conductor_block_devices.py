"""The conductor's side of block device mappings, in process (no workers): prepare makes
each volume once and reserves it, a volume that cannot be made fails the build with a
fault, and a failed build gives every volume back as its mapping says."""

from __future__ import annotations

import pytest

from identity.models import Project
from novasite.demo import CIRROS_IMAGE_ID
from servers.models import BlockDeviceMapping, Server, VolumeAttachment
from volumes.models import Snapshot, Volume
from workers.conductor import block_devices
from workers.conductor.build import fail_build
from workers.conductor.dispatch import instance_payload

pytestmark = pytest.mark.django_db(transaction=True)

IMAGE = str(CIRROS_IMAGE_ID)


@pytest.fixture(autouse=True)
def volume_dir(settings, tmp_path):
    settings.VOLUME_DIR = str(tmp_path / "volumes")


def create(api, mappings: list[dict], image: str = "") -> Server:
    body = {
        "server": {
            "name": "bdm",
            "imageRef": image,
            "flavorRef": "42",
            "networks": [],
            "block_device_mapping_v2": mappings,
        }
    }
    response = api.post("/compute/v2.1/servers", body, format="json")
    assert response.status_code == 202, response.content
    return Server.objects.get(uuid=response.json()["server"]["id"])


ROOT = {
    "source_type": "image",
    "destination_type": "volume",
    "uuid": IMAGE,
    "boot_index": 0,
    "volume_size": 1,
    "delete_on_termination": True,
}
BLANK = {"source_type": "blank", "destination_type": "volume", "volume_size": 1}


def test_prepare_makes_each_volume_once_and_reserves_it(demo_api):
    server = create(demo_api, [ROOT, BLANK])
    block_devices.prepare(server)
    block_devices.prepare(server)  # a redelivered step makes nothing twice
    volumes = {bdm.boot_index: Volume.objects.get(id=str(bdm.volume_id)) for bdm in server.block_devices.all()}
    assert Volume.objects.count() == 2
    assert volumes[0].bootable and str(volumes[0].source_image_id) == IMAGE and not volumes[None].bootable
    assert {(v.status, v.attached_server_uuid) for v in volumes.values()} == {("attaching", server.uuid)}
    rows = {row.volume_id: row for row in VolumeAttachment.objects.filter(server=server)}
    assert (rows[volumes[0].id].device, rows[volumes[0].id].delete_on_termination) == ("vda", True)
    assert (rows[volumes[None].id].device, rows[volumes[None].id].status) == ("sdb", "attaching")
    payload = instance_payload(server)
    assert payload["root_volume"]["id"] == str(volumes[0].id) and payload["image_path"] is None
    assert [v["id"] for v in payload["volumes"]] == [str(volumes[None].id)]
    block_devices.attached(server)
    assert {Volume.objects.get(id=v.id).status for v in volumes.values()} == {"in-use"}
    assert set(VolumeAttachment.objects.filter(server=server).values_list("status", flat=True)) == {"attached"}


def test_a_volume_over_quota_fails_the_build_with_a_fault(demo_api, settings):
    settings.VOLUME_QUOTA_DEFAULTS = {**settings.VOLUME_QUOTA_DEFAULTS, "volumes": 0}
    server = create(demo_api, [ROOT])
    with pytest.raises(block_devices.BuildVolumeError) as raised:
        block_devices.prepare(server)
    assert "could not be created" in str(raised.value) and "/dev/vda" in str(raised.value)
    fail_build(str(server.uuid), str(raised.value))
    server.refresh_from_db()
    assert server.vm_state == "error" and "could not be created" in server.faults.get().message
    assert not Volume.objects.exists() and BlockDeviceMapping.objects.get(server=server).volume_id is None


def test_a_failed_build_gives_the_volumes_back_as_mapped(demo_api):
    kept = dict(BLANK)
    server = create(demo_api, [ROOT, kept])
    block_devices.prepare(server)
    root, data = (bdm.volume_id for bdm in server.block_devices.order_by("id"))
    fail_build(str(server.uuid), "no host")
    assert not Volume.objects.filter(id=str(root)).exists()  # made for the build, delete_on_termination
    left = Volume.objects.get(id=str(data))
    assert (left.status, left.attached_server_uuid) == ("available", None)
    assert not VolumeAttachment.objects.filter(server=server).exists()


def test_a_root_volume_wins_over_an_image_the_create_named(demo_api):
    server = create(demo_api, [ROOT], image=IMAGE)
    assert server.image_ref == IMAGE
    block_devices.prepare(server)
    payload = instance_payload(server)
    assert payload["image_path"] is None and payload["root_volume"] is not None


def test_a_snapshot_mapping_boots_from_a_copy_of_the_snapshot(demo_api):
    """source_type snapshot → a new volume copied from the snapshot (its size unless the
    mapping asks for more), the server's root; an unavailable snapshot is refused at create."""
    project = Project.objects.get(name="demo").id
    source = demo_api.post(f"/volume/v3/{project}/volumes", {"volume": {"size": 2, "imageRef": IMAGE}}, format="json")
    assert source.status_code == 202, source.content
    snapshot = demo_api.post(
        f"/volume/v3/{project}/snapshots", {"snapshot": {"volume_id": source.json()["volume"]["id"]}}, format="json"
    )
    assert snapshot.status_code == 202, snapshot.content
    snapshot_id = snapshot.json()["snapshot"]["id"]
    mapping = {"source_type": "snapshot", "destination_type": "volume", "uuid": snapshot_id, "boot_index": 0}
    server = create(demo_api, [mapping])
    (bdm,) = server.block_devices.all()
    assert (str(bdm.snapshot_id), bdm.volume_id) == (snapshot_id, None)
    block_devices.prepare(server)
    bdm.refresh_from_db()
    volume = Volume.objects.get(id=str(bdm.volume_id))
    assert (str(volume.snapshot_id), volume.size, volume.status) == (snapshot_id, 2, "attaching")
    assert instance_payload(server)["root_volume"]["id"] == str(volume.id)
    too_small = create_refused(demo_api, [{**mapping, "volume_size": 1}])
    assert too_small == "Volume size 1GB cannot be smaller than the snapshot size 2GB."
    Snapshot.objects.filter(id=snapshot_id).update(status="error")
    refused = create_refused(demo_api, [mapping])
    assert refused.startswith(f"Invalid snapshot: Snapshot {snapshot_id} status must be available")


def create_refused(api, mappings: list[dict]) -> str:
    body = {
        "server": {
            "name": "bdm",
            "imageRef": "",
            "flavorRef": "42",
            "networks": [],
            "block_device_mapping_v2": mappings,
        }
    }
    response = api.post("/compute/v2.1/servers", body, format="json")
    assert response.status_code == 400, response.content
    return response.json()["badRequest"]["message"]
