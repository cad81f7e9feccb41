"""Failures mid-operation end in a truthful state: a rollback (the server where it was, as it
was) or ERROR with a fault; never a leftover task_state or a stray allocation."""

from __future__ import annotations

import pytest

from hosts.models import Allocation
from images.models import Image
from servers.models import Migration

from .helpers import act, allocations, boot_active, events, state

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def compute_hosts():
    # compute1 (where servers land first) fails on the source side of moves and snapshots;
    # compute2 fails to receive a live-migrated guest.
    return {
        "compute1": "compute.migrate_disk_and_power_off,compute.snapshot_instance",
        "compute2": "compute.import_guest",
    }


def test_resize_failing_on_the_source_rolls_back(admin):
    server = boot_active(admin)
    sid = server["id"]
    assert server["OS-EXT-SRV-ATTR:host"] == "compute1"
    act(admin, sid, {"resize": {"flavorRef": "1"}})
    after = admin.wait_until_settled(sid)
    assert state(after) == ("ACTIVE", "active", None, 1)
    assert after["OS-EXT-SRV-ATTR:host"] == "compute1" and after["flavor"]["original_name"] == "cirros"
    assert allocations(sid) == {"compute1": (1, 128)}
    migration = Migration.objects.get(server__uuid=sid)
    assert migration.status == "error"
    assert not Allocation.objects.filter(consumer=migration.uuid).exists()
    assert events(sid, "resize")["compute_resize_instance"] == "Error"


def test_live_migration_failing_on_the_destination_rolls_back(admin):
    sid = boot_active(admin)["id"]
    act(
        admin,
        sid,
        {"os-migrateLive": {"host": "compute2", "block_migration": "auto"}},
        headers={"OpenStack-API-Version": "compute 2.30"},
    )
    admin.wait_for(
        sid,
        lambda s: (
            Migration.objects.filter(server__uuid=sid, status="failed").exists() and s["OS-EXT-STS:task_state"] is None
        ),
    )
    after = admin.server(sid)
    assert state(after) == ("ACTIVE", "active", None, 1) and after["OS-EXT-SRV-ATTR:host"] == "compute1"
    assert allocations(sid) == {"compute1": (1, 128)}
    assert events(sid, "live-migration")["compute_live_migration"] == "Error"


def test_snapshot_failure_kills_the_image(admin):
    sid = boot_active(admin)["id"]
    image_id = act(admin, sid, {"createImage": {"name": "doomed"}}).json()["image_id"]
    after = admin.wait_until_settled(sid)
    assert state(after) == ("ACTIVE", "active", None, 1)
    assert Image.objects.get(id=image_id).status == "killed"
    assert events(sid, "createImage")["compute_snapshot_instance"] == "Error"
