"""Sending work to a compute host: the one place that turns a server into a compute message
and picks the host's queue."""

from __future__ import annotations

import os
from typing import Any

from celery import signature
from django.conf import settings

from networks.models import Port
from novasite.celery import compute_queue
from novasite.tracing import server_kwargs
from servers.models import Server
from volumes.models import Volume
from volumes.store import volume_path


def instance_payload(server: Server, *, ports: list[Port] | None = None, has_volumes: bool = True) -> dict:
    """Everything a compute worker needs about a server, attached volumes and ports
    included; it never reads the database. A caller that holds the server's ports passes
    them (``ports``), and one that knows it attaches no volume says so (``has_volumes``
    False: a build that maps none, since nothing is attached to a server in BUILD): each
    spares the queries."""
    flavor = server.flavor
    volumes, root_volume = _attached_volumes(server) if has_volumes else ([], None)
    # A volume-backed server boots from its root volume, even when the create named an image.
    image_path = os.path.join(settings.IMAGE_DIR, server.image_ref) if server.image_ref and not root_volume else None
    if ports is None:
        ports = list(Port.objects.filter(device_id=str(server.uuid)).order_by("created_at").only("id", "mac_address"))
    else:
        ports = sorted(ports, key=lambda port: port.created_at)  # stable: made in the requested order
    interfaces = [{"id": str(port.id), "mac_address": port.mac_address} for port in ports]
    return {
        "uuid": str(server.uuid),
        "name": server.instance_name,
        "vcpus": flavor["vcpus"],
        "memory_mb": flavor["memory_mb"],
        "root_gb": flavor.get("root_gb", 0),
        "image_path": image_path,
        "metadata": {"display_name": server.name, "flavor_name": flavor.get("name", ""), "image": server.image_ref},
        "volumes": volumes,
        "root_volume": root_volume,
        "interfaces": interfaces,
    }


def _attached_volumes(server: Server) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The server's attached volumes, each with its file format, and apart from them its root
    volume (boot_index 0) when it boots from one (three queries). A volume of a block device
    mapping counts while it is still attaching: the build attaches it, with the guest."""
    mapped = dict(
        server.block_devices.filter(destination_type="volume", volume_id__isnull=False).values_list(
            "volume_id", "boot_index"
        )
    )
    attached = [
        row
        for row in server.volume_attachments.filter(status__in=("attached", "attaching"))
        if row.status == "attached" or row.volume_id in mapped
    ]
    formats = dict(Volume.objects.filter(id__in=[row.volume_id for row in attached]).values_list("id", "file_format"))
    volumes = [
        {
            "id": str(row.volume_id),
            "path": volume_path(row.volume_id),
            "format": formats.get(row.volume_id, "raw"),
            "device": row.device,
        }
        for row in attached
    ]
    root_ids = {str(volume_id) for volume_id, boot_index in mapped.items() if boot_index == 0}
    root = next((volume for volume in volumes if volume["id"] in root_ids), None)
    return [volume for volume in volumes if volume is not root], root


def compute_then(
    task: str,
    host: str | None,
    task_args: list,
    callback: str,
    /,
    *,
    server_uuid: str,
    request_id: str | None,
    task_id: str | None = None,
    **callback_kwargs: Any,
) -> None:
    """Run compute task `task` with `task_args` on `host`'s queue, then conductor task
    `callback` with the compute outcome as its first argument and `callback_kwargs` by name.
    Both carry the server's uuid and the request id (novasite.tracing); `task_id` names the
    compute task (so that it can be revoked). No host (a server that is on none) is a
    programming error: no worker would ever take the task."""
    if host is None:
        raise ValueError(f"{task}: no compute host to send it to")
    options = {"task_id": task_id} if task_id else {}
    (
        signature(
            task,
            args=task_args,
            kwargs=server_kwargs(server_uuid, request_id),
            queue=compute_queue(host),
            **options,
        )
        | signature(callback, kwargs=server_kwargs(server_uuid, request_id, **callback_kwargs), queue="conductor")
    ).apply_async()


def compute_cast(task: str, host: str, task_args: list, /, *, server_uuid: str, request_id: str | None) -> None:
    """Run compute task `task` on `host`'s queue with nothing to do after it."""
    signature(
        task, args=task_args, kwargs=server_kwargs(server_uuid, request_id), queue=compute_queue(host)
    ).apply_async()


def destroy_guest(host: str, server: Server, request_id: str | None = None) -> None:
    """Destroy `server`'s guest on `host` with nothing after it (terminate is idempotent): a
    guest nobody should have, e.g. one built too late or for a server deleted meanwhile."""
    compute_cast(
        "compute.terminate_instance",
        host,
        [instance_payload(server)],
        server_uuid=str(server.uuid),
        request_id=request_id,
    )


def schedule_then(spec: dict, callback: str, /, *, server_uuid: str, request_id: str, **callback_kwargs: Any) -> None:
    """Ask the scheduler (its own queue) to place and claim `spec` for one server, then run
    conductor task `callback` with the decision {"ok": True, "selections": [...]} or
    {"ok": False, "reason": ...} as its first argument and `callback_kwargs` by name."""
    (
        signature(
            "scheduler.select_destinations",
            args=[spec],
            kwargs=server_kwargs(server_uuid, request_id),
            queue="scheduler",
        )
        | signature(callback, kwargs=server_kwargs(server_uuid, request_id, **callback_kwargs), queue="conductor")
    ).apply_async()
