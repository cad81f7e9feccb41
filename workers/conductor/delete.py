"""The delete workflow: tear the guest down on its host, then free everything the server
held (allocations, ports, quota) and mark it deleted."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from hosts.heartbeats import host_is_up
from networks import ipam
from scheduling import claims
from servers import lifecycle
from servers.models import Server
from servers.services import quotas
from servers.states import PowerState, TaskState, VmState

from .dispatch import compute_then, instance_payload

EVENT_TERMINATE = "compute_terminate_instance"


def finish_delete(server: Server) -> None:
    """Free the server's allocations, ports and quota and mark it deleted. Runs once: the
    compare-and-swap on task_state `deleting` decides who frees the quota."""
    with transaction.atomic():
        done = lifecycle.compare_and_swap(
            str(server.uuid),
            TaskState.DELETING,
            vm_state=VmState.DELETED,
            task_state=None,
            power_state=PowerState.NOSTATE,
            terminated_at=timezone.now(),
            deleted=True,
            deleted_at=timezone.now(),
        )
        if not done:
            return
        claims.release(str(server.uuid))
        for migration_uuid in server.migrations.values_list("uuid", flat=True):
            claims.release(str(migration_uuid))  # a source still held by an unfinished move
        ipam.release_ports_of_server(str(server.uuid), server.requested_networks)
        quotas.release(server.project_id, quotas.server_usage(server.flavor))


@shared_task(name="conductor.delete_server")
def delete_server(server_uuid: str, request_id: str) -> None:
    """Destroy the guest on its host if it has one and the host is up; otherwise delete
    locally (a down host's worker destroys leftovers when it reports again)."""
    server = Server.objects.filter(uuid=server_uuid, task_state=TaskState.DELETING, deleted=False).first()
    if server is None:
        return
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
        server_uuid,
        request_id,
        server.host,
    )


@shared_task(name="conductor.delete_finished")
def delete_finished(outcome: dict, server_uuid: str, request_id: str, host: str) -> None:
    """Record the compute host's teardown; a failed teardown leaves the server in ERROR
    (truthfully: the guest may still exist) with its resources still held."""
    ok = bool(outcome.get("ok"))
    lifecycle.event_finish(
        request_id, server_uuid, EVENT_TERMINATE, ok=ok, traceback=outcome.get("traceback"), host=host
    )
    server = Server.objects.filter(uuid=server_uuid, deleted=False).first()
    if server is not None:
        if ok:
            finish_delete(server)
        elif lifecycle.compare_and_swap(server_uuid, TaskState.DELETING, vm_state=VmState.ERROR, task_state=None):
            lifecycle.record_fault(
                server,
                f"Failed to delete instance: {outcome.get('error')}",
                details=outcome.get("traceback", ""),
                host=host,
            )
    lifecycle.finish_action(request_id, server_uuid)
