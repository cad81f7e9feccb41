"""Resize and cold migration: prep (allocations, destination) → source powers off and hands
its disk over → destination finishes → VERIFY_RESIZE; then confirm (source cleaned, its
allocation freed) or revert (destination cleaned, back to the source and the old flavor).
Every failure restores a truthful state: before the guest left the source, the server stays
where it was with its old flavor; after, it is ERROR with a fault (the rules' phases in
servers.states say which)."""

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
from servers.states import ActionRule, PowerState, TaskState, VmState, get_rule

from .allocations import hand_to_migration, take_back_from_migration
from .dispatch import compute_then, instance_payload
from .finish import failed, finish, succeeded
from .placement import claim_destination

log = logging.getLogger(__name__)

PREP_EVENT = "conductor_migrate_server"
REVERT = get_rule("revert_resize")


def _migration(migration_uuid: str) -> Migration:
    return Migration.objects.select_related("server").get(uuid=migration_uuid)


def _rule(migration: Migration) -> ActionRule:
    """The rule the migration was started under: cold migration or resize (same states)."""
    return get_rule("migrate" if migration.migration_type == "migration" else "resize")


def _set_status(migration: Migration, status: str) -> None:
    Migration.objects.filter(pk=migration.pk).update(status=status, updated_at=timezone.now())


def _flavors(migration: Migration) -> tuple[dict, dict]:
    """(old, new) flavor; a resize's migration always holds both."""
    if migration.old_flavor is None or migration.new_flavor is None:
        raise ValueError(f"migration {migration.uuid} has no flavors")
    return migration.old_flavor, migration.new_flavor


def _resize_deltas(migration: Migration) -> dict[str, int]:
    return quotas.resize_deltas(*_flavors(migration))


def _payload(server: Server, flavor: dict) -> dict:
    payload = instance_payload(server)
    payload.update(vcpus=flavor["vcpus"], memory_mb=flavor["memory_mb"], root_gb=flavor.get("root_gb", 0))
    return payload


def _was_running(server: Server) -> bool:
    return server.vm_state != VmState.STOPPED


def _abort_before_move(
    request_id: str,
    migration: Migration,
    outcome: dict,
    *,
    task_state: str,
    event: str,
    event_host: str | None,
    fault: str,
    dest: str | None = None,
) -> None:
    """Nothing moved yet: the server keeps its host, flavor and vm_state; claims undone."""
    server = migration.server
    server_uuid = str(server.uuid)

    def undo(_ok: bool) -> None:
        if dest:
            claims.release(server_uuid, host=dest)
        take_back_from_migration(server_uuid, str(migration.uuid))
        quotas.release(server.project_id, quotas.positive(_resize_deltas(migration)))
        _set_status(migration, "error")
        if "power_state" in outcome:  # what the source reported
            Server.objects.filter(uuid=server_uuid).update(power_state=outcome["power_state"])

    finish(
        request_id,
        server_uuid,
        outcome,
        event=event,
        host=event_host,
        expected=TaskState.RESIZE,
        success=None,
        failure=failed(_rule(migration), task_state),
        fault=fault,
        fault_host=server.host,
        before_swap=undo,
    )


def _choose_destination(migration: Migration) -> tuple[str, str]:
    server = migration.server
    same_host = settings.ALLOW_RESIZE_TO_SAME_HOST and migration.migration_type == "resize"
    return claim_destination(
        server,
        _flavors(migration)[1],
        requested_host=migration.dest_host,
        avoid=None if same_host else server.host,
    )


@shared_task(name="conductor.resize_server")
def resize_server(server_uuid: str, request_id: str, migration_uuid: str) -> None:
    """Prep: hold the source allocation under the migration, claim a destination, then ask
    the source to power off and hand over its disk."""
    migration = _migration(migration_uuid)
    server = migration.server
    if migration.status != "pre-migrating" or server.task_state != _rule(migration).next_task_state:
        return  # a redelivery: the workflow already moved on
    lifecycle.event_start(request_id, server_uuid, PREP_EVENT)
    hand_to_migration(server_uuid, migration_uuid, server.host)
    try:
        dest, node = _choose_destination(migration)
    except NoValidHost as exc:
        _abort_before_move(
            request_id,
            migration,
            {"ok": False, "details": str(exc)},
            task_state=TaskState.RESIZE_PREP,
            event=PREP_EVENT,
            event_host=None,
            fault=str(exc),
        )
        return
    lifecycle.event_finish(request_id, server_uuid, PREP_EVENT, ok=True)
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
        server_uuid=server_uuid,
        request_id=request_id,
        migration_uuid=migration_uuid,
        was_running=_was_running(server),
    )


