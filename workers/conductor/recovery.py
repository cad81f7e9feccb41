"""What a compute host's reports tell the conductor beyond its heartbeat.

On the first report after a compute worker starts (Nova's init_host): destroy guests that
were evacuated away while it was down, reap guests of deleted servers, and bring every server
whose operation the restart interrupted to a truthful state (Nova's _init_instance rules).
The worker's journal says which operations it had started (workers/compute/journal.py):
only those were interrupted. Work still queued for the host was never started and runs now
that it is back. An interrupted build or source half of a migration is not recovered here:
the worker reported it to the workflow's own next step as failed (a build is rescheduled, a
migration rolled back; workers/compute/interrupted.py).

Periodically (SYNC_POWER_STATE_INTERVAL): the hypervisor's view corrects the database's
power_state, and an ACTIVE server found shut off becomes STOPPED (Nova's _sync_power_states)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from images.models import Image
from novasite.celery import app
from novasite.tracing import server_kwargs
from scheduling import claims
from servers import lifecycle
from servers.models import InstanceAction, Migration, Server
from servers.states import (
    ERROR_IF_INTERRUPTED,
    FORCE_STOP,
    RETRY_IF_INTERRUPTED,
    PowerState,
    TaskState,
    VmState,
    power_sync,
    vm_state_for_power,
)

from .allocations import take_back_from_migration
from .dispatch import compute_cast, destroy_guest, instance_payload

log = logging.getLogger(__name__)

T = TaskState
#: Interrupted in one of these, a workflow leaves an image being written: it is killed.
UPLOADING = (*T.IMAGE, T.SHELVING, T.SHELVING_IMAGE_PENDING_UPLOAD, T.SHELVING_IMAGE_UPLOADING)
#: What sending a workflow again means, per task_state (servers.states RETRY_IF_INTERRUPTED).
RETRY_TASKS = {T.DELETING: ("conductor.delete_server", "delete")}


def destroy_evacuated(host: str, guests: dict[str, int]) -> None:
    """Guests evacuated from this host while it was down: destroy them, free the source."""
    evacuations = Migration.objects.select_related("server").filter(
        migration_type="evacuation", source_compute=host, status__in=("accepted", "pre-migrating", "done")
    )
    for migration in evacuations:
        if str(migration.server.uuid) in guests:
            destroy_guest(host, migration.server)
        claims.release(str(migration.uuid))
        Migration.objects.filter(pk=migration.pk).update(status="completed", updated_at=timezone.now())


def reap_deleted(host: str, guests: dict[str, int]) -> None:
    """Guests whose server is deleted (e.g. deleted while this host was down)."""
    if not guests:
        return
    deleted = Server.objects.filter(uuid__in=list(guests), deleted=True)
    for server in deleted:
        log.warning("reaping guest %s of deleted server on %s", server.uuid, host)
        destroy_guest(host, server)


def latest_request_id(server: Server, action: str) -> str:
    """The request id of the server's newest instance action `action` ("" if none)."""
    row = InstanceAction.objects.filter(server=server, action=action).order_by("-start_time").first()
    return row.request_id if row else ""


def recover_instance(server: Server, power: int, cause: str = "a compute service restart") -> None:
    """Bring one server left mid-task (by a restarted host, or a workflow that never reported
    back) to a truthful state, as the action rules in servers.states say for its task_state:
    sent again, ERROR with a fault, or rolled back (the vm_state the hypervisor's power state
    implies)."""
    uuid = str(server.uuid)
    task = server.task_state
    if task in RETRY_IF_INTERRUPTED:
        workflow, action = RETRY_TASKS[task]
        app.send_task(workflow, kwargs=server_kwargs(uuid, latest_request_id(server, action)))
        return
    if server.vm_state == VmState.BUILDING or task in ERROR_IF_INTERRUPTED:
        if task == T.SPAWNING or server.vm_state == VmState.BUILDING:
            message = f"Build of the instance was interrupted by {cause}."
        else:
            message = f"The operation in progress ({task}) was interrupted by {cause}."
        if lifecycle.compare_and_swap(uuid, task, vm_state=VmState.ERROR, task_state=None, power_state=power):
            lifecycle.record_fault(server, message, host=server.host)
        return
    if task in UPLOADING:
        Image.objects.filter(properties__instance_uuid=uuid, status__in=("queued", "saving")).update(status="killed")
    if task == T.MIGRATING:
        for migration in server.migrations.filter(migration_type="live-migration").exclude(
            status__in=("completed", "failed", "error", "cancelled")
        ):
            if migration.dest_compute:
                claims.release(uuid, host=migration.dest_compute)
            take_back_from_migration(uuid, str(migration.uuid))
            Migration.objects.filter(pk=migration.pk).update(status="failed", updated_at=timezone.now())
    changes: dict[str, object] = {"task_state": None, "power_state": power}
    vm_state = vm_state_for_power(server.vm_state, power)
    if vm_state:
        changes["vm_state"] = vm_state
    lifecycle.compare_and_swap(uuid, task, **changes)


def recover_host(host: str, guests: dict[str, int], interrupted: dict[str, str]) -> None:
    """Everything a restarted compute host needs from the conductor; `interrupted` (server
    uuid -> compute task) is what it was running when it went down."""
    destroy_evacuated(host, guests)
    reap_deleted(host, guests)
    if not interrupted:
        return
    for server in Server.objects.filter(uuid__in=list(interrupted), deleted=False).exclude(task_state=None):
        log.warning("%s of %s was interrupted on %s", server.task_state, server.uuid, host)
        recover_instance(server, guests.get(str(server.uuid), PowerState.NOSTATE))


def sync_power_states(host: str, guests: dict[str, int]) -> None:
    """Correct power states from the hypervisor; servers with a task in progress are skipped
    (their workflow will write the truth)."""
    servers = Server.objects.filter(host=host, deleted=False, task_state=None).exclude(
        Q(vm_state__in=(VmState.BUILDING, VmState.SHELVED_OFFLOADED))
    )
    for server in servers:
        power = guests.get(str(server.uuid), PowerState.NOSTATE)
        changes: dict[str, object] = {}
        if power != server.power_state:
            changes["power_state"] = power
        decision = power_sync(server.vm_state, power)
        if decision == FORCE_STOP:
            # Running although stopped: stop it again (Nova's force_stop).
            compute_cast(
                "compute.stop_instance",
                host,
                [instance_payload(server), {"clean_shutdown": False}],
                server_uuid=str(server.uuid),
                request_id=None,
            )
        elif decision is not None:
            changes["vm_state"] = decision  # shut down behind our back: now it is stopped
        if changes:
            with transaction.atomic():
                lifecycle.compare_and_swap(str(server.uuid), None, **changes)
