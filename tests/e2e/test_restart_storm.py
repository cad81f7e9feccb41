"""A compute worker killed (SIGKILL) in the middle of a boot storm and started again: no
accepted boot is lost. Builds still queued for the host run when it is back; the builds it
was running are cleaned from it and rescheduled to the other host; a build message that
outlived its server creates no guest, whether it waited for a stopped worker (which asks the
conductor) or behind other builds on a live one (the delete revoked it)."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from hosts.models import Allocation
from servers.models import InstanceActionEvent, Server
from tests.waiting import wait_until

from .helpers import boot, boot_on, guests_on

pytestmark = pytest.mark.e2e

STORM = 20
VISIBILITY_TIMEOUT = 6


@pytest.fixture(scope="module")
def compute_hosts():
    # Slow builds: the storm is still running on both hosts when one of them is killed.
    slow = {"delays": "compute.build_and_run_instance=2", "vcpus": 16, "memory_mb": 16384}
    return {"compute1": slow, "compute2": slow}


@pytest.fixture(scope="module")
def worker_env():
    # Unacknowledged messages come back soon, so the tests see the stale redeliveries too; and
    # beat drives stalled builds again soon: a message that a worker killed by SIGKILL had
    # just taken from Redis, before recording it as unacknowledged, is lost.
    return {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT), "RECONCILE_INTERVAL": "3", "RECONCILE_AFTER": "15"}


@pytest.fixture(scope="module", autouse=True)
def beat(workers):
    """Beat runs here as in production (the reconciler is part of the drill)."""
    workers.start_beat()
    yield
    workers.kill("beat")


def kill_and_start_again(cloud, name: str, down_for: float) -> None:
    """SIGKILL the worker, keep it down `down_for` seconds, start it again as it was."""
    worker = cloud.workers[name]
    cloud.kill(name, signal.SIGKILL)
    time.sleep(down_for)
    cloud.start(name, worker.argv, worker.env)


def assert_no_orphan_guests(hosts=("compute1", "compute2")) -> None:
    """No host runs a guest that no server on it claims."""
    for host in hosts:
        claimed = {str(u) for u in Server.objects.filter(host=host, deleted=False).values_list("uuid", flat=True)}
        orphans = set(guests_on(host)) - claimed
        assert not orphans, f"guests on {host} without their server: {orphans}"


def raise_instance_quota(api, instances: int) -> None:
    """Room for the storm in the admin project (os-quota-sets, as an operator would)."""
    from identity.models import Project

    project = Project.objects.get(name="admin")
    body = {"quota_set": {"instances": instances, "cores": instances, "ram": instances * 512}}
    assert api.session.put(f"{api.base}/compute/v2.1/os-quota-sets/{project.id}", json=body, timeout=10).ok


def test_compute_killed_mid_storm_loses_no_boot(admin, cloud):
    raise_instance_quota(admin, STORM)
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda i: boot(admin, name=f"storm{i}"), range(STORM)))
    on_compute1 = Server.objects.filter(uuid__in=ids, host="compute1", task_state="spawning")
    wait_until(lambda: on_compute1.count() >= 4, 60, what="builds running and queued on compute1")
    kill_and_start_again(cloud, "compute1", down_for=3)

    settled = [admin.wait_until_settled(sid, timeout=180) for sid in ids]
    for server in settled:
        assert server["OS-EXT-STS:task_state"] is None
        # Every boot ends ACTIVE: a queued build ran once compute1 was back, an interrupted one
        # moved to compute2 (the only truthful ERROR would name the interruption).
        if server["status"] != "ACTIVE":
            assert server["status"] == "ERROR" and "interrupted" in server["fault"]["message"], server
    assert [s["status"] for s in settled].count("ACTIVE") == STORM, [s.get("fault") for s in settled]
    assert "interrupted by the restart of compute1" in cloud.workers["compute1"].output()

    # Allocations equal servers: one per server, on its host.
    for server in Server.objects.filter(uuid__in=ids):
        held = list(Allocation.objects.filter(consumer=server.uuid).values_list("compute_node__host", flat=True))
        assert held == [server.host], (server.uuid, server.host, held)
    assert Allocation.objects.count() == STORM

    # After the broker gave back what the killed worker held, no guest is left without its server.
    time.sleep(VISIBILITY_TIMEOUT + 2)
    assert_no_orphan_guests()
    assert Allocation.objects.count() == STORM
    for sid in ids:
        assert admin.delete(f"/compute/v2.1/servers/{sid}").status_code == 204
    for sid in ids:
        admin.wait_until_gone(sid)
    assert Allocation.objects.count() == 0


def test_build_message_of_a_deleted_server_creates_no_guest(admin, cloud):
    worker = cloud.workers["compute1"]
    cloud.kill("compute1", signal.SIGKILL)
    sid = boot_on(admin, "compute1", "stale")  # the host still counts as up: its build waits in its queue
    admin.wait_for(sid, lambda s: s is not None and s["OS-EXT-STS:task_state"] == "spawning", 30)
    assert admin.delete(f"/compute/v2.1/servers/{sid}").status_code == 204
    cloud.start("compute1", worker.argv, worker.env)
    admin.wait_until_gone(sid, timeout=60)

    # The build asked whether it was still wanted and stopped: its chain never reported.
    wait_until(lambda: "no longer wanted" in cloud.workers["compute1"].output(), 30, what="the stale build dropped")
    event = InstanceActionEvent.objects.get(action__server__uuid=sid, event="compute_build_and_run_instance")
    assert event.result is None
    assert sid not in guests_on("compute1")
    assert not Allocation.objects.filter(consumer=sid).exists()


def test_build_message_of_a_server_deleted_while_queued_on_a_live_host_creates_no_guest(admin, cloud):
    # Four build at a time for 2 s each: the last of twelve waits about 4 s in the queue, time
    # enough for its delete (and the revoke) to get there first even on a loaded machine.
    raise_instance_quota(admin, 12)
    ids = [boot_on(admin, "compute1", f"busy{i}") for i in range(12)]
    last = ids[-1]
    admin.wait_for(last, lambda s: s is not None and s["OS-EXT-STS:task_state"] == "spawning", 30)
    assert admin.delete(f"/compute/v2.1/servers/{last}").status_code == 204
    admin.wait_until_gone(last, timeout=60)
    for sid in ids[:-1]:
        assert admin.wait_until_settled(sid, timeout=90)["status"] == "ACTIVE"

    # The delete revoked the queued build: the worker discarded it, and its chain never reported.
    assert f"build-{last}-compute1" in cloud.workers["compute1"].output()
    assert "revoked" in cloud.workers["compute1"].output()
    event = InstanceActionEvent.objects.get(action__server__uuid=last, event="compute_build_and_run_instance")
    assert event.result is None
    assert last not in guests_on("compute1")
    assert_no_orphan_guests()