@shared_task(name="conductor.resize_migrated")
def resize_migrated(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str, was_running: bool) -> None:
    """The source has powered off and handed over its disk: finish on the destination."""
    migration = _migration(migration_uuid)
    server = migration.server
    if not outcome.get("ok"):
        _abort_before_move(
            request_id,
            migration,
            outcome,
            task_state=TaskState.RESIZE_MIGRATING,
            event="compute_resize_instance",
            event_host=migration.source_compute,
            fault=f"Resize failed on the source: {outcome.get('error')}",
            dest=migration.dest_compute,
        )
        return
    lifecycle.event_finish(
        request_id,
        server_uuid,
        "compute_resize_instance",
        ok=True,
        traceback=outcome.get("traceback"),
        host=migration.source_compute,
    )
    if not lifecycle.compare_and_swap(server_uuid, TaskState.RESIZE_MIGRATING, task_state=TaskState.RESIZE_FINISH):
        return
    _set_status(migration, "post-migrating")
    lifecycle.event_start(request_id, server_uuid, "compute_finish_resize", host=migration.dest_compute)
    compute_then(
        "compute.finish_migration",
        migration.dest_compute,
        [
            _payload(server, _flavors(migration)[1]),
            {"source_disk_path": outcome.get("disk_path"), "power_on": was_running},
        ],
        "conductor.resize_finished",
        server_uuid=server_uuid,
        request_id=request_id,
        migration_uuid=migration_uuid,
    )


@shared_task(name="conductor.resize_finished")
def resize_finished(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str) -> None:
    """The destination runs the guest with the new flavor: VERIFY_RESIZE. A failure here has
    no running guest anywhere: ERROR with a fault (revertResize or reset-state recover it)."""
    migration = _migration(migration_uuid)
    rule = _rule(migration)
    power = outcome.get("power_state", PowerState.NOSTATE)
    dest = migration.dest_compute
    finish(
        request_id,
        server_uuid,
        outcome,
        event="compute_finish_resize",
        host=dest,
        expected=TaskState.RESIZE_FINISH,
        success=succeeded(
            rule, power, power_state=power, host=dest, node=migration.dest_node, flavor=migration.new_flavor
        ),
        failure=failed(rule, TaskState.RESIZE_FINISH, power_state=power),
        fault=f"Resize failed on {dest}: {outcome.get('error')}",
        fault_host=dest,
        before_swap=lambda ok: None if ok else _set_status(migration, "error"),
        after_swap=lambda ok: _set_status(migration, "finished") if ok else None,
    )


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
        server_uuid=server_uuid,
        request_id=request_id,
        migration_uuid=migration_uuid,
    )


@shared_task(name="conductor.confirm_finished")
def confirm_finished(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str) -> None:
    """Free the source; the server leaves VERIFY_RESIZE whether or not the source's clean-up
    worked (a failed one is recorded as a fault). Not :func:`finish`: confirm sets no
    task_state, so the migration's status is what is swapped."""
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
        quotas.release(server.project_id, quotas.negated_negative(_resize_deltas(migration)))
        end_state = get_rule("confirm_resize").vm_state_on_success(server.power_state)
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
        server_uuid=server_uuid,
        request_id=request_id,
        migration_uuid=migration_uuid,
        was_running=was_running,
    )


@shared_task(name="conductor.revert_dest_cleaned")
def revert_dest_cleaned(
    outcome: dict, server_uuid: str, request_id: str, migration_uuid: str, was_running: bool
) -> None:
    migration = _migration(migration_uuid)
    if not outcome.get("ok"):
        finish(
            request_id,
            server_uuid,
            outcome,
            event="compute_revert_resize",
            host=migration.dest_compute,
            expected=TaskState.RESIZE_REVERTING,
            success=None,
            failure=failed(REVERT, TaskState.RESIZE_REVERTING),
            fault=f"Revert failed on {migration.dest_compute}: {outcome.get('error')}",
            before_swap=lambda _ok: _set_status(migration, "error"),
        )
        return
    lifecycle.event_finish(
        request_id,
        server_uuid,
        "compute_revert_resize",
        ok=True,
        traceback=outcome.get("traceback"),
        host=migration.dest_compute,
    )
    lifecycle.event_start(request_id, server_uuid, "compute_finish_revert_resize", host=migration.source_compute)
    compute_then(
        "compute.finish_revert_migration",
        migration.source_compute,
        [_payload(migration.server, _flavors(migration)[0]), {"power_on": was_running}],
        "conductor.revert_finished",
        server_uuid=server_uuid,
        request_id=request_id,
        migration_uuid=migration_uuid,
    )


@shared_task(name="conductor.revert_finished")
def revert_finished(outcome: dict, server_uuid: str, request_id: str, migration_uuid: str) -> None:
    """Back on the source with the old flavor, allocations and quota given back; a failure
    leaves ERROR there."""
    migration = _migration(migration_uuid)
    server = migration.server
    source = migration.source_compute
    power = outcome.get("power_state", PowerState.NOSTATE)
    back_home = {"host": source, "node": migration.source_node, "flavor": migration.old_flavor, "power_state": power}

    def give_back(_ok: bool) -> None:
        claims.release(server_uuid, host=migration.dest_compute)
        take_back_from_migration(server_uuid, migration_uuid)
        quotas.release(server.project_id, quotas.positive(_resize_deltas(migration)))

    finish(
        request_id,
        server_uuid,
        outcome,
        event="compute_finish_revert_resize",
        host=source,
        expected=TaskState.RESIZE_REVERTING,
        success=succeeded(REVERT, power, **back_home),
        failure=failed(REVERT, TaskState.RESIZE_REVERTING, **back_home),
        fault=f"Revert failed on {source}: {outcome.get('error')}",
        fault_host=source,
        before_swap=give_back,
        after_swap=lambda ok: _set_status(migration, "reverted" if ok else "error"),
        atomic=True,
    )
