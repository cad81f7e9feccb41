"""Moves: resize, cold migration (with confirm and revert), live migration and evacuation,
as service-layer functions. Each writes a Migration record and starts its conductor workflow
through servers.operations.begin."""

from __future__ import annotations

from django.db import transaction

from core.exceptions import BadRequest, Conflict, NotFound
from core.principal import Caller
from hosts.heartbeats import host_is_up
from hosts.models import ComputeNode
from novasite.celery import app as celery_app

from ..models import Migration, Server
from ..states import VmState
from . import quotas
from .lookup import resolve_flavor
from .operations import Operation, begin


def _target_host(host: str | None, server: Server) -> str | None:
    if host is None:
        return None
    if not isinstance(host, str) or not ComputeNode.objects.filter(host=host).exists():
        raise NotFound(f"Compute host {host} could not be found.")
    if host == server.host:
        raise BadRequest("The target host can't be the same one.")
    if not host_is_up(host):
        raise BadRequest(f"Compute service of {host} is unavailable at this time.")
    return host


def resize(caller: Caller, server: Server, flavor_ref: str | None, *, host: str | None = None) -> Migration:
    """Resize to another flavor (flavor_ref), or cold-migrate (flavor_ref None) to another host."""
    rule = "migrate" if flavor_ref is None else "resize"
    new_flavor = server.flavor
    if flavor_ref is not None:
        flavor = resolve_flavor(caller, flavor_ref)
        if flavor.flavorid == server.flavor.get("flavorid"):
            raise BadRequest("When resizing, instances must change flavor!")
        if flavor.root_gb < server.flavor.get("root_gb", 0):
            raise BadRequest("Resize error: Unable to resize disk down.")
        new_flavor = flavor.snapshot()
    target = _target_host(host, server)
    with transaction.atomic():
        quotas.reserve(server.project_id, quotas.positive(quotas.resize_deltas(server.flavor, new_flavor)))
        migration = Migration.objects.create(
            server=server,
            migration_type="migration" if rule == "migrate" else "resize",
            status="pre-migrating",
            source_compute=server.host,
            source_node=server.node,
            dest_host=target,
            old_flavor=server.flavor,
            new_flavor=new_flavor,
            project_id=server.project_id,
            user_id=server.user_id,
        )
        begin(caller, server, Operation(rule, "conductor.resize_server", [str(migration.uuid)]))
    return migration


def _finished_migration(server: Server) -> Migration:
    migration = server.migrations.filter(migration_type__in=("resize", "migration"), status="finished").first()
    if migration is None:
        raise BadRequest("Instance has not been resized.")
    return migration


def confirm_resize(caller: Caller, server: Server) -> None:
    migration = _finished_migration(server) if server.vm_state == VmState.RESIZED else None
    source_up = host_is_up(migration.source_compute) if migration else None
    with transaction.atomic():
        begin(
            caller,
            server,
            Operation("confirm_resize", "conductor.confirm_resize", [str(migration.uuid) if migration else ""]),
            host_up=source_up,
        )
        if Migration.objects.filter(pk=migration.pk, status="finished").update(status="confirming") != 1:
            raise Conflict(f"Migration {migration.uuid} is already being confirmed or reverted.")


def revert_resize(caller: Caller, server: Server) -> None:
    migration = _finished_migration(server) if server.vm_state == VmState.RESIZED else None
    with transaction.atomic():
        begin(
            caller,
            server,
            Operation("revert_resize", "conductor.revert_resize", [str(migration.uuid) if migration else ""]),
        )
        if Migration.objects.filter(pk=migration.pk, status="finished").update(status="reverting") != 1:
            raise Conflict(f"Migration {migration.uuid} is already being confirmed or reverted.")


def live_migrate(
    caller: Caller, server: Server, host: str | None = None, block_migration: object = "auto"
) -> Migration:
    """Move a running (or paused) server to another host without stopping it."""
    if block_migration not in ("auto", True, False):
        raise BadRequest("Invalid input for field/attribute block_migration. Value must be 'auto' or a boolean.")
    target = _target_host(host, server)
    with transaction.atomic():
        migration = Migration.objects.create(
            server=server,
            migration_type="live-migration",
            status="accepted",
            source_compute=server.host,
            source_node=server.node,
            dest_host=target,
            old_flavor=server.flavor,
            new_flavor=server.flavor,
            project_id=server.project_id,
            user_id=server.user_id,
        )
        begin(
            caller,
            server,
            Operation("live_migrate", "conductor.live_migrate_server", [str(migration.uuid), block_migration]),
        )
    return migration


def evacuate(caller: Caller, server: Server, host: str | None = None) -> Migration:
    """Rebuild a server of a dead host elsewhere (its compute service must be down)."""
    if host is not None and not ComputeNode.objects.filter(host=host).exists():
        raise NotFound(f"Compute host {host} could not be found.")
    if host is not None and host == server.host:
        raise BadRequest("The target host can't be the same one.")
    with transaction.atomic():
        migration = Migration.objects.create(
            server=server,
            migration_type="evacuation",
            status="accepted",
            source_compute=server.host,
            source_node=server.node,
            dest_host=host,
            old_flavor=server.flavor,
            new_flavor=server.flavor,
            project_id=server.project_id,
            user_id=server.user_id,
        )
        begin(
            caller, server, Operation("evacuate", "conductor.evacuate_server", [str(migration.uuid), server.vm_state])
        )
    return migration


def in_progress_migration(server: Server, migration_id: str) -> Migration:
    migration = server.migrations.filter(
        migration_type="live-migration", pk=migration_id if str(migration_id).isdigit() else -1
    ).first()
    if migration is None or migration.status in ("completed", "failed", "error", "cancelled"):
        raise NotFound(f"Migration {migration_id} for instance {server.uuid} could not be found.")
    return migration


def abort_live_migration(caller: Caller, server: Server, migration_id: str) -> None:
    """Cancel a live migration: before it runs, the workflow rolls back at its next step;
    while it runs, the source hypervisor aborts the job."""
    migration = in_progress_migration(server, migration_id)
    if Migration.objects.filter(pk=migration.pk, status__in=("accepted", "queued", "preparing")).update(
        status="cancelling"
    ):
        return
    if migration.status != "running":
        raise Conflict(f"Migration {migration_id} is {migration.status} and cannot be aborted.")
    celery_app.send_task(
        "compute.abort_live_migration", args=[{"uuid": str(server.uuid)}], queue=f"compute.{migration.source_compute}"
    )


def force_complete_live_migration(caller: Caller, server: Server, migration_id: str) -> None:
    """Pause the guest so the memory copy converges (Nova's force_complete without post-copy)."""
    migration = in_progress_migration(server, migration_id)
    if migration.status != "running":
        raise BadRequest(f"Migration {migration_id} is {migration.status}, not running.")
    celery_app.send_task(
        "compute.force_live_migration_complete",
        args=[{"uuid": str(server.uuid)}],
        queue=f"compute.{migration.source_compute}",
    )
