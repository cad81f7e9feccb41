"""A conductor step delivered twice (Redis redelivers what a killed conductor held) carries
on where the first delivery stopped, without workers: the build the first delivery may never
have cast is cast, and a claim nobody uses any more is given back."""

from __future__ import annotations

from unittest import mock

import pytest

from servers.models import Server
from servers.states import PowerState, TaskState, VmState
from workers.conductor import build
from workers.conductor import dispatch as conductor_dispatch

pytestmark = pytest.mark.django_db

FLAVOR = {"flavorid": "1", "name": "tiny", "vcpus": 1, "memory_mb": 512, "root_gb": 1}


def make_server(task_state: str, host: str | None) -> Server:
    return Server.objects.create(
        name="s",
        project_id="p",
        user_id="u",
        flavor=FLAVOR,
        host=host,
        node=host,
        vm_state=VmState.BUILDING,
        task_state=task_state,
        power_state=PowerState.NOSTATE,
    )


def dispatch(server: Server, host: str) -> tuple[mock.MagicMock, mock.MagicMock]:
    """The scheduler chose `host`: run the dispatch step as a (re)delivery would."""
    with (
        mock.patch.object(build, "compute_then") as compute_then,
        mock.patch.object(build.claims, "release") as release,
    ):
        build._send_to_host(str(server.uuid), "req-1", host, host, [], attempt=1, expected=TaskState.SCHEDULING)
    return compute_then, release


def test_a_redelivered_dispatch_casts_the_build_again():
    server = make_server(TaskState.SPAWNING, "c1")  # the first delivery got this far, then died
    compute_then, release = dispatch(server, "c1")
    compute_then.assert_called_once()
    assert compute_then.call_args.args[:2] == ("compute.build_and_run_instance", "c1")
    release.assert_not_called()
    server.refresh_from_db()
    assert (server.task_state, server.host) == (TaskState.SPAWNING, "c1")


def test_a_dispatch_to_a_host_the_server_is_not_on_gives_the_claim_back():
    server = make_server(TaskState.SPAWNING, "c2")
    compute_then, release = dispatch(server, "c1")
    compute_then.assert_not_called()
    release.assert_called_once_with(str(server.uuid), host="c1")


def test_a_dispatch_after_the_build_ended_does_nothing():
    server = make_server(TaskState.SPAWNING, "c1")
    Server.objects.filter(pk=server.pk).update(vm_state=VmState.ACTIVE, task_state=None)
    compute_then, release = dispatch(server, "c1")
    compute_then.assert_not_called()
    release.assert_not_called()


def finished(server: Server, outcome: dict, host: str = "c1") -> tuple[mock.MagicMock, mock.MagicMock]:
    """Run conductor.build_finished for `outcome` from `host`, as a (late) delivery would."""
    with (
        # What build_finished casts to a host (a guest to destroy) goes out through dispatch.
        mock.patch.object(conductor_dispatch, "compute_cast") as compute_cast,
        mock.patch.object(build.claims, "release") as release,
    ):
        build.build_finished(outcome, str(server.uuid), "req-1", host, [], attempt=1)
    return compute_cast, release


def test_a_late_failure_of_a_finished_build_keeps_its_claim():
    server = make_server(TaskState.SPAWNING, "c1")
    Server.objects.filter(pk=server.pk).update(vm_state=VmState.ACTIVE, task_state=None)
    _, release = finished(server, {"ok": False, "error": "boom"})
    release.assert_not_called()
    server.refresh_from_db()
    assert (server.vm_state, server.task_state) == (VmState.ACTIVE, None)


def test_a_late_success_on_a_host_the_server_left_destroys_that_guest():
    server = make_server(TaskState.SPAWNING, "c2")  # rescheduled from c1 meanwhile
    compute_cast, release = finished(server, {"ok": True, "power_state": PowerState.RUNNING}, host="c1")
    assert compute_cast.call_args.args[:2] == ("compute.terminate_instance", "c1")
    release.assert_not_called()
    server.refresh_from_db()
    assert (server.vm_state, server.task_state, server.host) == (VmState.BUILDING, TaskState.SPAWNING, "c2")


def test_an_interrupted_build_with_no_alternate_names_the_interruption():
    server = make_server(TaskState.SPAWNING, "c1")
    error = "Build of the instance was interrupted by a compute service restart"
    finished(server, {"ok": False, "interrupted": True, "error": error})
    server.refresh_from_db()
    assert (server.vm_state, server.task_state) == (VmState.ERROR, None)
    assert "interrupted by a compute service restart" in server.faults.get().message


def test_a_build_is_wanted_only_while_spawning_on_that_host():
    server = make_server(TaskState.SPAWNING, "c1")
    assert build.build_wanted(str(server.uuid), "c1") is True
    assert build.build_wanted(str(server.uuid), "c2") is False
    Server.objects.filter(pk=server.pk).update(task_state=TaskState.DELETING)
    assert build.build_wanted(str(server.uuid), "c1") is False


def test_a_success_for_a_server_deleted_meanwhile_tears_its_guest_down_again():
    server = make_server(TaskState.SPAWNING, "c1")
    Server.objects.filter(pk=server.pk).update(task_state=TaskState.DELETING)
    compute_cast, _ = finished(server, {"ok": True, "power_state": PowerState.RUNNING}, host="c1")
    assert compute_cast.call_args.args[:2] == ("compute.terminate_instance", "c1")
    server.refresh_from_db()
    assert (server.vm_state, server.task_state) == (VmState.BUILDING, TaskState.DELETING)


def test_a_success_on_the_servers_host_makes_it_active_and_twice_changes_nothing():
    server = make_server(TaskState.SPAWNING, "c1")
    for _ in range(2):  # a redelivered outcome
        compute_cast, _ = finished(server, {"ok": True, "power_state": PowerState.RUNNING}, host="c1")
        compute_cast.assert_not_called()
        server.refresh_from_db()
        assert (server.vm_state, server.task_state, server.host) == (VmState.ACTIVE, None, "c1")
