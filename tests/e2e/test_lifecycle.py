"""Every lifecycle operation over HTTP with real workers on the libvirt test driver: status,
vm_state, task_state, power_state, host, flavor, allocations and instance action events."""

from __future__ import annotations

import pytest

from hosts.models import Allocation, ComputeNode, Service
from images.models import Image
from servers.models import Migration, Server

from .helpers import LATEST, act, allocations, boot_active, events, state

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def compute_hosts():
    return {"compute1": "", "compute2": "", "compute3": ""}  # compute3 is zone az2


def settle(api, server_id):
    return api.wait_until_settled(server_id)


def test_stop_start_reboot_pause_suspend(admin):
    sid = boot_active(admin)["id"]
    act(admin, sid, {"os-stop": None})
    assert state(settle(admin, sid)) == ("SHUTOFF", "stopped", None, 4)
    assert events(sid, "stop") == {"compute_stop_instance": "Success"}
    act(admin, sid, {"os-stop": None}, expect=409)  # already stopped
    act(admin, sid, {"os-start": None})
    assert state(settle(admin, sid)) == ("ACTIVE", "active", None, 1)
    for kind in ("SOFT", "HARD"):
        act(admin, sid, {"reboot": {"type": kind}})
        assert state(settle(admin, sid)) == ("ACTIVE", "active", None, 1)
    assert events(sid, "reboot") == {"compute_reboot_instance": "Success"}
    act(admin, sid, {"pause": None})
    assert state(settle(admin, sid)) == ("PAUSED", "paused", None, 3)
    act(admin, sid, {"unpause": None})
    assert state(settle(admin, sid)) == ("ACTIVE", "active", None, 1)
    act(admin, sid, {"suspend": None})
    assert state(settle(admin, sid)) == ("SUSPENDED", "suspended", None, 7)
    act(admin, sid, {"resume": None})
    assert state(settle(admin, sid)) == ("ACTIVE", "active", None, 1)
    act(admin, sid, {"reboot": {"type": "sideways"}}, expect=400)
    act(admin, sid, {"nonsense": None}, expect=400)


def test_lock_reset_state_password_and_crash_dump(admin, demo):
    sid = boot_active(demo)["id"]
    act(demo, sid, {"lock": {"locked_reason": "maintenance"}})
    shown = demo.server(sid)
    assert shown["locked"] is True and shown["locked_reason"] == "maintenance"
    act(demo, sid, {"os-stop": None}, expect=409)
    act(admin, sid, {"os-stop": None})  # admins may act on a locked server
    settle(admin, sid)
    act(demo, sid, {"unlock": None})
    assert demo.server(sid)["locked"] is False
    act(demo, sid, {"os-start": None})
    settle(demo, sid)
    act(demo, sid, {"os-resetState": {"state": "error"}}, expect=403)
    act(admin, sid, {"os-resetState": {"state": "error"}})
    assert state(admin.server(sid))[:3] == ("ERROR", "error", None)
    act(admin, sid, {"os-resetState": {"state": "active"}})
    act(demo, sid, {"changePassword": {"adminPass": "s3cret!"}})
    assert settle(demo, sid)["OS-EXT-STS:task_state"] is None
    act(admin, sid, {"trigger_crash_dump": None})
    assert settle(admin, sid)["OS-EXT-STS:task_state"] is None
    assert set(events(sid, "trigger_crash_dump")) == {"compute_trigger_crash_dump"}


def test_rescue_and_unrescue(admin):
    sid = boot_active(admin)["id"]
    response = act(admin, sid, {"rescue": None}, expect=200)
    assert response.json()["adminPass"]
    assert state(settle(admin, sid))[:3] == ("RESCUE", "rescued", None)
    act(admin, sid, {"unrescue": None})
    assert state(settle(admin, sid)) == ("ACTIVE", "active", None, 1)


def test_rebuild_keeps_a_stopped_server_stopped(admin):
    sid = boot_active(admin)["id"]
    image_id = admin.server(sid)["image"]["id"]
    response = act(admin, sid, {"rebuild": {"imageRef": image_id, "name": "rebuilt", "metadata": {"k": "v"}}})
    assert response.json()["server"]["OS-EXT-STS:task_state"] == "rebuilding"
    server = settle(admin, sid)
    assert (
        state(server) == ("ACTIVE", "active", None, 1)
        and server["name"] == "rebuilt"
        and server["metadata"] == {"k": "v"}
    )
    act(admin, sid, {"os-stop": None})
    settle(admin, sid)
    act(admin, sid, {"rebuild": {"imageRef": image_id}})
    assert state(settle(admin, sid)) == ("SHUTOFF", "stopped", None, 4)
    assert events(sid, "rebuild") == {"compute_rebuild_instance": "Success"}


