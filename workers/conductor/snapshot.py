"""Snapshot and backup: the compute host writes the root disk into the image store; the
conductor marks the image active, rotates backups, and clears the task_state. A failure
kills the image (never left "saving") and records a fault; the server keeps its vm_state
(the create_image and create_backup rules in servers.states)."""

from __future__ import annotations

from celery import shared_task

from images import store
from images.models import Image
from servers import lifecycle
from servers.models import Server
from servers.states import PowerState, TaskState, get_rule

from .dispatch import compute_then, instance_payload
from .finish import failed, finish, succeeded

SNAPSHOT = get_rule("create_image")
BACKUP = get_rule("create_backup")
#: The task_states the API sets; the workflow then moves on to IMAGE_UPLOADING.
STARTS = (SNAPSHOT.next_task_state, BACKUP.next_task_state)
EVENT = "compute_snapshot_instance"


@shared_task(name="conductor.snapshot_server")
def snapshot_server(server_uuid: str, request_id: str, image_id: str, backup: dict | None) -> None:
    server = Server.objects.filter(uuid=server_uuid, deleted=False).first()
    if server is None or server.task_state not in STARTS:
        return
    if not lifecycle.compare_and_swap(server_uuid, STARTS, task_state=TaskState.IMAGE_UPLOADING):
        return
    Image.objects.filter(id=image_id, status="queued").update(status="saving")
    lifecycle.event_start(request_id, server_uuid, EVENT, host=server.host)
    compute_then(
        "compute.snapshot_instance",
        server.host,
        [instance_payload(server), {"dest_path": store.image_path(image_id)}],
        "conductor.snapshot_finished",
        server_uuid=server_uuid,
        request_id=request_id,
        image_id=image_id,
        backup=backup,
    )


@shared_task(name="conductor.snapshot_finished")
def snapshot_finished(outcome: dict, server_uuid: str, request_id: str, image_id: str, backup: dict | None) -> None:
    rule = BACKUP if backup else SNAPSHOT
    host = outcome.get("host")

    def store_image(ok: bool) -> None:
        """Active with what the host measured (and older backups rotated out), or killed."""
        image = Image.objects.filter(id=image_id).first()
        if image is None:
            return
        if not ok:
            store.abort_upload(image)  # killed, partial bytes removed
            return
        store.record_external_upload(
            image,
            size=outcome["size"],
            checksum=outcome["checksum"],
            disk_format=outcome.get("disk_format", "qcow2"),
        )
        if backup:
            store.rotate_backups(
                server_uuid=server_uuid,
                backup_type=backup["backup_type"],
                rotation=backup["rotation"],
                owner=image.owner,
            )

    power = {"power_state": outcome["power_state"]} if "power_state" in outcome else {}
    finish(
        request_id,
        server_uuid,
        outcome,
        event=EVENT,
        host=host,
        expected=TaskState.IMAGE_UPLOADING,
        success=succeeded(rule, outcome.get("power_state", PowerState.NOSTATE), **power),
        failure=failed(rule, TaskState.IMAGE_UPLOADING, **power),
        fault=f"Snapshot failed: {outcome.get('error')}",
        fault_host=host,
        before_swap=store_image,
    )
