"""Processes killed with SIGKILL mid-workflow: nothing stays stuck. A restarted compute
worker reports what it was running (its journal): a build it interrupted is rescheduled to
another host, another operation is recovered by the rules (and the redelivered message of
either is discarded); a restarted conductor finishes the chains it was running (their next
steps wait in its queue)."""

from __future__ import annotations

import re
import signal

import pytest

from hosts.models import Allocation
from servers.models import Server
from tests.waiting import wait_until

from .helpers import act, boot, boot_active

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def compute_hosts():
    # Slow hosts: a build or a resize is still running on its host when a test kills a worker.
    slow = {"delays": "compute.build_and_run_instance=4,compute.migrate_disk_and_power_off=4"}
    return {"compute1": slow, "compute2": slow}


@pytest.fixture(scope="module")
def worker_env():
    return {"CELERY_VISIBILITY_TIMEOUT": "8"}


def wait_task_state(api, sid, task_state, timeout=30):
    return api.wait_for(sid, lambda s: s["OS-EXT-STS:task_state"] == task_state, timeout)


def test_compute_worker_killed_mid_build(admin, cloud):
    sid = boot(admin)
    server = wait_task_state(admin, sid, "spawning")
    assert server["OS-EXT-SRV-ATTR:host"] == "compute1"
    # Spawning is set when the build is sent: wait until the host has taken it (a build still
    # queued when the worker dies simply runs on that host when it is back).
    taken = f"build_and_run_instance[build-{sid}-compute1] received"
    wait_until(lambda: taken in cloud.workers["compute1"].output(), 30, what="compute1 took the build")
    cloud.restart("compute1", signal.SIGKILL)
    after = admin.wait_until_settled(sid)
    # The interrupted build was cleaned from compute1 and moved to its alternate.
    assert after["OS-EXT-STS:task_state"] is None
    assert (after["status"], after["OS-EXT-SRV-ATTR:host"]) == ("ACTIVE", "compute2")
    assert list(Allocation.objects.filter(consumer=sid).values_list("compute_node__host", flat=True)) == ["compute2"]
    assert admin.delete(f"/compute/v2.1/servers/{sid}").status_code == 204
    admin.wait_until_gone(sid)
    assert not Allocation.objects.filter(consumer=sid).exists()


def test_compute_worker_killed_mid_resize(admin, cloud):
    sid = boot_active(admin)["id"]
    act(admin, sid, {"resize": {"flavorRef": "1"}})
    wait_task_state(admin, sid, "resize_migrating")
    source = admin.server(sid)["OS-EXT-SRV-ATTR:host"]
    # As for a build: kill the source once it has taken the step, not while it is still queued
    # (this module's only resize, so the first such line is this one's).
    taken = re.compile(r"compute\.migrate_disk_and_power_off\[[^\]]+\] received")
    wait_until(lambda: taken.search(cloud.workers[source].output()), 30, what=f"{source} took the resize")
    cloud.restart(source, signal.SIGKILL)
    after = admin.wait_until_settled(sid, timeout=60)
    # Nothing had moved yet: rolled back onto the source, as Nova's _init_instance reverts a
    # RESIZE_MIGRATING server, with a fault that names the interruption.
    assert after["OS-EXT-STS:task_state"] is None
    assert (after["status"], after["OS-EXT-SRV-ATTR:host"], after["flavor"]["original_name"]) == (
        "ACTIVE",
        source,
        "cirros",
    )
    fault = Server.objects.get(uuid=sid).faults.order_by("-id").first()  # shown only in ERROR
    assert fault is not None and "interrupted" in fault.message
    assert list(Allocation.objects.filter(consumer=sid).values_list("compute_node__host", flat=True)) == [source]
    assert Allocation.objects.count() == 1  # the destination's claim and the migration's are given back
    assert admin.delete(f"/compute/v2.1/servers/{sid}").status_code == 204
    admin.wait_until_gone(sid)
    assert Allocation.objects.count() == 0


def test_conductor_killed_mid_chain(admin, cloud):
    ids = [boot(admin, name=f"k{i}") for i in range(3)]
    # Kill it while every build runs on its host: the last step of each chain is still the
    # conductor's to run, and no report is on its way (one that a dying consumer has just
    # popped from Redis, before recording it as unacknowledged, would be lost).
    building = Server.objects.filter(uuid__in=ids, task_state="spawning")
    wait_until(lambda: building.count() == len(ids), 30, what="the three builds running on their hosts")
    cloud.restart("conductor", signal.SIGKILL)
    for sid in ids:
        after = admin.wait_until_settled(sid, timeout=90)
        assert after["OS-EXT-STS:task_state"] is None
        assert after["status"] in ("ACTIVE", "ERROR")
    for server in Server.objects.filter(uuid__in=ids, vm_state="active"):
        assert Allocation.objects.filter(consumer=server.uuid).count() == 1