def test_resize_confirm_and_revert(admin):
    server = boot_active(admin)
    sid, source = server["id"], server["OS-EXT-SRV-ATTR:host"]
    act(admin, sid, {"resize": {"flavorRef": "42"}}, expect=400)  # same flavor
    act(admin, sid, {"resize": {"flavorRef": "1"}})
    resized = settle(admin, sid)
    assert state(resized) == ("VERIFY_RESIZE", "resized", None, 1)
    dest = resized["OS-EXT-SRV-ATTR:host"]
    assert dest != source and resized["flavor"]["original_name"] == "m1.tiny"
    migration = Migration.objects.get(server__uuid=sid, migration_type="resize")
    assert migration.status == "finished"
    assert allocations(sid) == {dest: (1, 512)}
    assert Allocation.objects.get(consumer=migration.uuid).compute_node.host == source
    act(admin, sid, {"confirmResize": None}, expect=204)
    confirmed = admin.wait_for(sid, lambda s: s["status"] == "ACTIVE")
    assert confirmed["OS-EXT-SRV-ATTR:host"] == dest
    admin.wait_for(sid, lambda s: not Allocation.objects.filter(consumer=migration.uuid).exists())
    assert Migration.objects.get(pk=migration.pk).status == "confirmed"
    assert ComputeNode.objects.get(host=source).memory_mb_used == 0

    act(admin, sid, {"resize": {"flavorRef": "42"}})
    assert settle(admin, sid)["status"] == "VERIFY_RESIZE"
    act(admin, sid, {"revertResize": None})
    reverted = settle(admin, sid)
    assert state(reverted) == ("ACTIVE", "active", None, 1)
    assert reverted["OS-EXT-SRV-ATTR:host"] == dest and reverted["flavor"]["original_name"] == "m1.tiny"
    assert allocations(sid) == {dest: (1, 512)}
    assert Migration.objects.filter(server__uuid=sid).latest("id").status == "reverted"
    assert ComputeNode.objects.get(host=source).memory_mb_used == 0


def test_cold_migrate_and_confirm(admin):
    server = boot_active(admin)
    sid, source = server["id"], server["OS-EXT-SRV-ATTR:host"]
    act(admin, sid, {"migrate": None})
    migrated = settle(admin, sid)
    assert migrated["status"] == "VERIFY_RESIZE" and migrated["OS-EXT-SRV-ATTR:host"] != source
    assert migrated["flavor"]["original_name"] == "cirros"
    act(admin, sid, {"confirmResize": None}, expect=204)
    admin.wait_for(sid, lambda s: s["status"] == "ACTIVE")
    admin.wait_for(
        sid,
        lambda s: (
            {h for (h,) in Allocation.objects.filter(consumer__in=[sid]).values_list("compute_node__host")}
            == {migrated["OS-EXT-SRV-ATTR:host"]}
            and Allocation.objects.filter(compute_node__host=source).count() == 0
        ),
    )


def test_live_migration(admin):
    server = boot_active(admin)
    sid, source = server["id"], server["OS-EXT-SRV-ATTR:host"]
    act(
        admin,
        sid,
        {"os-migrateLive": {"host": None, "block_migration": "auto"}},
        headers={"OpenStack-API-Version": "compute 2.30"},
    )
    moved = admin.wait_for(sid, lambda s: s["OS-EXT-STS:task_state"] is None and s["OS-EXT-SRV-ATTR:host"] != source)
    assert state(moved) == ("ACTIVE", "active", None, 1)
    migration = Migration.objects.get(server__uuid=sid, migration_type="live-migration")
    assert migration.status == "completed" and migration.dest_compute == moved["OS-EXT-SRV-ATTR:host"]
    assert allocations(sid) == {moved["OS-EXT-SRV-ATTR:host"]: (1, 128)}
    assert not Allocation.objects.filter(consumer=migration.uuid).exists()
    assert events(sid, "live-migration") == {"compute_live_migration": "Success"}


