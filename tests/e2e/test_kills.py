"""Processes killed with SIGKILL mid-workflow: nothing stays stuck. A restarted compute
worker recovers the servers left mid-task on its host; a restarted conductor finishes the
chains it was running (Redis redelivers unacknowledged tasks)."""

from __future__ import annotations

import signal

import pytest

from hosts.models import Allocation
from servers.models import InstanceActionEvent, Server
from tests.waiting import wait_until
from workers.conductor.build import EVENT_SCHEDULE

from .helpers import act, boot, boot_active

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def compute_hosts():
    slow = {"delays": "compute.build_and_run_instance=4,compute.migrate_disk_and_power_off=4"}
    return {"compute1": slow, "compute2": ""}


@pytest.fixture(scope="module")
def worker_env():
    return {"CELERY_VISIBILITY_TIMEOUT": "8"}


def wait_task_state(api, sid, task_state, timeout=30):
    return api.wait_for(sid, lambda s: s["OS-EXT-STS:task_state"] == task_state, timeout)


def test_compute_worker_killed_mid_build(admin, cloud):
    sid = boot(admin)
    server = wait_task_state(admin, sid, "spawning")
    assert server["OS-EXT-SRV-ATTR:host"] == "compute1"
    cloud.restart("compute1", signal.SIGKILL)
    after = admin.wait_until_settled(sid)
    assert after["OS-EXT-STS:task_state"] is None
    assert after["status"] in ("ERROR", "ACTIVE")
    if after["status"] == "ERROR":
        assert "interrupted" in after["fault"]["message"]
    assert admin.delete(f"/compute/v2.1/servers/{sid}").status_code == 204
    admin.wait_until_gone(sid)
    assert not Allocation.objects.filter(consumer=sid).exists()


def test_compute_worker_killed_mid_resize(admin, cloud):
    sid = boot_active(admin)["id"]
    act(admin, sid, {"resize": {"flavorRef": "1"}})
    wait_task_state(admin, sid, "resize_migrating")
    source = admin.server(sid)["OS-EXT-SRV-ATTR:host"]
    cloud.restart(source, signal.SIGKILL)
    after = admin.wait_until_settled(sid, timeout=60)
    assert after["OS-EXT-STS:task_state"] is None
    assert after["status"] in ("ERROR", "VERIFY_RESIZE")
    assert admin.delete(f"/compute/v2.1/servers/{sid}").status_code == 204
    admin.wait_until_gone(sid)
    assert Allocation.objects.count() == 0


def test_conductor_killed_mid_chain(admin, cloud):
    ids = [boot(admin, name=f"k{i}") for i in range(3)]
    # Kill it once it has started every build chain (the scheduling step of each is under way).
    started = InstanceActionEvent.objects.filter(action__server__uuid__in=ids, event=EVENT_SCHEDULE)
    wait_until(lambda: started.count() == len(ids), 30, what="the conductor starting the three builds")
    cloud.restart("conductor", signal.SIGKILL)
    for sid in ids:
        after = admin.wait_until_settled(sid, timeout=90)
        assert after["OS-EXT-STS:task_state"] is None
        assert after["status"] in ("ACTIVE", "ERROR")
    for server in Server.objects.filter(uuid__in=ids, vm_state="active"):
        assert Allocation.objects.filter(consumer=server.uuid).count() == 1
