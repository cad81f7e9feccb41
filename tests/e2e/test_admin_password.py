"""The admin password of a create and a rebuild reaches the guest, with real workers: the API
answers it, the conductor carries it in its messages (never in the database) to the compute
host, and the compute worker sets it in the guest after spawning (libvirt's test driver can,
as its capabilities say)."""

from __future__ import annotations

from django.db import connection

from servers.models import Server

from .helpers import LATEST, act, boot_active


def set_in_guest(cloud, server: dict) -> bool:
    host = server["OS-EXT-SRV-ATTR:host"]
    return f"admin password of {server['id']} set in the guest" in cloud.workers[host].output()


def test_the_password_of_a_create_and_a_rebuild_is_set_in_the_guest(admin, cloud):
    server = boot_active(admin, adminPass="Chosen-Secret-1")
    assert set_in_guest(cloud, server)
    response = act(admin, server["id"], {"rebuild": {"imageRef": server["image"]["id"], "adminPass": "Rebuilt-2"}})
    assert response.json()["server"]["adminPass"] == "Rebuilt-2"
    rebuilt = admin.wait_until_settled(server["id"])
    assert rebuilt["status"] == "ACTIVE"
    log = cloud.workers[server["OS-EXT-SRV-ATTR:host"]].output()
    assert log.count(f"admin password of {server['id']} set in the guest") == 2
    # Neither password is written anywhere: not in a log, not in the database.
    assert "Chosen-Secret-1" not in cloud.logs() and "Rebuilt-2" not in cloud.logs()
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(s)::text FROM servers_server s")
        assert not [row for (row,) in cursor.fetchall() if "Chosen-Secret-1" in row or "Rebuilt-2" in row]


def test_a_generated_password_is_answered_and_set(demo, cloud):
    response = demo.post(
        "/compute/v2.1/servers",
        {"server": {"name": "gen", "imageRef": _image(demo), "flavorRef": "42", "networks": "none"}},
        headers=LATEST,
    )
    assert response.status_code == 202, response.text
    password = response.json()["server"]["adminPass"]
    assert len(password) == 12
    server = demo.wait_until_settled(response.json()["server"]["id"])
    assert server["status"] == "ACTIVE"
    host = Server.objects.get(uuid=server["id"]).host  # owners do not see the host
    assert f"admin password of {server['id']} set in the guest" in cloud.workers[host].output()
    assert password not in cloud.logs()


def _image(api) -> str:
    return api.get("/image/v2/images?name=cirros").json()["images"][0]["id"]
