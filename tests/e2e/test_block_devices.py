"""Block device mappings end to end, with real workers: boot from an existing volume, from a
new volume of an image and with a blank data volume; delete with and without
delete_on_termination; a volume-backed server through stop/start, rebuild, resize,
shelve/unshelve, live migration and evacuation. Each step is checked through the APIs and the volume rows."""

from __future__ import annotations

from uuid import UUID

import pytest

from hosts.models import Allocation, Service
from identity.models import Project
from images.models import Image
from novasite.demo import CIRROS_IMAGE_ID
from servers.models import BlockDeviceMapping, Migration, Server
from workers.conductor.dispatch import instance_payload

from .helpers import LATEST, events

pytestmark = pytest.mark.e2e

SERVERS = "/compute/v2.1/servers"


@pytest.fixture(scope="module")
def volume_dir(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("volumes"))


@pytest.fixture(scope="module")
def worker_env(volume_dir) -> dict[str, str]:
    return {"VOLUME_DIR": volume_dir}


@pytest.fixture(autouse=True)
def shared_volume_dir(settings, volume_dir):
    settings.VOLUME_DIR = volume_dir  # the API (this process) and the conductor share the files


def volumes_url() -> str:
    return f"/volume/v3/{Project.objects.get(name='demo').id}/volumes"


def new_volume(api, **extra) -> dict:
    response = api.post(volumes_url(), {"volume": {"size": 1, **extra}})
    assert response.status_code == 202, response.text
    return response.json()["volume"]


def volume(api, volume_id: str) -> dict | None:
    response = api.get(f"{volumes_url()}/{volume_id}")
    return None if response.status_code == 404 else response.json()["volume"]


def existing(api, volume_id: str) -> dict:
    shown = volume(api, volume_id)
    assert shown is not None, f"volume {volume_id} is gone"
    return shown


def boot(api, mappings: list[dict], image: str = "") -> str:
    body = {
        "server": {
            "name": "bfv",
            "imageRef": image,
            "flavorRef": "42",
            "networks": [],
            "block_device_mapping_v2": mappings,
        }
    }
    response = api.post(SERVERS, body, headers=LATEST)
    assert response.status_code == 202, response.text
    return response.json()["server"]["id"]


def active(api, server_id: str) -> dict:
    server = api.wait_until_settled(server_id)
    assert server["status"] == "ACTIVE", server
    return server


def attachments(api, server_id: str) -> dict[str, str]:
    rows = api.get(f"{SERVERS}/{server_id}/os-volume_attachments").json()["volumeAttachments"]
    return {row["volumeId"]: row["device"] for row in rows}


def in_use_by(api, volume_id: str, server_id: str) -> bool:
    shown = volume(api, volume_id)
    return (
        shown is not None
        and shown["status"] == "in-use"
        and [a["server_id"] for a in shown["attachments"]] == [server_id]
    )


def disk_claimed(consumer: str) -> list[int]:
    """The disk GB each of the consumer's allocations holds on its host."""
    return list(Allocation.objects.filter(consumer=consumer).values_list("disk_gb", flat=True))


def delete(api, server_id: str) -> None:
    assert api.delete(f"{SERVERS}/{server_id}").status_code == 204
    api.wait_until_gone(server_id)


def test_boot_from_an_existing_volume_then_delete_keeps_it(demo):
    vol = new_volume(demo, imageRef=str(CIRROS_IMAGE_ID))
    assert vol["bootable"] == "true" or existing(demo, vol["id"])["bootable"] == "true"
    sid = boot(demo, [{"source_type": "volume", "destination_type": "volume", "uuid": vol["id"], "boot_index": 0}])
    server = active(demo, sid)
    assert server["image"] == ""
    assert server["os-extended-volumes:volumes_attached"] == [{"id": vol["id"], "delete_on_termination": False}]
    assert attachments(demo, sid) == {vol["id"]: "/dev/vda"}
    assert in_use_by(demo, vol["id"], sid)
    delete(demo, sid)
    after = volume(demo, vol["id"])
    assert after is not None and after["status"] == "available" and after["attachments"] == []


