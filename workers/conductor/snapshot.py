"""Snapshot and backup: the compute host writes the root disk into the image store; the
conductor marks the image active, rotates backups, and clears the task_state. A failure
kills the image (never left "saving") and records a fault; the server keeps its vm_state."""

from __future__ import annotations

from celery import shared_task

from images import store
from images.models import Image
from servers import lifecycle
from servers.models import Server
from servers.states import TaskState

from .dispatch import compute_then, instance_payload

SNAPSHOT_STATES = (TaskState.IMAGE_SNAPSHOT_PENDING, TaskState.IMAGE_BACKUP, TaskState.IMAGE_UPLOADING)
EVENT = "compute_snapshot_instance"


@shared_task(name="conductor.snapshot_server")
def snapshot_server(server_uuid: str, request_id: str, image_id: str, backup: dict | None) -> None:
    server = Server.objects.filter(uuid=server_uuid, deleted=False).first()
    if server is None or server.task_state not in SNAPSHOT_STATES[:2]:
        return
    if not lifecycle.compare_and_swap(server_uuid, SNAPSHOT_STATES[:2], task_state=TaskState.IMAGE_UPLOADING):
        return
    Image.objects.filter(id=image_id, status="queued").update(status="saving")
    lifecycle.event_start(request_id, server_uuid, EVENT, host=server.host)
    compute_then(
        "compute.snapshot_instance",
        server.host,
        [instance_payload(server), {"dest_path": store.image_path(image_id)}],
        "conductor.snapshot_finished",
        server_uuid,
        request_id,
        image_id,
        backup,
    )


@shared_task(name="conductor.snapshot_finished")
def snapshot_finished(outcome: dict, server_uuid: str, request_id: str, image_id: str, backup: dict | None) -> None:
    ok = bool(outcome.get("ok"))
    lifecycle.event_finish(
        request_id, server_uuid, EVENT, ok=ok, traceback=outcome.get("traceback"), host=outcome.get("host")
    )
    image = Image.objects.filter(id=image_id).first()
    if image is not None:
        if ok:
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
        else:
            store.abort_upload(image)  # killed, partial bytes removed
    changes = {"task_state": None}
    if "power_state" in outcome:
        changes["power_state"] = outcome["power_state"]
    if lifecycle.compare_and_swap(server_uuid, TaskState.IMAGE_UPLOADING, **changes) and not ok:
        lifecycle.record_fault(
            server_uuid,
            f"Snapshot failed: {outcome.get('error')}",
            details=outcome.get("traceback", ""),
            host=outcome.get("host"),
        )
    lifecycle.finish_action(request_id, server_uuid)
