"""Volume and interface attach/detach on the server's host, with rollback on failure."""

from __future__ import annotations

import functools
import logging

from celery import shared_task
from django.db import transaction

from core.exceptions import Conflict, ServiceError
from networks.models import Port
from servers import lifecycle
from servers.models import Server, VolumeAttachment
from volumes import store as volume_store
from volumes.models import Volume

from .dispatch import compute_then, instance_payload

log = logging.getLogger(__name__)


def _set_volume(change, volume: Volume | None, server_uuid: str) -> None:
    """Move the volume's status; an admin may have reset it meanwhile, which wins."""
    if volume is None:
        return
    try:
        change(volume, server_uuid)
    except Conflict as exc:
        log.warning("volume %s: %s", volume.id, exc)


def release_volumes(server: Server) -> None:
    """A deleted server's volumes: each is available again, or deleted (after the commit,
    since its file goes) when its attachment said delete_on_termination, as Nova's
    _cleanup_volumes does. Safe to run twice."""
    attachments = list(server.volume_attachments.all())
    volumes = {volume.id: volume for volume in Volume.objects.filter(id__in=[row.volume_id for row in attachments])}
    for row in attachments:
        volume = volumes.get(row.volume_id)
        _set_volume(volume_store.mark_available, volume, str(server.uuid))
        if volume is not None and row.delete_on_termination:
            transaction.on_commit(functools.partial(_delete_volume, volume))
    server.volume_attachments.all().delete()


def _delete_volume(volume: Volume) -> None:
    try:
        volume_store.delete_volume(volume)
    except ServiceError as exc:  # reset or attached again meanwhile: it stays, as it is
        log.warning("volume %s of a deleted server not deleted: %s", volume.id, exc)


def _server(server_uuid: str) -> Server | None:
    return Server.objects.filter(uuid=server_uuid, deleted=False).first()


@shared_task(name="conductor.attach_volume")
def attach_volume(server_uuid: str, request_id: str, volume_id: str) -> None:
    server = _server(server_uuid)
    attachment = VolumeAttachment.objects.filter(
        server__uuid=server_uuid, volume_id=volume_id, status="attaching"
    ).first()
    if server is None or attachment is None:
        return
    volume = Volume.objects.get(id=volume_id)
    lifecycle.event_start(request_id, server_uuid, "compute_attach_volume", host=server.host)
    spec = {"id": str(volume.id), "path": volume_store.volume_path(volume.id), "format": volume.file_format}
    compute_then(
        "compute.attach_volume",
        server.host,
        [instance_payload(server), {"volume": spec, "device": attachment.device}],
        "conductor.volume_attached",
        server_uuid=server_uuid,
        request_id=request_id,
        volume_id=volume_id,
    )


@shared_task(name="conductor.volume_attached")
def volume_attached(outcome: dict, server_uuid: str, request_id: str, volume_id: str) -> None:
    ok = bool(outcome.get("ok"))
    lifecycle.event_finish(
        request_id,
        server_uuid,
        "compute_attach_volume",
        ok=ok,
        traceback=outcome.get("traceback"),
        host=outcome.get("host"),
    )
    attachment = VolumeAttachment.objects.filter(server__uuid=server_uuid, volume_id=volume_id).first()
    volume = Volume.objects.filter(id=volume_id).first()
    if attachment is None or volume is None:
        return
    if ok:
        VolumeAttachment.objects.filter(pk=attachment.pk).update(
            status="attached", device=outcome.get("device") or attachment.device
        )
        _set_volume(volume_store.mark_in_use, volume, server_uuid)
    else:
        attachment.delete()
        _set_volume(volume_store.mark_available, volume, server_uuid)
    lifecycle.finish_action(request_id, server_uuid)


