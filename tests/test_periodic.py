"""Periodic conductor work without workers: stuck task_states end truthfully; soft-deleted
servers are reclaimed; restarted hosts' servers are recovered (Nova's _init_instance)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from servers.models import Server
from workers.conductor import periodic
from workers.conductor.periodic import expire_stuck_tasks, reclaim_deleted_servers
from workers.conductor.recovery import recover_host, sync_power_states

pytestmark = pytest.mark.django_db

FLAVOR = {"flavorid": "1", "name": "tiny", "vcpus": 1, "memory_mb": 512, "root_gb": 1}


def make_server(vm_state="active", task_state=None, power_state=1, host="c1", age=0) -> Server:
    server = Server.objects.create(
        name="s",
        project_id="p",
        user_id="u",
        flavor=FLAVOR,
        host=host,
        vm_state=vm_state,
        task_state=task_state,
        power_state=power_state,
    )
    Server.objects.filter(pk=server.pk).update(updated_at=timezone.now() - timedelta(seconds=age))
    server.refresh_from_db()
    return server


def test_stuck_tasks_end_in_a_truthful_state(settings):
    settings.TASK_TIMEOUT = 60
    building = make_server("building", "spawning", 0, age=120)
    stopping = make_server("active", "powering-off", 4, age=120)
    fresh = make_server("active", "pausing", 1, age=10)
    assert expire_stuck_tasks() == 2
    for server in (building, stopping, fresh):
        server.refresh_from_db()
    assert (building.vm_state, building.task_state) == ("error", None)
    fault = building.faults.first()
    assert fault is not None and "timeout" in fault.message
    assert (stopping.vm_state, stopping.task_state) == ("stopped", None)  # as the hypervisor last said
    assert fresh.task_state == "pausing"


def test_restarted_host_recovers_what_it_interrupted():
    spawning = make_server("building", "spawning", 0)
    queued_build = make_server("building", "spawning", 0)
    rebooting = make_server("active", "rebooting", 1)
    snapshotting = make_server("active", "image_uploading", 1)
    queued_pause = make_server("active", "pausing", 1)
    elsewhere = make_server("building", "spawning", 0, host="c2")
    # (The interrupted build is not in the report: the worker told its build_finished.)
    interrupted = {
        str(rebooting.uuid): "compute.reboot_instance",
        str(snapshotting.uuid): "compute.snapshot_instance",
    }
    recover_host("c1", {str(rebooting.uuid): 1, str(snapshotting.uuid): 1}, interrupted)
    for server in (spawning, queued_build, rebooting, snapshotting, queued_pause, elsewhere):
        server.refresh_from_db()
    assert (spawning.vm_state, spawning.task_state) == ("building", "spawning")
    assert (rebooting.vm_state, rebooting.task_state, rebooting.power_state) == ("active", None, 1)
    assert (snapshotting.vm_state, snapshotting.task_state) == ("active", None)
    # Never started: their messages are still queued for the host, and run now that it is back.
    assert (queued_build.vm_state, queued_build.task_state) == ("building", "spawning")
    assert queued_pause.task_state == "pausing"
    assert elsewhere.task_state == "spawning"  # another host's business


def test_power_state_sync_follows_nova_rules():
    shut_down = make_server("active", None, 1)
    gone = make_server("active", None, 1)
    busy = make_server("active", "pausing", 1)
    sync_power_states("c1", {str(shut_down.uuid): 4, str(busy.uuid): 3})
    for server in (shut_down, gone, busy):
        server.refresh_from_db()
    assert (shut_down.vm_state, shut_down.power_state) == ("stopped", 4)
    assert (gone.vm_state, gone.power_state) == ("active", 0)  # missing guest: NOSTATE, as Nova
    assert (busy.task_state, busy.power_state) == ("pausing", 1)  # a task in progress is skipped


def test_soft_deleted_servers_are_reclaimed(settings):
    settings.RECLAIM_INSTANCE_INTERVAL = 60
    old = make_server("soft-delete", None, 4, age=120)
    recent = make_server("soft-delete", None, 4, age=5)
    assert reclaim_deleted_servers() == 1
    for server in (old, recent):
        server.refresh_from_db()
    assert old.task_state == "deleting" and recent.task_state is None


def test_stalled_builds_are_driven_again(settings):
    settings.RECONCILE_AFTER = 60
    scheduling = make_server("building", "scheduling", 0, host=None, age=120)
    spawning = make_server("building", "spawning", 0, age=120)
    make_server("building", "spawning", 0, age=5)  # still moving: left alone
    make_server("building", "spawning", 0, host="down", age=120)  # its queue keeps the build
    with (
        mock.patch.object(periodic.app, "send_task") as send_task,
        mock.patch.object(periodic, "redrive_spawning") as redrive,
        mock.patch.object(periodic, "host_is_up", side_effect=lambda host: host == "c1"),
    ):
        assert periodic.reconcile_stalled_builds() == 2
    assert send_task.call_args.args == ("conductor.build_servers",)
    assert send_task.call_args.kwargs["kwargs"]["server_uuids"] == [str(scheduling.uuid)]
    assert redrive.call_args.args[0].uuid == spawning.uuid
    scheduling.refresh_from_db()
    assert scheduling.updated_at > timezone.now() - timedelta(seconds=5)  # the next pass waits again


def test_a_build_ends_by_task_timeout_however_often_it_was_driven_again(settings):
    settings.TASK_TIMEOUT = 60
    building = make_server("building", "spawning", 0, age=5)
    Server.objects.filter(pk=building.pk).update(created_at=timezone.now() - timedelta(seconds=120))
    assert expire_stuck_tasks() == 1
    building.refresh_from_db()
    assert (building.vm_state, building.task_state) == ("error", None)
