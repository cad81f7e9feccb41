"""Images of volume-backed servers and boot from a volume snapshot, with the real `openstack`
command against a live novasite with Celery workers on the libvirt test driver:
`server image create` of a server booted from a volume (a Cinder snapshot of its volume and
an empty image carrying the mapping, as Nova), `server rebuild --reimage-boot-volume` at 2.93
(the root volume re-imaged), `server create --image` of the snapshot image (a new root volume
copied from the snapshot) and `server create --snapshot`; each checked through the API."""

from __future__ import annotations

import json

import pytest

from identity.models import Project
from images import store as image_store
from novasite.demo import CIRROS_IMAGE_ID

from .helpers import LATEST, Lab

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def volume_dir(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("volumes"))


@pytest.fixture(scope="module")
def worker_env(volume_dir) -> dict[str, str]:
    return {"VOLUME_DIR": volume_dir}


@pytest.fixture(autouse=True)
def shared_volume_dir(settings, volume_dir):
    settings.VOLUME_DIR = volume_dir  # the API (this process) and the conductor share the files


def test_image_of_a_volume_backed_server_with_the_cli(cloud, live_server, admin):
    lab = Lab(live_server.url, admin)
    osc = lab.osc
    project = Project.objects.get(name="admin").id

    def volume(volume_id: str) -> dict:
        response = admin.get(f"/volume/v3/{project}/volumes/{volume_id}")
        assert response.status_code == 200, response.content
        return response.json()["volume"]

    def snapshot(snapshot_id: str) -> dict:
        response = admin.get(f"/volume/v3/{project}/snapshots/{snapshot_id}")
        assert response.status_code == 200, response.content
        return response.json()["snapshot"]

    def root_of(server: dict) -> dict:
        [attached] = server["os-extended-volumes:volumes_attached"]
        root = volume(attached["id"])
        assert root["status"] == "in-use" and [a["server_id"] for a in root["attachments"]] == [server["id"]], root
        return root

    with lab.step("volume create --image cirros --size 1 --bootable vbroot; server create --volume vbroot"):
        made = osc("volume", "create", "--image", "cirros", "--size", "1", "--bootable", "vbroot")
        created = osc("server", "create", "--flavor", "cirros", "--volume", made["id"], "--nic", "none", "vbsrc")
        source = lab.wait_server(created["id"], "ACTIVE")
        assert root_of(source)["id"] == made["id"]

    with lab.step("server image create --name vbimg --wait vbsrc"):
        shown = osc("server", "image", "create", "--name", "vbimg", "--wait", source["id"], timeout=120)
        image = lab.wait_image(shown["id"])
        assert (image["size"], image["disk_format"], image["container_format"]) == (0, "qcow2", "bare"), image
        assert (image["bdm_v2"], image["root_device_name"]) == ("True", "/dev/vda"), image
        [mapping] = json.loads(image["block_device_mapping"])
        assert (mapping["source_type"], mapping["boot_index"], mapping["volume_size"]) == ("snapshot", 0, 1), mapping
        taken = snapshot(mapping["snapshot_id"])
        assert (taken["volume_id"], taken["status"]) == (made["id"], "available"), taken
        assert lab.wait_server(source["id"], "ACTIVE")["id"] == source["id"]
        assert volume(made["id"])["status"] == "in-use"

    with lab.step("server rebuild --image cirros-alt --reimage-boot-volume vbsrc (2.93): the root volume re-imaged"):
        alt = osc(
            "image", "create", "--disk-format", "qcow2", "--container-format", "bare",
            "--file", image_store.image_path(CIRROS_IMAGE_ID), "cirros-alt",
        )  # fmt: skip
        osc(
            "--os-compute-api-version", "2.93", "server", "rebuild", "--image", alt["id"], "--reimage-boot-volume",
            "--wait", source["id"], fmt_json=False, timeout=120,
        )  # fmt: skip
        rebuilt = lab.wait_server(source["id"], "ACTIVE")
        assert rebuilt["image"] == "", rebuilt["image"]
        reimaged = root_of(rebuilt)
        assert reimaged["id"] == made["id"], reimaged
        assert reimaged["volume_image_metadata"]["image_id"] == alt["id"], reimaged["volume_image_metadata"]

    with lab.step("server create --image vbimg: boots from a new volume copied from the snapshot"):
        created = osc("server", "create", "--flavor", "cirros", "--image", "vbimg", "--nic", "none", "vbfromimg")
        server = lab.wait_server(created["id"], "ACTIVE")
        root = root_of(server)
        assert root["id"] != made["id"] and root["snapshot_id"] == mapping["snapshot_id"], root
        assert server["image"]["id"] == image["id"], server["image"]
        listed = admin.get(f"/compute/v2.1/servers/{server['id']}/os-volume_attachments", headers=LATEST)
        assert [(a["volumeId"], a["device"]) for a in listed.json()["volumeAttachments"]] == [
            (root["id"], "/dev/vda")
        ], listed.text

    with lab.step("server create --snapshot <snapshot>: boots from a new volume of the snapshot"):
        created = osc(
            "server", "create", "--flavor", "cirros", "--snapshot", mapping["snapshot_id"], "--nic", "none",
            "vbfromsnap",
        )  # fmt: skip
        from_snapshot = lab.wait_server(created["id"], "ACTIVE")
        assert from_snapshot["image"] == "", from_snapshot["image"]
        snap_root = root_of(from_snapshot)
        assert snap_root["snapshot_id"] == mapping["snapshot_id"] and snap_root["bootable"] == "true", snap_root

    with lab.step("server delete: the volumes made from the snapshot are kept (delete_on_termination false)"):
        for server_id in (server["id"], from_snapshot["id"], source["id"]):
            osc("server", "delete", "--wait", server_id, fmt_json=False, timeout=120)
            lab.wait_gone(server_id)
        for volume_id in (root["id"], snap_root["id"], made["id"]):
            assert volume(volume_id)["status"] == "available", volume(volume_id)

    assert not lab.failures, "\n\n".join(lab.failures)
