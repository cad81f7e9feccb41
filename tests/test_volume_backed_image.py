"""createImage of a volume-backed server (Nova's snapshot_volume_backed), through the API with
the conductor's block device steps in process: a forced Cinder snapshot of each volume, an
empty active image carrying the mappings, and a server booted from that image gets new
volumes copied from the snapshots."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from images.models import Image
from novasite.demo import CIRROS_IMAGE_ID
from servers.models import Server
from volumes.models import Snapshot, Volume
from workers.conductor import block_devices
from workers.conductor.dispatch import instance_payload

pytestmark = pytest.mark.django_db(transaction=True)

IMAGE = str(CIRROS_IMAGE_ID)
ROOT = {
    "source_type": "image",
    "destination_type": "volume",
    "uuid": IMAGE,
    "boot_index": 0,
    "volume_size": 1,
    "delete_on_termination": True,
}
DATA = {"source_type": "blank", "destination_type": "volume", "volume_size": 2}


@pytest.fixture(autouse=True)
def volume_dir(settings, tmp_path):
    settings.VOLUME_DIR = str(tmp_path / "volumes")


def create(api, mappings: list[dict], image: str = "") -> Server:
    body = {
        "server": {
            "name": "vb",
            "imageRef": image,
            "flavorRef": "42",
            "networks": [],
            "block_device_mapping_v2": mappings,
        }
    }
    response = api.post("/compute/v2.1/servers", body, format="json")
    assert response.status_code == 202, response.content
    return Server.objects.get(uuid=response.json()["server"]["id"])


def running(server: Server) -> Server:
    """The build's volume steps in process, then the server as a finished build leaves it."""
    block_devices.prepare(server)
    block_devices.attached(server)
    Server.objects.filter(pk=server.pk).update(
        vm_state="active", task_state=None, power_state=1, host="compute1", launched_at=timezone.now()
    )
    server.refresh_from_db()
    return server


def create_image(api, server: Server, version: str = "2.45"):
    return api.post(
        f"/compute/v2.1/servers/{server.uuid}/action",
        {"createImage": {"name": "vb-snap", "metadata": {"purpose": "test"}}},
        format="json",
        HTTP_OPENSTACK_API_VERSION=f"compute {version}",
    )


def test_create_image_of_a_volume_backed_server_snapshots_its_volumes(demo_api):
    server = running(create(demo_api, [ROOT, DATA]))
    volumes = {bdm.boot_index: str(bdm.volume_id) for bdm in server.block_devices.all()}
    response = create_image(demo_api, server)
    assert response.status_code == 202, response.content
    image = Image.objects.get(id=response.json()["image_id"])
    assert (image.status, image.size, image.disk_format, image.container_format) == ("active", 0, "qcow2", "bare")
    props = image.properties
    assert (props["bdm_v2"], props["root_device_name"], props["purpose"]) == ("True", "/dev/vda", "test")
    assert props["instance_uuid"] == str(server.uuid) and props["image_type"] == "snapshot"
    mapping = {entry["boot_index"]: entry for entry in json.loads(props["block_device_mapping"])}
    assert set(mapping) == {0, None}
    for boot_index, volume_id in volumes.items():
        entry = mapping[boot_index]
        snapshot = Snapshot.objects.get(id=entry["snapshot_id"])
        assert (str(snapshot.volume_id), snapshot.status, snapshot.name) == (
            volume_id,
            "available",
            "snapshot for vb-snap",
        )
        assert (entry["source_type"], entry["destination_type"]) == ("snapshot", "volume")
    assert (mapping[0]["volume_size"], mapping[0]["delete_on_termination"]) == (1, True)
    assert (mapping[None]["volume_size"], mapping[None]["delete_on_termination"]) == (2, False)
    # The server is untouched: its volumes stay in use, no task is left.
    server.refresh_from_db()
    assert (server.vm_state, server.task_state) == ("active", None)
    assert {Volume.objects.get(id=v).status for v in volumes.values()} == {"in-use"}
    show = demo_api.get(f"/image/v2/images/{image.id}")
    assert show.status_code == 200 and show.json()["size"] == 0 and show.json()["status"] == "active"


def test_before_2_45_the_location_header_names_the_image(demo_api):
    server = running(create(demo_api, [ROOT]))
    response = create_image(demo_api, server, version="2.1")
    assert response.status_code == 202, response.content
    image_id = response["Location"].rsplit("/", 1)[-1]
    assert Image.objects.get(id=image_id).properties["bdm_v2"] == "True"


def test_booting_from_the_image_maps_new_volumes_from_its_snapshots(demo_api):
    source = running(create(demo_api, [ROOT, DATA]))
    image_id = create_image(demo_api, source).json()["image_id"]
    snapshots = set(Snapshot.objects.values_list("id", flat=True))
    # The CLI's --image sends imageRef; the image's root mapping replaces the image disk.
    server = create(demo_api, [], image=image_id)
    assert server.image_ref == image_id
    bdms = {bdm.boot_index: bdm for bdm in server.block_devices.all()}
    assert set(bdms) == {0, None}
    assert {bdm.source_type for bdm in bdms.values()} == {"snapshot"}
    assert {bdm.snapshot_id for bdm in bdms.values()} == snapshots
    block_devices.prepare(server)
    root = Volume.objects.get(id=str(server.block_devices.get(boot_index=0).volume_id))
    assert root.snapshot_id == server.block_devices.get(boot_index=0).snapshot_id and root.size == 1
    payload = instance_payload(server)
    assert payload["image_path"] is None and payload["root_volume"]["id"] == str(root.id)
    show = demo_api.get(f"/compute/v2.1/servers/{server.uuid}").json()["server"]
    assert show["image"]["id"] == image_id


def test_an_image_boot_mapping_the_client_adds_gives_way_to_the_image_root(demo_api):
    source = running(create(demo_api, [ROOT]))
    image_id = create_image(demo_api, source).json()["image_id"]
    client_root = {"source_type": "image", "destination_type": "local", "uuid": image_id, "boot_index": 0}
    server = create(demo_api, [client_root], image=image_id)
    (bdm,) = server.block_devices.all()
    assert (bdm.source_type, bdm.boot_index) == ("snapshot", 0)


def test_create_image_in_a_wrong_state_and_backup_are_refused(demo_api):
    server = running(create(demo_api, [ROOT]))
    Server.objects.filter(pk=server.pk).update(task_state="rebooting")
    assert create_image(demo_api, server).status_code == 409
    assert not Snapshot.objects.exists() and not Image.objects.filter(name="vb-snap").exists()
    Server.objects.filter(pk=server.pk).update(task_state=None)
    backup = demo_api.post(
        f"/compute/v2.1/servers/{server.uuid}/action",
        {"createBackup": {"name": "b", "backup_type": "daily", "rotation": 1}},
        format="json",
    )
    assert backup.status_code == 400
    assert backup.json()["badRequest"]["message"] == "Backup is not supported for volume-backed instances."


def test_a_failed_volume_snapshot_makes_no_image(demo_api, settings):
    server = running(create(demo_api, [ROOT]))
    settings.VOLUME_QUOTA_DEFAULTS = {**settings.VOLUME_QUOTA_DEFAULTS, "snapshots": 0}
    response = create_image(demo_api, server)
    assert response.status_code == 413, response.content
    assert not Image.objects.filter(name="vb-snap").exists()
    server.refresh_from_db()
    assert (server.vm_state, server.task_state) == ("active", None)
