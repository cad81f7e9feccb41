"""Evacuate: rebuild a server of a dead host on another one. The source allocation stays held
under the migration until the source's compute worker comes back, destroys its stale copy
and reports (workers.conductor.recovery). The states come from the evacuate rule in
servers.states: no host found rolls back, a failed spawn leaves ERROR, a success ends by the
guest's power state."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from hosts.zones import zone_of_host
from scheduling import claims
from scheduling.scheduler import NoValidHost
from servers import lifecycle
from servers.models import Migration
from servers.states import PowerState, TaskState, VmState, get_rule

from .allocations import hand_to_migration, take_back_from_migration
from .dispatch import compute_then, instance_payload
from .finish import failed, finish, succeeded
from .placement import claim_destination

EVACUATE = get_rule("evacuate")
EVENT = "compute_rebuild_instance"
SCHEDULE_EVENT = "conductor_rebuild_server"


def _set_status(migration: Migration, status: str) -> None:
    Migration.objects.filter(pk=migration.pk).update(status=status, updated_at=timezone.now())


@shared_task(name="conductor.evacuate_server")
def evacuate_server(server_uuid: str, request_id: str, migration_uuid: str, old_vm_state: str) -> None:
    migration = Migration.objects.select_related("server").get(uuid=migration_uuid)
    server = migration.server
    if migration.status != "accepted" or server.task_state != EVACUATE.next_task_state:
        return
    lifecycle.event_start(request_id, server_uuid, SCHEDULE_EVENT)
    hand_to_migration(server_uuid, migration_uuid, server.host)
    try:
        dest, node = claim_destination(server, server.flavor, requested_host=migration.dest_host, avoid=server.host)
    except NoValidHost as exc:
        # Nothing moved: the allocation goes back to the server, which stays where it was.
        take_back_from_migration(server_uuid, migration_uuid)
        _set_status(migration, "error")
        finish(
            request_id,
            server_uuid,
            {"ok": False, "details": str(exc)},
            event=SCHEDULE_EVENT,
            host=None,
            expected=TaskState.REBUILDING,
            success=None,
            failure=failed(EVACUATE, TaskState.REBUILDING),
            fault=str(exc),
        )
        return
    lifecycle.event_finish(request_id, server_uuid, SCHEDULE_EVENT, ok=True)
    with transaction.atomic():
        Migration.objects.filter(pk=migration.pk).update(
            status="pre-migrating", dest_compute=dest, dest_node=node, updated_at=timezone.now()
        )
        if not lifecycle.compare_and_swap(
            server_uuid,
            TaskState.REBUILDING,
            task_state=TaskState.REBUILD_SPAWNING,
            host=dest,
            node=node,
            availability_zone=zone_of_host(dest),
        ):
            claims.release(server_uuid, host=dest)
            return
    server.refresh_from_db()
    lifecycle.event_start(request_id, server_uuid, EVENT, host=dest)
    compute_then(
        "compute.build_and_run_instance",
        dest,
        [instance_payload(server)],
        "conductor.evacuate_spawned",
        server_uuid=server_uuid,
        request_id=request_id,
        migration_uuid=migration_uuid,
        old_vm_state=old_vm_state,
    )


@shared_task(name="conductor.evacuate_spawned")
def evacuate_spawned(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str, old_vm_state: str) -> None:
    migration = Migration.objects.select_related("server").get(uuid=migration_uuid)
    ok = bool(outcome.get("ok"))
    lifecycle.event_finish(
        request_id, server_uuid, EVENT, ok=ok, traceback=outcome.get("traceback"), host=migration.dest_compute
    )
    if ok and old_vm_state == VmState.STOPPED:
        # A stopped server stays stopped (Nova from 2.95 stops every evacuated server).
        compute_then(
            "compute.stop_instance",
            migration.dest_compute,
            [instance_payload(migration.server)],
            "conductor.evacuate_finished",
            server_uuid=server_uuid,
            request_id=request_id,
            migration_uuid=migration_uuid,
        )
        return
    evacuate_finished(outcome, server_uuid, request_id, migration_uuid)


@shared_task(name="conductor.evacuate_finished")
def evacuate_finished(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str) -> None:
    """The guest runs (or is stopped again) on the destination; its event was recorded when
    it spawned."""
    migration = Migration.objects.select_related("server").get(uuid=migration_uuid)
    dest = migration.dest_compute
    power = outcome.get("power_state", PowerState.NOSTATE)
    finish(
        request_id,
        server_uuid,
        outcome,
        event=None,
        host=dest,
        expected=TaskState.REBUILD_SPAWNING,
        success=succeeded(EVACUATE, power, power_state=power, launched_at=timezone.now()),
        failure=failed(EVACUATE, TaskState.REBUILD_SPAWNING, power_state=power),
        fault=f"Evacuation to {dest} failed: {outcome.get('error')}",
        fault_host=dest,
        before_swap=lambda ok: None if ok else _set_status(migration, "error"),
        after_swap=lambda ok: _set_status(migration, "done") if ok else None,
    )
