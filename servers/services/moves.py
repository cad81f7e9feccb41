"""Moves: resize, cold migration (with confirm and revert), live migration and evacuation,
as service-layer functions. Each writes a Migration record and starts its conductor workflow
through servers.services.operations.begin."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from core import policy
from core.exceptions import BadRequest, Conflict, NotFound
from core.principal import Caller
from hosts.heartbeats import host_is_up
from hosts.models import ComputeNode
from novasite.celery import app as celery_app
from novasite.tracing import server_kwargs

from ..models import Migration, Server
from ..states import TaskState, VmState
from ..states.errors import InstanceInvalidState, InstanceIsLocked
from . import quotas, volume_backed
from .lookup import resolve_flavor
from .operations import Operation, begin


def _record_move(
    server: Server, migration_type: str, status: str, dest_host: str | None, new_flavor: dict | None = None
) -> Migration:
    """The Migration row a move starts with: from the server's host and flavor, to
    ``dest_host`` (None: the scheduler picks) and ``new_flavor`` (None: the same flavor)."""
    return Migration.objects.create(
        server=server,
        migration_type=migration_type,
        status=status,
        source_compute=server.host,
        source_node=server.node,
        dest_host=dest_host,
        old_flavor=server.flavor,
        new_flavor=server.flavor if new_flavor is None else new_flavor,
        project_id=server.project_id,
        user_id=server.user_id,
    )


def _target_host(host: str | None, server: Server) -> str | None:
    """The named destination: a known, up compute host other than the server's own. An
    unknown host is the request's fault, 400, for cold and live migration alike (Nova maps
    ComputeHostNotFound to 400 there; only evacuate answers 404)."""
    if host is None:
        return None
    if not isinstance(host, str) or not ComputeNode.objects.filter(host=host).exists():
        raise BadRequest(f"Compute host {host} could not be found.")
    if host == server.host:
        raise BadRequest("The target host can't be the same one.")
    if not host_is_up(host):
        raise BadRequest(f"Compute service of {host} is unavailable at this time.")
    return host


def resize(caller: Caller, server: Server, flavor_ref: str, *, auto_disk_config: bool | None = None) -> Migration:
    """Resize to another flavor (the scheduler picks the host); ``auto_disk_config`` (the
    request's OS-DCF:diskConfig), when given, is the server's disk config from now on."""
    flavor = resolve_flavor(caller, flavor_ref)
    if flavor.flavorid == server.flavor.get("flavorid"):
        raise BadRequest("When resizing, instances must change flavor!")
    # A volume-backed server has no root disk to shrink (Nova checks image-backed ones only).
    if flavor.root_gb < server.flavor.get("root_gb", 0) and not volume_backed.is_volume_backed(server):
        raise BadRequest("Resize error: Unable to resize disk down.")
    with transaction.atomic():
        migration = _cold_move(caller, server, "resize", flavor.snapshot(), None)
        if auto_disk_config is not None:
            Server.objects.filter(pk=server.pk).update(auto_disk_config=auto_disk_config)
    return migration


def migrate(caller: Caller, server: Server, host: str | None = None) -> Migration:
    """Cold-migrate to another host, ``host`` or the scheduler's pick (policy
    os_compute_api:os-migrate-server:migrate; naming a host: migrate:host, admins only)."""
    rule = policy.SERVERS_MIGRATE_HOST if host else policy.SERVERS_MIGRATE
    policy.enforce(caller, rule, project_id=server.project_id)
    return _cold_move(caller, server, "migrate", server.flavor, _target_host(host, server))


def _cold_move(caller: Caller, server: Server, rule: str, new_flavor: dict, target: str | None) -> Migration:
    """Reserve the growth in quota, record the Migration and start conductor.resize_server."""
    with transaction.atomic():
        quotas.reserve(server.project_id, quotas.positive(quotas.resize_deltas(server.flavor, new_flavor)))
        migration = _record_move(
            server, "migration" if rule == "migrate" else "resize", "pre-migrating", target, new_flavor
        )
        begin(caller, server, Operation(rule, "conductor.resize_server", {"migration_uuid": str(migration.uuid)}))
    return migration


def _finished_migration(server: Server) -> Migration:
    """The resize or cold migration waiting to be confirmed or reverted, else 400."""
    migration = server.migrations.filter(migration_type__in=("resize", "migration"), status="finished").first()
    if migration is None:
        raise BadRequest("Instance has not been resized.")
    return migration


def confirm_resize(caller: Caller, server: Server) -> None:
    """Keep the resized (or migrated) server: the source host frees what it held."""
    _settle_resize(caller, server, "confirm_resize", "confirming")


def revert_resize(caller: Caller, server: Server) -> None:
    """Go back to the old flavor and host."""
    _settle_resize(caller, server, "revert_resize", "reverting")


def _settle_resize(caller: Caller, server: Server, rule: str, status: str) -> None:
    """Confirm or revert: the server's state is checked first (a server that is not RESIZED
    is a 409 from the rule, not a missing migration), then its finished migration is claimed."""
    migration = _finished_migration(server) if server.vm_state == VmState.RESIZED else None
    # Confirming frees the source host: the rule needs to know whether it is up.
    source_up = host_is_up(migration.source_compute or "") if migration and rule == "confirm_resize" else None
    with transaction.atomic():
        begin(
            caller,
            server,
            Operation(rule, f"conductor.{rule}", {"migration_uuid": str(migration.uuid) if migration else ""}),
            host_up=source_up,
        )
        if migration is None:  # the rule let it through: nothing to settle
            return
        if Migration.objects.filter(pk=migration.pk, status="finished").update(status=status) != 1:
            raise Conflict(f"Migration {migration.uuid} is already being confirmed or reverted.")


def live_migrate(
    caller: Caller, server: Server, host: str | None = None, block_migration: object = "auto"
) -> Migration:
    """Move a running (or paused) server to another host without stopping it (policy
    os_compute_api:os-migrate-server:migrate_live; naming a host: migrate_live:host, admins
    only)."""
    rule = policy.SERVERS_MIGRATE_LIVE_HOST if host else policy.SERVERS_MIGRATE_LIVE
    policy.enforce(caller, rule, project_id=server.project_id)
    if block_migration not in ("auto", True, False):
        raise BadRequest("Invalid input for field/attribute block_migration. Value must be 'auto' or a boolean.")
    target = _target_host(host, server)
    with transaction.atomic():
        migration = _record_move(server, "live-migration", "accepted", target)
        begin(
            caller,
            server,
            Operation(
                "live_migrate",
                "conductor.live_migrate_server",
                {"migration_uuid": str(migration.uuid), "block_migration": block_migration},
            ),
        )
    return migration


def evacuate(caller: Caller, server: Server, host: str | None = None) -> Migration:
    """Rebuild a server of a dead host elsewhere (its compute service must be down; policy
    os_compute_api:os-evacuate)."""
    policy.enforce(caller, policy.SERVERS_EVACUATE, project_id=server.project_id)
    if host is not None and not ComputeNode.objects.filter(host=host).exists():
        raise NotFound(f"Compute host {host} could not be found.")
    if host is not None and host == server.host:
        raise BadRequest("The target host can't be the same one.")
    with transaction.atomic():
        migration = _record_move(server, "evacuation", "accepted", host)
        begin(
            caller,
            server,
            Operation(
                "evacuate",
                "conductor.evacuate_server",
                {"migration_uuid": str(migration.uuid), "old_vm_state": server.vm_state},
            ),
        )
    return migration


#: A live migration in one of these is over: nothing to show, abort or complete.
LIVE_MIGRATION_OVER = ("completed", "failed", "error", "cancelled")


def live_migrations(caller: Caller, server: Server) -> QuerySet[Migration]:
    """The server's live migrations in progress (policy os_compute_api:servers:migrations:index)."""
    policy.enforce(caller, policy.SERVER_MIGRATIONS_INDEX, project_id=server.project_id)
    return (
        server.migrations.filter(migration_type="live-migration")
        .exclude(status__in=LIVE_MIGRATION_OVER)
        .select_related("server")
    )


