"""The delete workflow: tear the guest down on its host, then free everything the server
held (allocations, ports, quota) and mark it deleted."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from hosts.heartbeats import host_is_up
from images import store
from networks import ipam
from scheduling import claims
from servers import lifecycle
from servers.models import Server
from servers.services import quotas
from servers.services.shelving import shelved_image
from servers.states import PowerState, TaskState, get_rule

from .attachments import release_volumes
from .build import revoke_build
from .dispatch import compute_then, instance_payload
from .finish import failed, finish, succeeded

EVENT_TERMINATE = "compute_terminate_instance"
#: DELETE /servers/{id}; forceDelete has the same states.
DELETE = get_rule("delete")


def _deleted() -> dict[str, Any]:
    """What a finished delete writes: DELETED (the rule's end state), no task, no guest."""
    now = timezone.now()
    return succeeded(
        DELETE, PowerState.NOSTATE, power_state=PowerState.NOSTATE, terminated_at=now, deleted=True, deleted_at=now
    )


def _free(server: Server) -> None:
    """Give back what the server held: allocations (its own, and a source still held by an
    unfinished move), ports, volumes and quota; and delete the image it was shelved into, as
    Nova deletes a shelved server's snapshot."""
    claims.release(str(server.uuid))
    for migration_uuid in server.migrations.values_list("uuid", flat=True):
        claims.release(str(migration_uuid))
    ipam.release_ports_of_server(str(server.uuid), server.requested_networks)
    release_volumes(server)
    image = shelved_image(server)
    if image is not None:
        store.delete_image(image)
    quotas.release(server.project_id, quotas.server_usage(server.flavor))


def finish_delete(server: Server) -> None:
    """Free the server's allocations, ports and quota and mark it deleted. Runs once: the
    compare-and-swap on task_state `deleting` decides who frees the quota."""
    with transaction.atomic():
        if lifecycle.compare_and_swap(str(server.uuid), DELETE.next_task_state, **_deleted()):
            _free(server)


@shared_task(name="conductor.delete_server")
def delete_server(server_uuid: str, request_id: str) -> None:
    """Destroy the guest on its host if it has one and the host is up; otherwise delete
    locally (a down host's worker destroys leftovers when it reports again)."""
    server = Server.objects.filter(uuid=server_uuid, task_state=DELETE.next_task_state, deleted=False).first()
    if server is None:
        return
    revoke_build(server)  # deleted while building: a build still queued must create no guest
    if not server.host or not host_is_up(server.host):
        finish_delete(server)
        lifecycle.finish_action(request_id, server_uuid)
        return
    lifecycle.event_start(request_id, server_uuid, EVENT_TERMINATE, host=server.host)
    compute_then(
        "compute.terminate_instance",
        server.host,
        [instance_payload(server)],
        "conductor.delete_finished",
        server_uuid=server_uuid,
        request_id=request_id,
        host=server.host,
    )


@shared_task(name="conductor.delete_finished")
def delete_finished(outcome: dict, server_uuid: str, request_id: str, host: str) -> None:
    """Record the compute host's teardown; a failed teardown leaves the server in ERROR
    (truthfully: the guest may still exist) with its resources still held."""
    server = Server.objects.filter(uuid=server_uuid, deleted=False).first()
    finish(
        request_id,
        server_uuid,
        outcome,
        event=EVENT_TERMINATE,
        host=host,
        expected=TaskState.DELETING,
        success=_deleted(),
        failure=failed(DELETE),
        fault=f"Failed to delete instance: {outcome.get('error')}",
        fault_host=host,
        after_swap=lambda ok: _free(server) if ok and server is not None else None,
        atomic=True,
    )