def test_boot_from_a_new_volume_of_an_image_deleted_with_the_server(demo):
    mapping = {
        "source_type": "image",
        "destination_type": "volume",
        "uuid": str(CIRROS_IMAGE_ID),
        "boot_index": 0,
        "volume_size": 1,
        "delete_on_termination": True,
    }
    sid = boot(demo, [mapping])
    server = active(demo, sid)
    [attached] = server["os-extended-volumes:volumes_attached"]
    assert attached["delete_on_termination"] is True and server["image"] == ""
    made = existing(demo, attached["id"])
    assert made["bootable"] == "true" and made["volume_image_metadata"]["image_id"] == str(CIRROS_IMAGE_ID)
    assert in_use_by(demo, attached["id"], sid)
    assert str(BlockDeviceMapping.objects.get(server__uuid=sid).volume_id) == attached["id"]
    delete(demo, sid)
    assert volume(demo, attached["id"]) is None


def test_blank_data_volume_kept_available_after_delete(demo):
    blank = {"source_type": "blank", "destination_type": "volume", "volume_size": 1}
    sid = boot(demo, [blank], image=str(CIRROS_IMAGE_ID))
    server = active(demo, sid)
    assert server["image"]["id"] == str(CIRROS_IMAGE_ID)
    [attached] = server["os-extended-volumes:volumes_attached"]
    assert attachments(demo, sid) == {attached["id"]: "/dev/sdb"}
    assert in_use_by(demo, attached["id"], sid) and existing(demo, attached["id"])["bootable"] == "false"
    delete(demo, sid)
    assert existing(demo, attached["id"])["status"] == "available"


def test_a_volume_backed_server_keeps_its_volume_through_its_lifecycle(demo, admin):
    mapping = {
        "source_type": "image",
        "destination_type": "volume",
        "uuid": str(CIRROS_IMAGE_ID),
        "boot_index": 0,
        "volume_size": 1,
    }
    sid = boot(demo, [mapping])
    [root] = active(demo, sid)["os-extended-volumes:volumes_attached"]

    def still_attached(expected_status: str = "ACTIVE") -> dict:
        server = demo.wait_for(
            sid, lambda s: s is not None and s["status"] == expected_status and s["OS-EXT-STS:task_state"] is None
        )
        assert server is not None
        assert server["image"] == "" and server["os-extended-volumes:volumes_attached"] == [root]
        assert attachments(demo, sid) == {root["id"]: "/dev/vda"}
        assert in_use_by(demo, root["id"], sid)
        return server

    def action(body: dict) -> None:
        response = demo.post(f"{SERVERS}/{sid}/action", body, headers=LATEST)
        assert response.status_code == 202, response.text

    action({"os-stop": None})
    still_attached("SHUTOFF")
    action({"os-start": None})
    still_attached()
    action({"rebuild": {"imageRef": str(CIRROS_IMAGE_ID)}})  # the image the volume holds
    still_attached()
    response = admin.post(f"{SERVERS}/{sid}/action", {"resize": {"flavorRef": "1"}}, headers=LATEST)
    assert response.status_code == 202, response.text
    still_attached("VERIFY_RESIZE")
    # No root disk claimed on either side: the destination under the server, the source kept
    # under the migration.
    resize = Migration.objects.get(server__uuid=sid, migration_type="resize")
    assert disk_claimed(sid) == [0] and disk_claimed(str(resize.uuid)) == [0]
    response = admin.post(f"{SERVERS}/{sid}/action", {"confirmResize": None}, headers=LATEST)
    assert response.status_code == 204, response.text
    still_attached()
    # Shelving takes no image of a volume-backed server and offloads it at once.
    action({"shelve": None})
    still_attached("SHELVED_OFFLOADED")
    assert admin.server(sid)["OS-EXT-SRV-ATTR:host"] is None
    assert not Image.objects.filter(properties__instance_uuid=sid).exists()
    action({"unshelve": None})
    still_attached()
    assert disk_claimed(sid) == [0]
    source = admin.server(sid)["OS-EXT-SRV-ATTR:host"]
    assert source is not None
    migrate = {"os-migrateLive": {"host": None, "block_migration": "auto"}}
    response = admin.post(f"{SERVERS}/{sid}/action", migrate, headers={"OpenStack-API-Version": "compute 2.30"})
    assert response.status_code == 202, response.text
    admin.wait_for(sid, lambda s: s is not None and s["OS-EXT-SRV-ATTR:host"] not in (source, None))
    still_attached()
    assert disk_claimed(sid) == [0]
    delete(demo, sid)
    assert existing(demo, root["id"])["status"] == "available"