def test_snapshot_and_backup_rotation(admin):
    sid = boot_active(admin)["id"]
    response = act(admin, sid, {"createImage": {"name": "snap1", "metadata": {"purpose": "test"}}})
    image_id = response.json()["image_id"]
    assert admin.get(f"/image/v2/images/{image_id}").status_code == 200  # exists at once
    admin.wait_for(
        sid, lambda s: Image.objects.get(id=image_id).status == "active" and s["OS-EXT-STS:task_state"] is None
    )
    image = Image.objects.get(id=image_id)
    assert image.properties["instance_uuid"] == sid and image.properties["purpose"] == "test" and image.checksum
    for index in range(3):
        act(admin, sid, {"createBackup": {"name": f"b{index}", "backup_type": "daily", "rotation": 2}})
        settle(admin, sid)
    admin.wait_for(
        sid,
        lambda s: (
            sorted(
                Image.objects.filter(properties__backup_type="daily")
                .exclude(status="deleted")
                .values_list("name", flat=True),
                key=str,
            )
            == ["b1", "b2"]
        ),
    )
    old = admin.post(
        f"/compute/v2.1/servers/{sid}/action",
        {"createImage": {"name": "old"}},
        headers={"OpenStack-API-Version": "compute 2.44"},
    )
    assert old.status_code == 202 and "/image/v2/images/" in old.headers["Location"]
    settle(admin, sid)


def test_shelve_and_unshelve(admin):
    server = boot_active(admin)
    sid = server["id"]
    act(admin, sid, {"shelve": None})
    shelved = admin.wait_for(sid, lambda s: s["status"] == "SHELVED_OFFLOADED" and s["OS-EXT-STS:task_state"] is None)
    assert shelved["OS-EXT-SRV-ATTR:host"] is None and shelved["OS-EXT-STS:power_state"] == 0
    assert allocations(sid) == {}
    assert Image.objects.filter(
        properties__instance_uuid=sid, properties__image_type="shelved", status="active"
    ).exists()
    act(admin, sid, {"unshelve": {"availability_zone": "az2"}}, headers={"OpenStack-API-Version": "compute 2.77"})
    back = settle(admin, sid)
    assert state(back) == ("ACTIVE", "active", None, 1), back.get("fault")
    assert back["OS-EXT-AZ:availability_zone"] == "az2" and back["OS-EXT-SRV-ATTR:host"] == "compute3"
    assert allocations(sid) == {"compute3": (1, 128)}
    assert not Image.objects.filter(
        properties__instance_uuid=sid, properties__image_type="shelved", status="active"
    ).exists()


def test_deleting_a_shelved_server_deletes_its_shelved_image(admin):
    sid = boot_active(admin)["id"]
    act(admin, sid, {"shelve": None})
    admin.wait_for(sid, lambda s: s["status"] == "SHELVED_OFFLOADED" and s["OS-EXT-STS:task_state"] is None)
    image = Image.objects.get(properties__instance_uuid=sid, properties__image_type="shelved")
    assert image.status == "active"
    assert admin.delete(f"/compute/v2.1/servers/{sid}").status_code == 204
    admin.wait_until_gone(sid)
    image.refresh_from_db()
    assert image.status == "deleted"  # as Nova: the shelved snapshot goes with the server


def test_evacuate_from_a_down_host(admin, cloud):
    server = boot_active(admin, availability_zone="nova")
    sid, source = server["id"], server["OS-EXT-SRV-ATTR:host"]
    act(admin, sid, {"evacuate": {}}, expect=400)  # source still up
    Service.objects.filter(host=source, binary="nova-compute").update(forced_down=True)
    act(admin, sid, {"evacuate": {}}, expect=200)
    evacuated = admin.wait_for(
        sid, lambda s: s["OS-EXT-STS:task_state"] is None and s["OS-EXT-SRV-ATTR:host"] != source
    )
    assert state(evacuated) == ("ACTIVE", "active", None, 1)
    migration = Migration.objects.get(server__uuid=sid, migration_type="evacuation")
    assert migration.status == "done"
    assert Allocation.objects.get(consumer=migration.uuid).compute_node.host == source  # held until the source returns
    # The source comes back: its worker restarts, destroys what was evacuated, frees the source.
    Service.objects.filter(host=source, binary="nova-compute").update(forced_down=False)
    cloud.restart(source)
    admin.wait_for(sid, lambda s: Migration.objects.get(pk=migration.pk).status == "completed", timeout=60)
    assert not Allocation.objects.filter(consumer=migration.uuid).exists()
    assert allocations(sid) == {evacuated["OS-EXT-SRV-ATTR:host"]: (1, 128)}


def test_every_action_is_refused_in_the_wrong_state(admin):
    sid = boot_active(admin)["id"]
    for body in (
        {"os-start": None},
        {"unpause": None},
        {"resume": None},
        {"unrescue": None},
        {"confirmResize": None},
        {"revertResize": None},
        {"unshelve": None},
    ):
        response = admin.post(f"/compute/v2.1/servers/{sid}/action", body, headers=LATEST)
        assert response.status_code == 409, (body, response.text)
        assert "conflictingRequest" in response.json()
    assert Server.objects.get(uuid=sid).task_state is None


