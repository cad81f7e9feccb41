"""POST /servers with block device mappings (Nova's BDM v2, and the legacy form): each
shape the API accepts is recorded with the server (an existing volume reserved for it at
once), and each of Nova's refusals is a 400 with Nova's message. No workers run here."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from novasite.demo import CIRROS_IMAGE_ID
from servers.models import BlockDeviceMapping, Server, VolumeAttachment
from volumes import store
from volumes.models import Volume

pytestmark = pytest.mark.django_db

SERVERS = "/compute/v2.1/servers"
IMAGE = str(CIRROS_IMAGE_ID)


@pytest.fixture(autouse=True)
def volume_dir(settings, tmp_path):
    settings.VOLUME_DIR = str(tmp_path / "volumes")


def body(mappings: list[dict], image: str = "", **server) -> dict:
    return {
        "server": {
            "name": "bfv",
            "imageRef": image,
            "flavorRef": "42",
            "networks": [],
            "block_device_mapping_v2": mappings,
            **server,
        }
    }


@pytest.fixture
def demo_volume(demo_api) -> Volume:
    project = demo_api.get("/identity/v3/auth/projects").json()["projects"][0]["id"]
    response = demo_api.post(f"/volume/v3/{project}/volumes", {"volume": {"size": 1}}, format="json")
    assert response.status_code == 202, response.content
    row = Volume.objects.get(id=response.json()["volume"]["id"])
    Volume.objects.filter(id=row.id).update(bootable=True)
    row.refresh_from_db()
    return row


def boot_volume(volume_id: str, **extra) -> dict:
    return {"source_type": "volume", "destination_type": "volume", "uuid": volume_id, "boot_index": 0, **extra}


def created(demo_api, payload: dict, version: str = "2.79") -> Server:
    response = demo_api.post(SERVERS, payload, format="json", HTTP_OPENSTACK_API_VERSION=f"compute {version}")
    assert response.status_code == 202, response.content
    return Server.objects.get(uuid=response.json()["server"]["id"])


def test_boot_from_an_existing_volume_reserves_it_and_has_no_image(demo_api, demo_volume):
    server = created(demo_api, body([boot_volume(str(demo_volume.id), delete_on_termination=True)]))
    assert server.image_ref == ""
    [bdm] = BlockDeviceMapping.objects.filter(server=server)
    assert (bdm.source_type, bdm.destination_type, bdm.boot_index, bdm.volume_id) == (
        "volume",
        "volume",
        0,
        demo_volume.id,
    )
    assert bdm.delete_on_termination and bdm.device_name == "/dev/vda"
    demo_volume.refresh_from_db()
    assert demo_volume.status == "attaching" and demo_volume.attached_server_uuid == server.uuid
    attachment = VolumeAttachment.objects.get(server=server)
    assert (attachment.device, attachment.status, attachment.delete_on_termination) == ("vda", "attaching", True)
    shown = demo_api.get(f"{SERVERS}/{server.uuid}", HTTP_OPENSTACK_API_VERSION="compute 2.79").json()["server"]
    assert shown["image"] == ""
    assert shown["os-extended-volumes:volumes_attached"] == [{"id": str(demo_volume.id), "delete_on_termination": True}]


def test_image_to_new_volume_is_recorded_for_the_conductor(demo_api):
    mapping = {"source_type": "image", "destination_type": "volume", "uuid": IMAGE, "boot_index": 0, "volume_size": 1}
    server = created(demo_api, body([mapping]))
    assert server.image_ref == ""
    bdm = BlockDeviceMapping.objects.get(server=server)
    assert bdm.source_type == "image" and bdm.image_id == CIRROS_IMAGE_ID and bdm.volume_id is None
    assert bdm.volume_size == 1 and not bdm.delete_on_termination
    assert not VolumeAttachment.objects.filter(server=server).exists()


def test_blank_data_volume_beside_an_image_boot(demo_api):
    blank = {"source_type": "blank", "destination_type": "volume", "volume_size": 2, "delete_on_termination": True}
    server = created(demo_api, body([blank], image=IMAGE))
    assert server.image_ref == IMAGE
    bdm = BlockDeviceMapping.objects.get(server=server)
    assert (bdm.source_type, bdm.boot_index, bdm.volume_size, bdm.device_name) == ("blank", None, 2, "/dev/sdb")


def test_image_to_local_root_mapping_is_an_image_boot(demo_api):
    root = {"source_type": "image", "destination_type": "local", "uuid": IMAGE, "boot_index": 0}
    server = created(demo_api, body([root]))
    assert server.image_ref == IMAGE and not BlockDeviceMapping.objects.filter(server=server).exists()


def test_legacy_mapping_of_a_volume_boots_from_it(demo_api, demo_volume):
    payload = body([])
    del payload["server"]["block_device_mapping_v2"]
    payload["server"]["block_device_mapping"] = [{"volume_id": str(demo_volume.id), "device_name": "vda"}]
    server = created(demo_api, payload)
    bdm = BlockDeviceMapping.objects.get(server=server)
    assert bdm.boot_index == 0 and bdm.volume_id == demo_volume.id and server.image_ref == ""


def test_a_volume_booted_elsewhere_meanwhile_is_refused(demo_api, demo_volume):
    created(demo_api, body([boot_volume(str(demo_volume.id))]))
    response = demo_api.post(SERVERS, body([boot_volume(str(demo_volume.id))]), format="json")
    assert response.status_code == 400
    assert response.json()["badRequest"]["message"] == (
        f"Invalid volume: Volume {demo_volume.id} status must be available to reserve, "
        "but the current status is attaching."
    )


BOOT_SEQUENCE = (
    "Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping "
    "combination is not valid."
)


@pytest.mark.parametrize(
    "mappings, image, message",
    [
        ([], "", "Missing imageRef attribute"),
        (
            [{"source_type": "blank", "destination_type": "volume", "volume_size": 1, "boot_index": 1}],
            "",
            BOOT_SEQUENCE,
        ),
        ([{"source_type": "blank", "destination_type": "volume", "volume_size": 1}], "", BOOT_SEQUENCE),
        (
            [
                {
                    "source_type": "image",
                    "destination_type": "volume",
                    "uuid": IMAGE,
                    "boot_index": 0,
                    "volume_size": 1,
                },
                {"source_type": "blank", "destination_type": "volume", "volume_size": 1, "boot_index": 0},
            ],
            "",
            BOOT_SEQUENCE,
        ),
        (
            [{"source_type": "image", "destination_type": "volume", "uuid": IMAGE, "boot_index": 0}],
            "",
            "Images with destination_type 'volume' need to have a non-zero size specified",
        ),
        (
            [{"source_type": "blank", "destination_type": "volume", "boot_index": 0}],
            "",
            "Blank volumes (source: 'blank', dest: 'volume') need to have non-zero size",
        ),
        (
            [{"source_type": "volume", "destination_type": "volume", "boot_index": 0}],
            "",
            "Block Device Mapping is Invalid: Missing device UUID.",
        ),
        (
            [{"source_type": "blank", "destination_type": "volume", "uuid": IMAGE, "volume_size": 1}],
            IMAGE,
            "Block Device Mapping is Invalid: Invalid device UUID.",
        ),
        (
            [{"source_type": "image", "destination_type": "local", "uuid": IMAGE, "boot_index": 1}],
            IMAGE,
            "Block Device Mapping is Invalid: Mapping image to local is not supported.",
        ),
        (
            [{"source_type": "volume", "destination_type": "volume", "uuid": "x", "boot_index": "first"}],
            "",
            "boot_index",
        ),
        (
            [boot_volume(str(uuid.UUID(int=7)))],
            "",
            f"Block Device Mapping is Invalid: failed to get volume {uuid.UUID(int=7)}.",
        ),
        (
            [
                {
                    "source_type": "image",
                    "destination_type": "volume",
                    "uuid": str(uuid.UUID(int=8)),
                    "boot_index": 0,
                    "volume_size": 1,
                }
            ],
            "",
            f"Block Device Mapping is Invalid: failed to get image {uuid.UUID(int=8)}.",
        ),
        (
            [{"source_type": "snapshot", "destination_type": "volume", "uuid": IMAGE, "boot_index": 0}],
            "",
            f"Block Device Mapping is Invalid: failed to get snapshot {IMAGE}.",
        ),
    ],
)
def test_novas_refusals(demo_api, mappings, image, message):
    response = demo_api.post(SERVERS, body(mappings, image=image), format="json")
    assert response.status_code == 400, response.content
    assert message in response.json()["badRequest"]["message"]
    assert not Server.objects.exists() and not BlockDeviceMapping.objects.exists()


def test_a_volume_not_available_or_not_bootable_is_refused(demo_api, demo_volume):
    Volume.objects.filter(id=demo_volume.id).update(bootable=False)
    response = demo_api.post(SERVERS, body([boot_volume(str(demo_volume.id))]), format="json")
    assert response.json()["badRequest"]["message"] == f"Block Device {demo_volume.id} is not bootable."
    Volume.objects.filter(id=demo_volume.id).update(bootable=True, status="error")
    response = demo_api.post(SERVERS, body([boot_volume(str(demo_volume.id))]), format="json")
    assert response.status_code == 400 and "current status is error" in response.json()["badRequest"]["message"]
    demo_volume.refresh_from_db()
    assert demo_volume.status == "error" and demo_volume.attached_server_uuid is None


def test_a_volume_of_another_project_cannot_be_found(admin_api, demo_api, demo_volume):
    project = admin_api.get("/identity/v3/auth/projects").json()["projects"][0]["id"]
    response = admin_api.post(f"/volume/v3/{project}/volumes", {"volume": {"size": 1}}, format="json")
    foreign = response.json()["volume"]["id"]
    refused = demo_api.post(SERVERS, body([boot_volume(foreign)]), format="json")
    assert (
        refused.json()["badRequest"]["message"] == f"Block Device Mapping is Invalid: failed to get volume {foreign}."
    )


def test_one_volume_for_several_servers_is_refused(demo_api, demo_volume):
    response = demo_api.post(SERVERS, body([boot_volume(str(demo_volume.id))], max_count=2), format="json")
    assert response.json()["badRequest"]["message"] == "Cannot attach one or more volumes to multiple instances"


def test_the_root_volume_cannot_be_detached(demo_api, demo_volume):
    server = created(demo_api, body([boot_volume(str(demo_volume.id))]))
    VolumeAttachment.objects.filter(server=server).update(status="attached")
    store.mark_in_use(demo_volume, server.uuid)
    Server.objects.filter(pk=server.pk).update(
        vm_state="active", task_state=None, power_state=1, host="compute1", launched_at=timezone.now()
    )
    response = demo_api.delete(f"{SERVERS}/{server.uuid}/os-volume_attachments/{demo_volume.id}")
    assert response.status_code == 400, response.content
    assert response.json()["badRequest"]["message"] == "Cannot detach a root device volume"


def test_a_volume_backed_server_is_not_rebuilt_with_another_image(demo_api, demo_volume):
    server = created(demo_api, body([boot_volume(str(demo_volume.id))]))
    Server.objects.filter(pk=server.pk).update(
        vm_state="active", task_state=None, power_state=1, host="compute1", launched_at=timezone.now()
    )
    response = demo_api.post(f"{SERVERS}/{server.uuid}/action", {"rebuild": {"imageRef": IMAGE}}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["badRequest"]["message"] == (
        f"Image {IMAGE} is unacceptable: Unable to rebuild with a different image for a volume-backed server."
    )
    server.refresh_from_db()
    assert server.task_state is None and server.image_ref == ""


def test_a_flavor_without_root_disk_boots_from_a_volume(admin_api, demo_api, demo_volume):
    flavor = {"flavor": {"name": "diskless", "ram": 128, "vcpus": 1, "disk": 0, "id": "diskless"}}
    assert admin_api.post("/compute/v2.1/flavors", flavor, format="json").status_code == 200
    server = created(demo_api, body([boot_volume(str(demo_volume.id))], flavorRef="diskless"))
    assert server.flavor["root_gb"] == 0 and server.image_ref == ""


def test_a_volume_backed_server_may_resize_to_a_smaller_root_disk(admin_api, demo_api, demo_volume):
    flavor = {"flavor": {"name": "diskless", "ram": 128, "vcpus": 1, "disk": 0, "id": "diskless"}}
    assert admin_api.post("/compute/v2.1/flavors", flavor, format="json").status_code == 200
    backed = created(demo_api, body([boot_volume(str(demo_volume.id))]))
    imaged = created(demo_api, body([], image=IMAGE))
    for server in (backed, imaged):
        Server.objects.filter(pk=server.pk).update(
            vm_state="active", task_state=None, power_state=1, host="compute1", launched_at=timezone.now()
        )
    resize = {"resize": {"flavorRef": "diskless"}}
    refused = demo_api.post(f"{SERVERS}/{imaged.uuid}/action", resize, format="json")
    assert refused.status_code == 400 and "Unable to resize disk down" in refused.json()["badRequest"]["message"]
    # Past the disk rule, the resize stops only at the next one: no compute service reports here.
    response = demo_api.post(f"{SERVERS}/{backed.uuid}/action", resize, format="json")
    assert response.status_code == 409, response.content
    assert response.json()["conflictingRequest"]["message"] == "Service is unavailable at this time."