def test_evacuate_keeps_the_root_volume_of_a_volume_backed_server(demo, admin, cloud):
    mapping = {
        "source_type": "image",
        "destination_type": "volume",
        "uuid": str(CIRROS_IMAGE_ID),
        "boot_index": 0,
        "volume_size": 1,
    }
    body = {
        "server": {
            "name": "bfv-evacuate",
            "imageRef": "",
            "flavorRef": "2",  # root_gb 20: evacuated with no root disk asked of the destination
            "networks": [],
            "availability_zone": "nova",
            "block_device_mapping_v2": [mapping],
        }
    }
    response = demo.post(SERVERS, body, headers=LATEST)
    assert response.status_code == 202, response.text
    sid = response.json()["server"]["id"]
    [root] = active(demo, sid)["os-extended-volumes:volumes_attached"]
    source = admin.server(sid)["OS-EXT-SRV-ATTR:host"]
    assert disk_claimed(sid) == [0]
    Service.objects.filter(host=source, binary="nova-compute").update(forced_down=True)
    try:
        response = admin.post(f"{SERVERS}/{sid}/action", {"evacuate": {}}, headers=LATEST)
        assert response.status_code == 200, response.text
        evacuated = admin.wait_for(
            sid, lambda s: s["OS-EXT-STS:task_state"] is None and s["OS-EXT-SRV-ATTR:host"] != source
        )
        assert evacuated["status"] == "ACTIVE", evacuated
        dest = evacuated["OS-EXT-SRV-ATTR:host"]
        # The same root volume, still attached and in-use, on the new host.
        assert evacuated["image"] == "" and evacuated["os-extended-volumes:volumes_attached"] == [root]
        assert attachments(demo, sid) == {root["id"]: "/dev/vda"}
        assert in_use_by(demo, root["id"], sid)
        assert list(BlockDeviceMapping.objects.filter(server__uuid=sid).values_list("volume_id", flat=True)) == [
            UUID(root["id"])
        ]
        # What the destination was (and is) told to boot: the volume, not an image.
        payload = instance_payload(Server.objects.get(uuid=sid))
        assert payload["root_volume"]["id"] == root["id"] and payload["image_path"] is None
        assert events(sid, "evacuate")["compute_rebuild_instance"] == "Success"
        assert {a.compute_node.host: a.disk_gb for a in Allocation.objects.filter(consumer=sid)} == {dest: 0}
    finally:
        Service.objects.filter(host=source, binary="nova-compute").update(forced_down=False)
    # The source returns and destroys its stale copy: the volume stays with the server.
    cloud.restart(source)
    migration = Migration.objects.get(server__uuid=sid, migration_type="evacuation")
    admin.wait_for(sid, lambda s: Migration.objects.get(pk=migration.pk).status == "completed", timeout=60)
    assert in_use_by(demo, root["id"], sid) and attachments(demo, sid) == {root["id"]: "/dev/vda"}
    delete(demo, sid)
    assert existing(demo, root["id"])["status"] == "available"
