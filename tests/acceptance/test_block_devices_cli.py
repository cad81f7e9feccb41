"""Boot from volume with the real `openstack` command (python-openstackclient) against a live
novasite with Celery workers on the libvirt test driver: `server create --volume`,
`--image --boot-from-volume` and `--block-device source_type=blank,...`, each checked through
the API (the server ACTIVE, its volume in-use and attached to it, and after `server delete`
the volume deleted or available as its mapping said)."""

from __future__ import annotations

import pytest

from identity.models import Project

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


def test_boot_from_volume_with_the_cli(cloud, live_server, admin):
    lab = Lab(live_server.url, admin)
    osc = lab.osc
    volumes = f"/volume/v3/{Project.objects.get(name='admin').id}/volumes"

    def volume(volume_id: str) -> dict | None:
        response = admin.get(f"{volumes}/{volume_id}")
        return None if response.status_code == 404 else response.json()["volume"]

    def shown(volume_id: str) -> dict:
        found = volume(volume_id)
        assert found is not None, f"volume {volume_id} is gone"
        return found

    def attached(server: dict) -> list[dict]:
        return server["os-extended-volumes:volumes_attached"]

    def in_use_by(volume_id: str, server_id: str) -> None:
        shown = volume(volume_id)
        assert shown is not None and shown["status"] == "in-use", shown
        assert [a["server_id"] for a in shown["attachments"]] == [server_id], shown

    def delete(server_id: str) -> None:
        osc("server", "delete", "--wait", server_id, fmt_json=False, timeout=120)
        lab.wait_gone(server_id)

    with lab.step("volume create --image cirros --size 1 --bootable bootvol"):
        made = osc("volume", "create", "--image", "cirros", "--size", "1", "--bootable", "bootvol")
        assert shown(made["id"])["status"] == "available", shown(made["id"])

    with lab.step("server create --volume bootvol"):
        created = osc("server", "create", "--flavor", "cirros", "--volume", "bootvol", "--nic", "none", "bfv1")
        server = lab.wait_server(created["id"], "ACTIVE")
        assert server["image"] == "", server["image"]
        assert [v["id"] for v in attached(server)] == [made["id"]], attached(server)
        in_use_by(made["id"], server["id"])
        listed = admin.get(f"/compute/v2.1/servers/{server['id']}/os-volume_attachments", headers=LATEST)
        assert [(a["volumeId"], a["device"]) for a in listed.json()["volumeAttachments"]] == [
            (made["id"], "/dev/vda")
        ], listed.text

    with lab.step("server delete bfv1: the volume is available again"):
        delete(server["id"])
        assert shown(made["id"])["status"] == "available", shown(made["id"])

    with lab.step("server create --image cirros --boot-from-volume 1"):
        created = osc(
            "server", "create", "--flavor", "cirros", "--image", "cirros", "--boot-from-volume", "1", "--nic", "none",
            "bfv2",
        )  # fmt: skip
        server = lab.wait_server(created["id"], "ACTIVE")
        [root] = attached(server)
        in_use_by(root["id"], server["id"])
        assert shown(root["id"])["volume_image_metadata"]["image_name"] == "cirros", shown(root["id"])

    with lab.step("server delete bfv2: its volume is kept (delete_on_termination false, the CLI's default)"):
        delete(server["id"])
        kept = volume(root["id"])
        assert kept is not None and kept["status"] == "available", kept

    with lab.step("server create --block-device source_type=blank,destination_type=volume,volume_size=1"):
        created = osc(
            "server", "create", "--flavor", "cirros", "--image", "cirros", "--nic", "none",
            "--block-device", "source_type=blank,destination_type=volume,volume_size=1,delete_on_termination=true",
            "bfv3",
        )  # fmt: skip
        server = lab.wait_server(created["id"], "ACTIVE")
        assert server["image"] != "", server["image"]
        [data] = attached(server)
        assert data["delete_on_termination"] is True, data
        in_use_by(data["id"], server["id"])

    with lab.step("server delete bfv3: its blank volume is deleted (delete_on_termination)"):
        delete(server["id"])
        assert volume(data["id"]) is None, volume(data["id"])

    assert not lab.failures, "\n\n".join(lab.failures)
