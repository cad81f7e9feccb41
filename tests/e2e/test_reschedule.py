"""Reschedules: a build that fails on a host moves to the next alternate after the failed
host is cleaned; after max_attempts, ERROR with a fault naming the attempts."""

from __future__ import annotations

import pytest

from hosts.models import Allocation, ComputeNode
from servers.models import InstanceAction

from .helpers import boot

pytestmark = pytest.mark.e2e

BUILD = "compute.build_and_run_instance"


@pytest.fixture(scope="module")
def compute_hosts():
    # compute1 and compute2 (zone nova) refuse every build; compute3 (zone az2) works.
    return {"compute1": BUILD, "compute2": BUILD, "compute3": ""}


def test_a_failed_build_moves_to_the_next_host(admin):
    server_id = boot(admin)
    server = admin.wait_until_settled(server_id)
    assert server["status"] == "ACTIVE"
    assert server["OS-EXT-SRV-ATTR:host"] == "compute3"
    assert server["OS-EXT-AZ:availability_zone"] == "az2"
    [allocation] = Allocation.objects.filter(consumer=server_id)
    assert allocation.compute_node.host == "compute3"
    for host in ("compute1", "compute2"):
        assert ComputeNode.objects.get(host=host).memory_mb_used == 0
    event = InstanceAction.objects.get(server__uuid=server_id, action="create").events.get(
        event="compute_build_and_run_instance"
    )
    assert event.result == "Success"


def test_after_the_last_attempt_the_server_is_in_error(admin):
    server_id = boot(admin, availability_zone="nova")  # only the two failing hosts
    server = admin.wait_until_settled(server_id)
    assert server["status"] == "ERROR" and server["OS-EXT-STS:task_state"] is None
    assert "Exceeded maximum number of retries" in server["fault"]["message"]
    assert "Attempts: 2" in server["fault"]["message"]
    assert "injected fault" in server["fault"]["message"]
    assert not Allocation.objects.filter(consumer=server_id).exists()
    action = InstanceAction.objects.get(server__uuid=server_id, action="create")
    assert action.message == "Error"
    assert "InjectedFault" in (action.events.get(event="compute_build_and_run_instance").traceback or "")