def test_volume_attach_and_detach(admin):
    server = boot_active(admin)
    sid = server["id"]
    project = server["tenant_id"]
    created = admin.post(f"/volume/v3/{project}/volumes", {"volume": {"size": 1, "name": "data"}})
    assert created.status_code == 202, created.text
    volume_id = created.json()["volume"]["id"]
    attach = admin.post(
        f"/compute/v2.1/servers/{sid}/os-volume_attachments", {"volumeAttachment": {"volumeId": volume_id}}
    )
    assert attach.status_code == 200, attach.text
    assert attach.json()["volumeAttachment"]["volumeId"] == volume_id
    admin.wait_for(
        sid, lambda s: admin.get(f"/volume/v3/{project}/volumes/{volume_id}").json()["volume"]["status"] == "in-use"
    )
    listed = admin.get(f"/compute/v2.1/servers/{sid}/os-volume_attachments").json()["volumeAttachments"]
    assert [(a["volumeId"], a["device"].startswith("/dev/")) for a in listed] == [(volume_id, True)]
    assert admin.server(sid)["os-extended-volumes:volumes_attached"] == [
        {"id": volume_id, "delete_on_termination": False}
    ]
    again = admin.post(
        f"/compute/v2.1/servers/{sid}/os-volume_attachments", {"volumeAttachment": {"volumeId": volume_id}}
    )
    assert again.status_code == 400  # Nova's InvalidVolume
    assert (
        admin.delete(f"/volume/v3/{project}/volumes/{volume_id}").status_code == 400
    )  # in use: Cinder's InvalidVolume
    assert admin.delete(f"/compute/v2.1/servers/{sid}/os-volume_attachments/{volume_id}").status_code == 202
    admin.wait_for(
        sid, lambda s: admin.get(f"/volume/v3/{project}/volumes/{volume_id}").json()["volume"]["status"] == "available"
    )
    assert admin.get(f"/compute/v2.1/servers/{sid}/os-volume_attachments").json()["volumeAttachments"] == []
    assert set(events(sid, "detach_volume")) == {"compute_detach_volume"}


def test_interface_attach_and_detach(admin):
    sid = boot_active(admin)["id"]
    network = admin.get("/network/v2.0/networks", params={"name": "provider"}).json()["networks"][0]
    assert admin.get(f"/compute/v2.1/servers/{sid}/os-interface").json()["interfaceAttachments"] == []
    attached = admin.post(
        f"/compute/v2.1/servers/{sid}/os-interface", {"interfaceAttachment": {"net_id": network["id"]}}
    )
    assert attached.status_code == 200, attached.text
    port_id = attached.json()["interfaceAttachment"]["port_id"]
    admin.wait_for(
        sid,
        lambda s: (
            admin.get(f"/compute/v2.1/servers/{sid}/os-interface/{port_id}").json()["interfaceAttachment"]["port_state"]
            == "ACTIVE"
        ),
    )
    assert list(admin.server(sid)["addresses"]) == ["provider"]
    assert events(sid, "attach_interface") == {"compute_attach_interface": "Success"}
    assert admin.delete(f"/compute/v2.1/servers/{sid}/os-interface/{port_id}").status_code == 202
    admin.wait_for(
        sid, lambda s: admin.get(f"/compute/v2.1/servers/{sid}/os-interface").json()["interfaceAttachments"] == []
    )
    assert admin.server(sid)["addresses"] == {}


def test_instance_actions_show_events_and_tracebacks_to_admins(admin, demo):
    sid = boot_active(demo)["id"]
    act(demo, sid, {"os-stop": None})
    settle(demo, sid)
    listed = demo.get(f"/compute/v2.1/servers/{sid}/os-instance-actions").json()["instanceActions"]
    assert [a["action"] for a in listed] == ["stop", "create"]
    request_id = listed[0]["request_id"]
    as_member = demo.get(f"/compute/v2.1/servers/{sid}/os-instance-actions/{request_id}", headers=LATEST).json()[
        "instanceAction"
    ]
    assert [e["event"] for e in as_member["events"]] == ["compute_stop_instance"]
    assert "traceback" not in as_member["events"][0]
    as_admin = admin.get(f"/compute/v2.1/servers/{sid}/os-instance-actions/{request_id}", headers=LATEST).json()[
        "instanceAction"
    ]
    assert as_admin["events"][0]["result"] == "Success" and "traceback" in as_admin["events"][0]
    assert demo.get(f"/compute/v2.1/servers/{sid}/os-instance-actions/req-nope").status_code == 404
