"""Unshelve onto a named host (2.91, admins) and unpinning on unshelve: the API's checks,
then the conductor step claiming that host rather than asking the scheduler (the cast to
the compute worker is the boundary here)."""

from __future__ import annotations

from unittest import mock

import pytest

from hosts.heartbeats import record_compute_report
from servers.models import InstanceAction, Server
from workers.conductor import shelve

from .servers_helpers import demo_server

pytestmark = pytest.mark.django_db

V291 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.91"}


@pytest.fixture
def offloaded(demo_api):
    for host in ("c1", "c2"):
        record_compute_report(host, {"vcpus": 4, "memory_mb": 4096, "disk_gb": 40})
    return demo_server(
        vm_state="shelved_offloaded", power_state=0, host=None, node=None, requested_availability_zone="nova"
    )


def unshelve(api, server, args, headers=V291):
    return api.post(f"/compute/v2.1/servers/{server.uuid}/action", {"unshelve": args}, format="json", **headers)


def test_an_admin_unshelves_onto_a_named_host(admin_api, offloaded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = unshelve(admin_api, offloaded, {"host": "c2"})
    assert response.status_code == 202, response.content
    offloaded.refresh_from_db()
    assert offloaded.task_state == "unshelving"
    assert InstanceAction.objects.filter(server=offloaded, action="unshelve").exists()
    request_id = InstanceAction.objects.get(server=offloaded).request_id
    with mock.patch.object(shelve, "compute_then") as compute_then:
        shelve.unshelve_server(str(offloaded.uuid), request_id, "c2")
    assert compute_then.call_args.args[:2] == ("compute.build_and_run_instance", "c2")
    offloaded.refresh_from_db()
    assert (offloaded.host, offloaded.task_state) == ("c2", "spawning")


def test_a_host_with_no_room_leaves_the_server_offloaded(admin_api, offloaded, django_capture_on_commit_callbacks):
    record_compute_report("c2", {"vcpus": 0, "memory_mb": 0, "disk_gb": 0})
    with django_capture_on_commit_callbacks(execute=False):
        assert unshelve(admin_api, offloaded, {"host": "c2"}).status_code == 202
    request_id = InstanceAction.objects.get(server=offloaded).request_id
    with mock.patch.object(shelve, "compute_then") as compute_then:
        shelve.unshelve_server(str(offloaded.uuid), request_id, "c2")
    compute_then.assert_not_called()
    offloaded.refresh_from_db()
    assert (offloaded.vm_state, offloaded.task_state, offloaded.host) == ("shelved_offloaded", None, None)


def test_naming_a_host_is_for_admins_and_for_known_hosts(demo_api, admin_api, offloaded):
    refused = unshelve(demo_api, offloaded, {"host": "c2"})
    assert refused.status_code == 403
    assert "os_compute_api:os-shelve:unshelve_to_host" in refused.json()["forbidden"]["message"]
    unknown = unshelve(admin_api, offloaded, {"host": "nowhere"})
    assert unknown.status_code == 400 and "nowhere could not be found" in unknown.json()["badRequest"]["message"]
    # The host must be in the zone the server will be pinned to.
    aggregate = {"aggregate": {"name": "far", "availability_zone": "elsewhere"}}
    assert admin_api.post("/compute/v2.1/os-aggregates", aggregate, format="json").status_code == 200
    elsewhere = unshelve(admin_api, offloaded, {"host": "c2", "availability_zone": "elsewhere"})
    assert elsewhere.status_code == 409
    assert elsewhere.json()["conflictingRequest"]["message"] == "Host c2 is not in the availability zone elsewhere."
    offloaded.refresh_from_db()
    assert offloaded.task_state is None and offloaded.requested_availability_zone == "nova"


def test_only_an_offloaded_server_takes_a_host_or_zone(admin_api, offloaded):
    Server.objects.filter(pk=offloaded.pk).update(vm_state="shelved", host="c1", node="c1")
    conflict = unshelve(admin_api, offloaded, {"host": "c2"})
    assert conflict.status_code == 409
    assert "The server status must be SHELVED_OFFLOADED" in conflict.json()["conflictingRequest"]["message"]


def test_a_null_zone_unpins_from_2_91(admin_api, offloaded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        assert unshelve(admin_api, offloaded, {"availability_zone": None}).status_code == 202
    offloaded.refresh_from_db()
    assert offloaded.requested_availability_zone is None


def test_before_2_91_a_host_is_ignored_and_a_null_zone_keeps_the_pin(
    admin_api, offloaded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = unshelve(
            admin_api, offloaded, {"availability_zone": None}, {"HTTP_OPENSTACK_API_VERSION": "compute 2.90"}
        )
    assert response.status_code == 202
    offloaded.refresh_from_db()
    assert offloaded.requested_availability_zone == "nova"
