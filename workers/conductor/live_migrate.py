"""Live migration: queued → preparing → running → completed, or a rollback that leaves the
server running on its source in its vm_state, the destination cleaned and its claim freed,
and the migration failed (or cancelled when aborted).

Two hypervisor paths. Real libvirt: the destination prepares, the source runs
migrateToURI3 to the destination's migration URI, then the source's leftovers are removed.
libvirt's test driver has no migration call: the source exports the guest's definition and
state, the destination imports it, the source destroys its copy (workers/virt says so)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from scheduling import claims
from scheduling.scheduler import NoValidHost
from servers import lifecycle
from servers.models import Migration
from servers.states import TaskState, get_rule

from .allocations import hand_to_migration, take_back_from_migration
from .dispatch import compute_cast, compute_then, instance_payload
from .finish import failed, finish, succeeded
from .placement import claim_destination, hypervisor_type, migration_uri

LIVE_MIGRATE = get_rule("live_migrate")
EVENT = "compute_live_migration"


def _status(migration: Migration, status: str) -> None:
    Migration.objects.filter(pk=migration.pk).update(status=status, updated_at=timezone.now())


def _cancelled(migration_uuid: str) -> bool:
    return Migration.objects.filter(uuid=migration_uuid, status="cancelling").exists()


def _rollback(
    migration: Migration, request_id: str, reason: str, *, dest_cleanup: bool = False, details: str = ""
) -> None:
    """The guest stays on its source, in its vm_state: the destination cleaned and its claim
    freed, the source allocation back with the server, the migration failed (cancelled when
    aborted: then the event counts as a success, the user asked for it, and no fault)."""
    server = migration.server
    server_uuid = str(server.uuid)
    if migration.dest_compute:
        if dest_cleanup:
            compute_cast(
                "compute.rollback_live_migration_at_destination",
                migration.dest_compute,
                [instance_payload(server)],
                server_uuid=server_uuid,
                request_id=request_id,
            )
        claims.release(server_uuid, host=migration.dest_compute)
    take_back_from_migration(server_uuid, str(migration.uuid))
    cancelled = Migration.objects.filter(pk=migration.pk, status="cancelling").exists()
    _status(migration, "cancelled" if cancelled else "failed")
    rolled_back = failed(LIVE_MIGRATE)
    finish(
        request_id,
        server_uuid,
        {"ok": cancelled, "details": reason, "traceback": details or None},
        event=EVENT,
        host=migration.source_compute,
        expected=TaskState.MIGRATING,
        success=rolled_back,
        failure=rolled_back,
        fault=f"Live migration failed: {reason}",
        fault_host=migration.source_compute,
    )


def _migration(migration_uuid: str) -> Migration:
    return Migration.objects.select_related("server").get(uuid=migration_uuid)


@shared_task(name="conductor.noop")
def noop(*args, **kwargs) -> None:
    """End of a fire-and-forget chain."""


@shared_task(name="conductor.live_migrate_server")
def live_migrate_server(server_uuid: str, request_id: str, migration_uuid: str, block_migration: object) -> None:
    migration = _migration(migration_uuid)
    server = migration.server
    if migration.status not in ("accepted", "cancelling") or server.task_state != LIVE_MIGRATE.next_task_state:
        return
    lifecycle.event_start(request_id, server_uuid, EVENT, host=server.host)
    _status(migration, "queued")
    hand_to_migration(server_uuid, migration_uuid, server.host)
    try:
        dest, node = claim_destination(server, server.flavor, requested_host=migration.dest_host, avoid=server.host)
    except NoValidHost as exc:
        _rollback(migration, request_id, str(exc))
        return
    with transaction.atomic():
        Migration.objects.filter(pk=migration.pk).update(dest_compute=dest, dest_node=node, updated_at=timezone.now())
        migration.refresh_from_db()
    if _cancelled(migration_uuid):
        _rollback(migration, request_id, "aborted")
        return
    _status(migration, "preparing")
    payload = instance_payload(server)
    if "TEST" in (hypervisor_type(server.host), hypervisor_type(dest)):
        compute_then(
            "compute.export_guest",
            server.host,
            [payload],
            "conductor.live_migration_exported",
            server_uuid=server_uuid,
            request_id=request_id,
            migration_uuid=migration_uuid,
        )
    else:
        block = block_migration in ("auto", True)  # local storage here: copy the disk
        compute_then(
            "compute.pre_live_migration",
            dest,
            [payload, {"block_migration": block}],
            "conductor.live_migration_prepared",
            server_uuid=server_uuid,
            request_id=request_id,
            migration_uuid=migration_uuid,
            block=block,
        )


@shared_task(name="conductor.live_migration_exported")
def live_migration_exported(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str) -> None:
    migration = _migration(migration_uuid)
    if not outcome.get("ok") or _cancelled(migration_uuid):
        _rollback(migration, request_id, outcome.get("error", "aborted"), details=outcome.get("traceback", ""))
        return
    _status(migration, "running")
    compute_then(
        "compute.import_guest",
        migration.dest_compute,
        [instance_payload(migration.server), {"xml": outcome["xml"], "power_state": outcome["power_state"]}],
        "conductor.live_migration_landed",
        server_uuid=server_uuid,
        request_id=request_id,
        migration_uuid=migration_uuid,
    )


@shared_task(name="conductor.live_migration_prepared")
def live_migration_prepared(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str, block: bool) -> None:
    migration = _migration(migration_uuid)
    if not outcome.get("ok") or _cancelled(migration_uuid):
        _rollback(
            migration,
            request_id,
            outcome.get("error", "aborted"),
            dest_cleanup=True,
            details=outcome.get("traceback", ""),
        )
        return
    _status(migration, "running")
    compute_then(
        "compute.live_migration",
        migration.source_compute,
        [
            instance_payload(migration.server),
            {
                "dest_uri": migration_uri(migration.dest_compute),
                "block_migration": block,
                "dest_disk_path": outcome.get("disk_path"),
                "dest_console_log": outcome.get("console_log"),
            },
        ],
        "conductor.live_migration_landed",
        server_uuid=server_uuid,
        request_id=request_id,
        migration_uuid=migration_uuid,
    )


@shared_task(name="conductor.live_migration_landed")
def live_migration_landed(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str) -> None:
    """The guest runs on the destination: clean the source."""
    migration = _migration(migration_uuid)
    if migration.status != "running" and migration.status != "cancelling":
        return
    if not outcome.get("ok"):
        _rollback(
            migration, request_id, outcome.get("error", ""), dest_cleanup=True, details=outcome.get("traceback", "")
        )
        return
    with transaction.atomic():
        moved = lifecycle.compare_and_swap(
            server_uuid,
            TaskState.MIGRATING,
            host=migration.dest_compute,
            node=migration.dest_node,
            power_state=outcome.get("power_state", migration.server.power_state),
        )
        if not moved:
            return
        _status(migration, "post-migrating")
    compute_then(
        "compute.post_live_migration_at_source",
        migration.source_compute,
        [instance_payload(migration.server)],
        "conductor.live_migration_completed",
        server_uuid=server_uuid,
        request_id=request_id,
        migration_uuid=migration_uuid,
    )


@shared_task(name="conductor.live_migration_completed")
def live_migration_completed(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str) -> None:
    migration = _migration(migration_uuid)
    with transaction.atomic():
        if (
            Migration.objects.filter(pk=migration.pk, status="post-migrating").update(
                status="completed", updated_at=timezone.now()
            )
            != 1
        ):
            return
        claims.release(migration_uuid)
        lifecycle.compare_and_swap(
            server_uuid, TaskState.MIGRATING, **succeeded(LIVE_MIGRATE, migration.server.power_state)
        )
    lifecycle.event_finish(
        request_id,
        server_uuid,
        EVENT,
        ok=True,
        host=migration.dest_compute,
        details=None if outcome.get("ok") else f"source cleanup failed: {outcome.get('error')}",
    )
    lifecycle.finish_action(request_id, server_uuid)
