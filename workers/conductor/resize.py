"""Resize and cold migration: prep (allocations, destination) → source powers off and hands
its disk over → destination finishes → VERIFY_RESIZE; then confirm (source cleaned, its
allocation freed) or revert (destination cleaned, back to the source and the old flavor).
Every failure restores a truthful state: before the guest left the source, the server stays
where it was with its old flavor; after, it is ERROR with a fault."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from scheduling import claims
from scheduling.scheduler import NoValidHost
from servers import lifecycle
from servers.models import Migration, Server
from servers.services import quotas
from servers.states import PowerState, TaskState, VmState, vm_state_after_move

from .allocations import hand_to_migration, take_back_from_migration
from .dispatch import compute_then, instance_payload
from .placement import claim_destination

log = logging.getLogger(__name__)


def _migration(migration_uuid: str) -> Migration:
    return Migration.objects.select_related("server").get(uuid=migration_uuid)


def _payload(server: Server, flavor: dict) -> dict:
    payload = instance_payload(server)
    payload.update(vcpus=flavor["vcpus"], memory_mb=flavor["memory_mb"], root_gb=flavor.get("root_gb", 0))
    return payload


def _was_running(server: Server) -> bool:
    return server.vm_state != VmState.STOPPED


def _abort_before_move(migration: Migration, message: str, details: str = "", *, dest: str | None = None) -> None:
    """Nothing moved yet: the server keeps its host, flavor and vm_state; claims undone."""
    server = migration.server
    if dest:
        claims.release(str(server.uuid), host=dest)
    take_back_from_migration(str(server.uuid), str(migration.uuid))
    quotas.release(server.project_id, quotas.positive(quotas.resize_deltas(migration.old_flavor, migration.new_flavor)))
    Migration.objects.filter(pk=migration.pk).update(status="error", updated_at=timezone.now())
    if lifecycle.compare_and_swap(str(server.uuid), (*TaskState.RESIZE, TaskState.RESIZE_PREP), task_state=None):
        lifecycle.record_fault(server, message, code=500, details=details, host=server.host)


def _choose_destination(migration: Migration) -> tuple[str, str]:
    server = migration.server
    same_host = settings.ALLOW_RESIZE_TO_SAME_HOST and migration.migration_type == "resize"
    return claim_destination(
        server,
        migration.new_flavor,
        requested_host=migration.dest_host,
        ignore_hosts=[] if same_host else [server.host],
    )


@shared_task(name="conductor.resize_server")
def resize_server(server_uuid: str, request_id: str, migration_uuid: str) -> None:
    """Prep: hold the source allocation under the migration, claim a destination, then ask
    the source to power off and hand over its disk."""
    migration = _migration(migration_uuid)
    server = migration.server
    if migration.status != "pre-migrating" or server.task_state != TaskState.RESIZE_PREP:
        return  # a redelivery: the workflow already moved on
    lifecycle.event_start(request_id, server_uuid, "conductor_migrate_server")
    hand_to_migration(server_uuid, migration_uuid, server.host)
    try:
        dest, node = _choose_destination(migration)
    except NoValidHost as exc:
        lifecycle.event_finish(request_id, server_uuid, "conductor_migrate_server", ok=False, details=str(exc))
        _abort_before_move(migration, str(exc))
        lifecycle.finish_action(request_id, server_uuid)
        return
    lifecycle.event_finish(request_id, server_uuid, "conductor_migrate_server", ok=True)
    with transaction.atomic():
        Migration.objects.filter(pk=migration.pk).update(
            dest_compute=dest, dest_node=node, status="migrating", updated_at=timezone.now()
        )
        if not lifecycle.compare_and_swap(server_uuid, TaskState.RESIZE_PREP, task_state=TaskState.RESIZE_MIGRATING):
            claims.release(server_uuid, host=dest)
            return
    lifecycle.event_start(request_id, server_uuid, "compute_resize_instance", host=server.host)
    compute_then(
        "compute.migrate_disk_and_power_off",
        server.host,
        [instance_payload(server)],
        "conductor.resize_migrated",
        server_uuid,
        request_id,
        migration_uuid,
        _was_running(server),
    )


@shared_task(name="conductor.resize_migrated")
def resize_migrated(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str, was_running: bool) -> None:
    """The source has powered off and handed over its disk: finish on the destination."""
    migration = _migration(migration_uuid)
    server = migration.server
    lifecycle.event_finish(
        request_id,
        server_uuid,
        "compute_resize_instance",
        ok=outcome.get("ok", False),
        traceback=outcome.get("traceback"),
        host=migration.source_compute,
    )
    if not outcome.get("ok"):
        _abort_before_move(
            migration,
            f"Resize failed on the source: {outcome.get('error')}",
            outcome.get("traceback", ""),
            dest=migration.dest_compute,
        )
        if "power_state" in outcome:
            Server.objects.filter(uuid=server_uuid).update(power_state=outcome["power_state"])
        lifecycle.finish_action(request_id, server_uuid)
        return
    if not lifecycle.compare_and_swap(server_uuid, TaskState.RESIZE_MIGRATING, task_state=TaskState.RESIZE_FINISH):
        return
    Migration.objects.filter(pk=migration.pk).update(status="post-migrating", updated_at=timezone.now())
    lifecycle.event_start(request_id, server_uuid, "compute_finish_resize", host=migration.dest_compute)
    compute_then(
        "compute.finish_migration",
        migration.dest_compute,
        [
            _payload(server, migration.new_flavor),
            {"source_disk_path": outcome.get("disk_path"), "power_on": was_running},
        ],
        "conductor.resize_finished",
        server_uuid,
        request_id,
        migration_uuid,
    )


@shared_task(name="conductor.resize_finished")
def resize_finished(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str) -> None:
    """The destination runs the guest with the new flavor: VERIFY_RESIZE. A failure here has
    no running guest anywhere: ERROR with a fault (revertResize or reset-state recover it)."""
    migration = _migration(migration_uuid)
    ok = bool(outcome.get("ok"))
    lifecycle.event_finish(
        request_id,
        server_uuid,
        "compute_finish_resize",
        ok=ok,
        traceback=outcome.get("traceback"),
        host=migration.dest_compute,
    )
    if ok:
        done = lifecycle.compare_and_swap(
            server_uuid,
            TaskState.RESIZE_FINISH,
            vm_state=VmState.RESIZED,
            task_state=None,
            power_state=outcome.get("power_state", PowerState.NOSTATE),
            host=migration.dest_compute,
            node=migration.dest_node,
            flavor=migration.new_flavor,
        )
        if done:
            Migration.objects.filter(pk=migration.pk).update(status="finished", updated_at=timezone.now())
    else:
        Migration.objects.filter(pk=migration.pk).update(status="error", updated_at=timezone.now())
        if lifecycle.compare_and_swap(
            server_uuid,
            TaskState.RESIZE_FINISH,
            vm_state=VmState.ERROR,
            task_state=None,
            power_state=outcome.get("power_state", PowerState.NOSTATE),
        ):
            lifecycle.record_fault(
                server_uuid,
                f"Resize failed on {migration.dest_compute}: {outcome.get('error')}",
                details=outcome.get("traceback", ""),
                host=migration.dest_compute,
            )
    lifecycle.finish_action(request_id, server_uuid)


@shared_task(name="conductor.confirm_resize")
def confirm_resize(server_uuid: str, request_id: str, migration_uuid: str) -> None:
    """Clean the source and free its allocation; the server keeps the new flavor."""
    migration = _migration(migration_uuid)
    if migration.status != "confirming":
        return
    lifecycle.event_start(request_id, server_uuid, "compute_confirm_resize", host=migration.source_compute)
    compute_then(
        "compute.confirm_migration",
        migration.source_compute,
        [instance_payload(migration.server)],
        "conductor.confirm_finished",
        server_uuid,
        request_id,
        migration_uuid,
    )


@shared_task(name="conductor.confirm_finished")
def confirm_finished(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str) -> None:
    migration = _migration(migration_uuid)
    ok = bool(outcome.get("ok"))
    lifecycle.event_finish(
        request_id,
        server_uuid,
        "compute_confirm_resize",
        ok=ok,
        traceback=outcome.get("traceback"),
        host=migration.source_compute,
    )
    server = migration.server
    with transaction.atomic():
        if (
            Migration.objects.filter(pk=migration.pk, status="confirming").update(
                status="confirmed" if ok else "error", updated_at=timezone.now()
            )
            != 1
        ):
            return
        claims.release(migration_uuid)
        quotas.release(
            server.project_id, quotas.negated_negative(quotas.resize_deltas(migration.old_flavor, migration.new_flavor))
        )
        end_state = vm_state_after_move(server.power_state)
        Server.objects.filter(uuid=server_uuid, vm_state=VmState.RESIZED, task_state=None).update(
            vm_state=end_state, updated_at=timezone.now()
        )
        if not ok:
            lifecycle.record_fault(
                server,
                f"Source cleanup failed on {migration.source_compute}: {outcome.get('error')}",
                details=outcome.get("traceback", ""),
                host=migration.source_compute,
            )
    lifecycle.finish_action(request_id, server_uuid)


@shared_task(name="conductor.revert_resize")
def revert_resize(server_uuid: str, request_id: str, migration_uuid: str) -> None:
    """Destroy the guest on the destination, then restore it on the source."""
    migration = _migration(migration_uuid)
    if migration.status != "reverting":
        return
    was_running = migration.server.power_state == PowerState.RUNNING
    lifecycle.event_start(request_id, server_uuid, "compute_revert_resize", host=migration.dest_compute)
    if migration.dest_compute == migration.source_compute:
        # Same host: the destination guest and the kept source disk live side by side;
        # finish_revert_migration replaces one with the other.
        revert_dest_cleaned({"ok": True}, server_uuid, request_id, migration_uuid, was_running)
        return
    compute_then(
        "compute.terminate_instance",
        migration.dest_compute,
        [instance_payload(migration.server)],
        "conductor.revert_dest_cleaned",
        server_uuid,
        request_id,
        migration_uuid,
        was_running,
    )


@shared_task(name="conductor.revert_dest_cleaned")
def revert_dest_cleaned(
    outcome: dict, server_uuid: str, request_id: str, migration_uuid: str, was_running: bool
) -> None:
    migration = _migration(migration_uuid)
    lifecycle.event_finish(
        request_id,
        server_uuid,
        "compute_revert_resize",
        ok=outcome.get("ok", False),
        traceback=outcome.get("traceback"),
        host=migration.dest_compute,
    )
    if not outcome.get("ok"):
        Migration.objects.filter(pk=migration.pk).update(status="error", updated_at=timezone.now())
        if lifecycle.compare_and_swap(server_uuid, TaskState.RESIZE_REVERTING, vm_state=VmState.ERROR, task_state=None):
            lifecycle.record_fault(
                server_uuid,
                f"Revert failed on {migration.dest_compute}: {outcome.get('error')}",
                details=outcome.get("traceback", ""),
            )
        lifecycle.finish_action(request_id, server_uuid)
        return
    lifecycle.event_start(request_id, server_uuid, "compute_finish_revert_resize", host=migration.source_compute)
    compute_then(
        "compute.finish_revert_migration",
        migration.source_compute,
        [_payload(migration.server, migration.old_flavor), {"power_on": was_running}],
        "conductor.revert_finished",
        server_uuid,
        request_id,
        migration_uuid,
    )


@shared_task(name="conductor.revert_finished")
def revert_finished(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str) -> None:
    migration = _migration(migration_uuid)
    ok = bool(outcome.get("ok"))
    lifecycle.event_finish(
        request_id,
        server_uuid,
        "compute_finish_revert_resize",
        ok=ok,
        traceback=outcome.get("traceback"),
        host=migration.source_compute,
    )
    server = migration.server
    with transaction.atomic():
        claims.release(server_uuid, host=migration.dest_compute)
        take_back_from_migration(server_uuid, migration_uuid)
        quotas.release(
            server.project_id, quotas.positive(quotas.resize_deltas(migration.old_flavor, migration.new_flavor))
        )
        power = outcome.get("power_state", PowerState.NOSTATE)
        changes = {
            "host": migration.source_compute,
            "node": migration.source_node,
            "flavor": migration.old_flavor,
            "power_state": power,
            "task_state": None,
        }
        changes["vm_state"] = vm_state_after_move(power) if ok else VmState.ERROR
        if lifecycle.compare_and_swap(server_uuid, TaskState.RESIZE_REVERTING, **changes):
            Migration.objects.filter(pk=migration.pk).update(
                status="reverted" if ok else "error", updated_at=timezone.now()
            )
            if not ok:
                lifecycle.record_fault(
                    server,
                    f"Revert failed on {migration.source_compute}: {outcome.get('error')}",
                    details=outcome.get("traceback", ""),
                    host=migration.source_compute,
                )
    lifecycle.finish_action(request_id, server_uuid)
