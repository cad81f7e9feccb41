"""Evacuate: rebuild a server of a dead host on another one. The source allocation stays held
under the migration until the source's compute worker comes back, destroys its stale copy
and reports (workers.conductor.recovery)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from hosts.zones import zone_of_host
from scheduling import claims
from scheduling.scheduler import NoValidHost
from servers import lifecycle
from servers.models import Migration
from servers.states import PowerState, TaskState, VmState, vm_state_after_move

from .allocations import hand_to_migration, take_back_from_migration
from .dispatch import compute_then, instance_payload
from .placement import claim_destination

EVENT = "compute_rebuild_instance"


@shared_task(name="conductor.evacuate_server")
def evacuate_server(server_uuid: str, request_id: str, migration_uuid: str, old_vm_state: str) -> None:
    migration = Migration.objects.select_related("server").get(uuid=migration_uuid)
    server = migration.server
    if migration.status != "accepted" or server.task_state != TaskState.REBUILDING:
        return
    lifecycle.event_start(request_id, server_uuid, "conductor_rebuild_server")
    hand_to_migration(server_uuid, migration_uuid, server.host)
    try:
        dest, node = claim_destination(
            server, server.flavor, requested_host=migration.dest_host, ignore_hosts=[server.host]
        )
    except NoValidHost as exc:
        take_back_from_migration(server_uuid, migration_uuid)
        Migration.objects.filter(pk=migration.pk).update(status="error", updated_at=timezone.now())
        lifecycle.event_finish(request_id, server_uuid, "conductor_rebuild_server", ok=False, details=str(exc))
        if lifecycle.compare_and_swap(server_uuid, TaskState.REBUILDING, task_state=None):
            lifecycle.record_fault(server, str(exc))
        lifecycle.finish_action(request_id, server_uuid)
        return
    lifecycle.event_finish(request_id, server_uuid, "conductor_rebuild_server", ok=True)
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
        server_uuid,
        request_id,
        migration_uuid,
        old_vm_state,
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
            server_uuid,
            request_id,
            migration_uuid,
        )
        return
    evacuate_finished(outcome, server_uuid, request_id, migration_uuid)


@shared_task(name="conductor.evacuate_finished")
def evacuate_finished(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str) -> None:
    migration = Migration.objects.select_related("server").get(uuid=migration_uuid)
    ok = bool(outcome.get("ok"))
    power = outcome.get("power_state", PowerState.NOSTATE)
    if ok:
        vm_state = vm_state_after_move(power)
        if lifecycle.compare_and_swap(
            server_uuid,
            TaskState.REBUILD_SPAWNING,
            vm_state=vm_state,
            task_state=None,
            power_state=power,
            launched_at=timezone.now(),
        ):
            Migration.objects.filter(pk=migration.pk).update(status="done", updated_at=timezone.now())
    else:
        Migration.objects.filter(pk=migration.pk).update(status="error", updated_at=timezone.now())
        if lifecycle.compare_and_swap(
            server_uuid, TaskState.REBUILD_SPAWNING, vm_state=VmState.ERROR, task_state=None, power_state=power
        ):
            lifecycle.record_fault(
                migration.server,
                f"Evacuation to {migration.dest_compute} failed: {outcome.get('error')}",
                details=outcome.get("traceback", ""),
                host=migration.dest_compute,
            )
    lifecycle.finish_action(request_id, server_uuid)