@shared_task(name="conductor.detach_volume")
def detach_volume(server_uuid: str, request_id: str, volume_id: str) -> None:
    server = _server(server_uuid)
    if (
        server is None
        or not VolumeAttachment.objects.filter(
            server__uuid=server_uuid, volume_id=volume_id, status="detaching"
        ).exists()
    ):
        return
    lifecycle.event_start(request_id, server_uuid, "compute_detach_volume", host=server.host)
    compute_then(
        "compute.detach_volume",
        server.host,
        [instance_payload(server), {"volume_id": volume_id}],
        "conductor.volume_detached",
        server_uuid=server_uuid,
        request_id=request_id,
        volume_id=volume_id,
    )


@shared_task(name="conductor.volume_detached")
def volume_detached(outcome: dict, server_uuid: str, request_id: str, volume_id: str) -> None:
    ok = bool(outcome.get("ok"))
    lifecycle.event_finish(
        request_id,
        server_uuid,
        "compute_detach_volume",
        ok=ok,
        traceback=outcome.get("traceback"),
        host=outcome.get("host"),
    )
    volume = Volume.objects.filter(id=volume_id).first()
    if ok:
        VolumeAttachment.objects.filter(server__uuid=server_uuid, volume_id=volume_id).delete()
        _set_volume(volume_store.mark_available, volume, server_uuid)
    else:
        VolumeAttachment.objects.filter(server__uuid=server_uuid, volume_id=volume_id).update(status="attached")
        _set_volume(volume_store.mark_in_use, volume, server_uuid)
    lifecycle.finish_action(request_id, server_uuid)


@shared_task(name="conductor.attach_interface")
def attach_interface(server_uuid: str, request_id: str, port_id: str, user_port: bool) -> None:
    server = _server(server_uuid)
    port = Port.objects.filter(id=port_id, device_id=server_uuid).first()
    if server is None or port is None:
        return
    lifecycle.event_start(request_id, server_uuid, "compute_attach_interface", host=server.host)
    compute_then(
        "compute.attach_interface",
        server.host,
        [instance_payload(server), {"port": {"id": port_id, "mac_address": port.mac_address}}],
        "conductor.interface_attached",
        server_uuid=server_uuid,
        request_id=request_id,
        port_id=port_id,
        user_port=user_port,
    )


@shared_task(name="conductor.interface_attached")
def interface_attached(outcome: dict, server_uuid: str, request_id: str, port_id: str, user_port: bool) -> None:
    ok = bool(outcome.get("ok"))
    lifecycle.event_finish(
        request_id,
        server_uuid,
        "compute_attach_interface",
        ok=ok,
        traceback=outcome.get("traceback"),
        host=outcome.get("host"),
    )
    if ok:
        Port.objects.filter(id=port_id).update(status="ACTIVE")
    elif user_port:
        Port.objects.filter(id=port_id, device_id=server_uuid).update(device_id="", device_owner="", status="DOWN")
    else:
        Port.objects.filter(id=port_id, device_id=server_uuid).delete()
    lifecycle.finish_action(request_id, server_uuid)


@shared_task(name="conductor.detach_interface")
def detach_interface(server_uuid: str, request_id: str, port_id: str) -> None:
    server = _server(server_uuid)
    if server is None:
        return
    lifecycle.event_start(request_id, server_uuid, "compute_detach_interface", host=server.host)
    compute_then(
        "compute.detach_interface",
        server.host,
        [instance_payload(server), {"port_id": port_id}],
        "conductor.interface_detached",
        server_uuid=server_uuid,
        request_id=request_id,
        port_id=port_id,
    )


@shared_task(name="conductor.interface_detached")
def interface_detached(outcome: dict, server_uuid: str, request_id: str, port_id: str) -> None:
    ok = bool(outcome.get("ok"))
    lifecycle.event_finish(
        request_id,
        server_uuid,
        "compute_detach_interface",
        ok=ok,
        traceback=outcome.get("traceback"),
        host=outcome.get("host"),
    )
    if ok:
        server = Server.objects.get(uuid=server_uuid)
        passed_in = {entry.get("port") for entry in server.requested_networks}
        if port_id in passed_in:
            Port.objects.filter(id=port_id).update(device_id="", device_owner="", status="DOWN")
        else:
            Port.objects.filter(id=port_id, device_id=server_uuid).delete()
    lifecycle.finish_action(request_id, server_uuid)
