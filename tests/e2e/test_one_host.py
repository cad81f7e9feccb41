"""One compute host and operator settings that change workflows: resize to the same host,
shelve without offload, and soft delete with restore."""

from __future__ import annotations

import pytest

from hosts.models import Allocation, ComputeNode
from servers.models import Server

from .helpers import act, allocations, boot_active, state

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def compute_hosts():
    return {"compute1": ""}


@pytest.fixture(scope="module")
def worker_env():
    return {"ALLOW_RESIZE_TO_SAME_HOST": "1", "SHELVED_OFFLOAD_TIME": "-1"}


def test_resize_to_the_same_host(admin):
    sid = boot_active(admin)["id"]
    act(admin, sid, {"resize": {"flavorRef": "1"}})
    resized = admin.wait_until_settled(sid)
    assert state(resized) == ("VERIFY_RESIZE", "resized", None, 1) and resized["OS-EXT-SRV-ATTR:host"] == "compute1"
    node = ComputeNode.objects.get(host="compute1")
    assert node.memory_mb_used == 128 + 512  # both flavors held until confirm
    act(admin, sid, {"confirmResize": None}, expect=204)
    admin.wait_for(
        sid, lambda s: s["status"] == "ACTIVE" and ComputeNode.objects.get(host="compute1").memory_mb_used == 512
    )
    assert allocations(sid) == {"compute1": (1, 512)}


def test_resize_to_the_same_host_and_revert(admin):
    sid = boot_active(admin)["id"]
    act(admin, sid, {"resize": {"flavorRef": "1"}})
    admin.wait_until_settled(sid)
    act(admin, sid, {"revertResize": None})
    reverted = admin.wait_until_settled(sid)
    assert state(reverted) == ("ACTIVE", "active", None, 1) and reverted["flavor"]["original_name"] == "cirros"
    assert allocations(sid) == {"compute1": (1, 128)}
    assert Allocation.objects.filter(compute_node__host="compute1").count() == 1


def test_shelve_without_offload_then_offload_then_unshelve(admin):
    sid = boot_active(admin)["id"]
    act(admin, sid, {"shelve": None})
    shelved = admin.wait_until_settled(sid)
    assert state(shelved)[:3] == ("SHELVED", "shelved", None) and shelved["OS-EXT-SRV-ATTR:host"] == "compute1"
    act(admin, sid, {"unshelve": None})
    assert state(admin.wait_until_settled(sid)) == ("ACTIVE", "active", None, 1)
    act(admin, sid, {"shelve": None})
    admin.wait_until_settled(sid)
    act(admin, sid, {"shelveOffload": None})
    offloaded = admin.wait_until_settled(sid)
    assert offloaded["status"] == "SHELVED_OFFLOADED" and offloaded["OS-EXT-SRV-ATTR:host"] is None
    assert allocations(sid) == {}
    act(admin, sid, {"unshelve": None})
    assert state(admin.wait_until_settled(sid)) == ("ACTIVE", "active", None, 1)


def test_soft_delete_restore_and_force_delete(admin, settings):
    settings.RECLAIM_INSTANCE_INTERVAL = 3600  # read by the API, which decides soft or hard
    sid = boot_active(admin)["id"]
    assert admin.delete(f"/compute/v2.1/servers/{sid}").status_code == 204
    soft = admin.wait_until_settled(sid)
    assert state(soft)[:3] == ("SOFT_DELETED", "soft-delete", None)
    assert allocations(sid) == {"compute1": (1, 128)}  # kept for a restore
    act(admin, sid, {"restore": None})
    assert state(admin.wait_until_settled(sid)) == ("ACTIVE", "active", None, 1)
    assert admin.delete(f"/compute/v2.1/servers/{sid}").status_code == 204
    admin.wait_until_settled(sid)
    act(admin, sid, {"forceDelete": None})
    admin.wait_until_gone(sid)
    assert Server.objects.get(uuid=sid).deleted and allocations(sid) == {}