def shows_live_migration_hosts(caller: Caller) -> bool:
    """Whether the caller sees the hosts of a server's live migrations (Nova nulls them
    otherwise; os_compute_api:servers:migrations:index:host)."""
    return policy.allows(caller, policy.SERVER_MIGRATIONS_INDEX_HOST)


def live_migration(caller: Caller, server: Server, migration_id: str) -> Migration:
    """One live migration in progress (policy os_compute_api:servers:migrations:show); 404
    for one that is over or unknown."""
    policy.enforce(caller, policy.SERVER_MIGRATIONS_SHOW, project_id=server.project_id)
    return _in_progress(server, migration_id)


def _in_progress(server: Server, migration_id: str) -> Migration:
    migration = server.migrations.filter(
        migration_type="live-migration", pk=migration_id if str(migration_id).isdigit() else -1
    ).first()
    if migration is None or migration.status in LIVE_MIGRATION_OVER:
        raise NotFound(f"Migration {migration_id} for instance {server.uuid} could not be found.")
    return migration


def _live_migration_named(server: Server, migration_id: str) -> Migration | None:
    """The server's live migration with this integer id, in progress or not (Nova looks
    migrations up by id here, never by uuid)."""
    if not str(migration_id).isdigit():
        return None
    return server.migrations.filter(migration_type="live-migration", pk=int(migration_id)).first()


def abort_live_migration(caller: Caller, server: Server, migration_id: str) -> None:
    """Cancel a live migration (policy os_compute_api:servers:migrations:delete): before it
    runs, the workflow rolls back at its next step; while it runs, the source hypervisor
    aborts the job."""
    policy.enforce(caller, policy.SERVER_MIGRATIONS_DELETE, project_id=server.project_id)
    migration = _in_progress(server, migration_id)
    if Migration.objects.filter(pk=migration.pk, status__in=("accepted", "queued", "preparing")).update(
        status="cancelling"
    ):
        return
    # Marked first, so that the rollback the aborted job ends in records the migration as
    # cancelled (as Nova does), not failed with a fault.
    if not Migration.objects.filter(pk=migration.pk, status="running").update(status="cancelling"):
        raise Conflict(f"Migration {migration_id} is {migration.status} and cannot be aborted.")
    celery_app.send_task(
        "compute.abort_live_migration",
        args=[{"uuid": str(server.uuid)}],
        kwargs=server_kwargs(server.uuid, caller.request_id),
        queue=f"compute.{migration.source_compute}",
    )


def force_complete_live_migration(caller: Caller, server: Server, migration_id: str) -> None:
    """Pause the guest so the memory copy converges (Nova's force_complete without post-copy;
    policy os_compute_api:servers:migrations:force_complete). In Nova's order: the server
    must be ACTIVE and migrating (409), the migration must be the server's, named by its
    integer id (else 400: Tempest's manager workflow names it by uuid and expects that 400),
    and running (else 400)."""
    policy.enforce(caller, policy.SERVER_MIGRATIONS_FORCE_COMPLETE, project_id=server.project_id)
    uuid = str(server.uuid)
    if server.locked and not caller.is_admin:
        raise InstanceIsLocked(uuid)
    if server.vm_state != VmState.ACTIVE:
        raise InstanceInvalidState("force_complete", uuid, "vm_state", server.vm_state)
    if server.task_state != TaskState.MIGRATING:
        raise InstanceInvalidState("force_complete", uuid, "task_state", server.task_state)
    migration = _live_migration_named(server, migration_id)
    if migration is None:
        raise BadRequest(f"Migration {migration_id} for instance {uuid} could not be found.")
    if migration.status != "running":
        raise BadRequest(
            f"Migration {migration_id} state of instance {uuid} is {migration.status}. "
            "Cannot force complete while the migration is in this state."
        )
    celery_app.send_task(
        "compute.force_live_migration_complete",
        args=[{"uuid": str(server.uuid)}],
        kwargs=server_kwargs(server.uuid, caller.request_id),
        queue=f"compute.{migration.source_compute}",
    )
