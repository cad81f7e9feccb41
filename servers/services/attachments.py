"""Volume and interface attach/detach, as service-layer functions. The API reserves the
volume (or binds the port) at once; the conductor has the host's hypervisor change the guest
and records the outcome; a failed attach is rolled back (volume available again, port gone)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from core import policy
from core.exceptions import BadRequest, Conflict, NotFound
from core.ids import parse_uuid, require_uuid
from core.principal import Caller
from core.unset import UNSET, Unset
from networks import ipam
from networks.models import Network, Port
from novasite.publishing import send_after_commit
from novasite.tracing import server_kwargs
from volumes import store as volume_store
from volumes.models import Volume

from .. import lifecycle
from ..models import Server, VolumeAttachment
from .operations import check


def volume_attachments(server: Server) -> QuerySet[VolumeAttachment]:
    """The server's volume attachments (failed ones are not attachments)."""
    return server.volume_attachments.exclude(status="error").select_related("server")


def volume_attachment(server: Server, volume_id: str) -> VolumeAttachment:
    """The server's attachment of a volume, else 404."""
    volume_uuid = parse_uuid(volume_id)
    row = server.volume_attachments.filter(volume_id=volume_uuid).first() if volume_uuid else None
    if row is None:
        raise NotFound(f"Volume {volume_id} is not attached to instance {server.uuid}.")
    return row


def interfaces(server: Server) -> QuerySet[Port]:
    """The server's ports, oldest first."""
    return Port.objects.filter(device_id=str(server.uuid)).order_by("created_at")


def interface(server: Server, port_id: str) -> Port:
    """One of the server's ports, else 404."""
    port_uuid = parse_uuid(port_id)
    port = Port.objects.filter(id=port_uuid, device_id=str(server.uuid)).first() if port_uuid else None
    if port is None:
        raise NotFound(f"Port {port_id} is not attached to instance {server.uuid}.")
    return port


def _volume(caller: Caller, volume_id: str) -> Volume:
    key = require_uuid(volume_id, BadRequest(f"Invalid volumeId: {volume_id}"))
    volumes = Volume.objects.filter(id=key)
    if not caller.is_admin:
        volumes = volumes.filter(project_id=caller.project_id)
    volume = volumes.first()
    if volume is None:
        raise NotFound(f"Volume {volume_id} could not be found.")
    return volume


def _record(caller: Caller, server: Server, action: str, task: str, **params: object) -> None:
    """Record the instance action and, after commit, start conductor ``task`` with ``params``."""
    lifecycle.start_action(
        server, action, request_id=caller.request_id, user_id=caller.user_id, project_id=caller.project_id
    )
    send_after_commit(task, server_kwargs(server.uuid, caller.request_id, **params))


#: The device names volumes get, in order: the hypervisor driver's (workers/virt/libvirt:
#: a scsi disk each, sdb to sdz; sda is left to a scsi root disk), which takes the name it
#: is given when that name is free.
VOLUME_DEVICES = tuple(f"sd{letter}" for letter in "bcdefghijklmnopqrstuvwxyz")


def _device_for(server: Server, wanted: str | None) -> str:
    """The device the volume will have, named before the host attaches it, as Nova's
    reserve_block_device_name does: ``wanted`` if it is a free volume name, else the first
    free one (other names, ``vdb`` ..., are not the driver's and are ignored, as Nova's
    libvirt driver ignores them). 400 when every name is taken."""
    taken = {(row.device or "").removeprefix("/dev/") for row in volume_attachments(server)}
    wanted = (wanted or "").removeprefix("/dev/")
    if wanted in VOLUME_DEVICES and wanted not in taken:
        return wanted
    for device in VOLUME_DEVICES:
        if device not in taken:
            return device
    raise BadRequest(f"No free device name for another volume on instance {server.uuid}.")


def attach_volume(caller: Caller, server: Server, volume_id: str, device: str | None = None) -> VolumeAttachment:
    """Reserve the volume for the server and have its host attach it. A server without a
    host (shelved and offloaded) has nothing to change: the attachment is recorded at once
    and its next host attaches the volume when it spawns the guest, as Nova's does."""
    check(caller, server, "attach_volume")
    volume = _volume(caller, volume_id)
    # Nova answers 400 (InvalidVolume) for a volume attached already, here or elsewhere.
    if server.volume_attachments.filter(volume_id=volume.id).exists():
        raise BadRequest(f"Invalid volume: volume {volume.id} is already attached to instance {server.uuid}.")
    with transaction.atomic():
        try:
            volume_store.reserve(volume, server.uuid)
        except Conflict as exc:
            raise BadRequest(f"Invalid volume: {exc}") from exc
        device = _device_for(server, device)
        if not server.host:
            volume_store.mark_in_use(volume, server.uuid)
            attachment = VolumeAttachment.objects.create(
                server=server, volume_id=volume.id, device=device, status="attached"
            )
            _record_done(caller, server, "attach_volume")
            return attachment
        attachment = VolumeAttachment.objects.create(
            server=server, volume_id=volume.id, device=device, status="attaching"
        )
        _record(caller, server, "attach_volume", "conductor.attach_volume", volume_id=str(volume.id))
    return attachment


def _record_done(caller: Caller, server: Server, action: str) -> None:
    """An action that needed no host: recorded, and finished at once."""
    lifecycle.start_action(
        server, action, request_id=caller.request_id, user_id=caller.user_id, project_id=caller.project_id
    )
    lifecycle.finish_action(caller.request_id, str(server.uuid))


@dataclass(frozen=True)
class AttachmentUpdate:
    """PUT /servers/{id}/os-volume_attachments/{volume}: the volume the attachment should
    hold (another one: a swap), the one field that may change (2.85), and the read-only
    fields a client may echo back, which must then equal what they are (UNSET: not given)."""

    new_volume_id: str
    swap_only: bool = True
    delete_on_termination: bool | Unset = UNSET
    attachment_id: str | Unset = UNSET
    server_id: str | Unset = UNSET
    device: str | Unset | None = UNSET
    tag: str | Unset | None = UNSET


def _swap_volume(caller: Caller, old_volume_id: str) -> None:
    """Nova's swap: the old volume must exist (404) and be migrating, since only Cinder's
    volume migration asks for a swap. Volumes here never migrate, so every swap ends in 409
    before the new volume is looked at, as Nova's own check orders it."""
    key = parse_uuid(old_volume_id)
    volumes = Volume.objects.filter(id=key) if key else Volume.objects.none()
    if not caller.is_admin:
        volumes = volumes.filter(project_id=caller.project_id)
    if not volumes.exists():
        raise NotFound(f"Volume {old_volume_id} could not be found.")
    raise Conflict(f"volume {old_volume_id} is not migrating; this API should only be called by Cinder")


def update_volume_attachment(caller: Caller, server: Server, volume_id: str, update: AttachmentUpdate) -> None:
    """Before 2.85 every PUT is a swap (the service role's); from 2.85 the attachment's
    delete_on_termination changes (its other fields may only be repeated as they are), and a
    different volumeId is a swap after that."""
    swap = update.swap_only or update.new_volume_id != volume_id
    if swap:
        policy.enforce(caller, policy.VOLUME_ATTACHMENT_SWAP)
    if not update.swap_only:
        attachment = volume_attachment(server, volume_id)
        fixed = (
            ("id", update.attachment_id, str(attachment.volume_id)),
            ("serverId", update.server_id, str(server.uuid)),
            ("device", update.device, attachment.device),
            ("tag", update.tag, None),
        )
        for name, given, current in fixed:
            if (
                not isinstance(given, Unset)
                and given != current
                and not (name == "device" and _same_device(given, current))
            ):
                raise BadRequest(f"The {name} property is not mutable")
        if not isinstance(update.delete_on_termination, Unset):
            VolumeAttachment.objects.filter(pk=attachment.pk).update(delete_on_termination=update.delete_on_termination)
    if swap:
        _swap_volume(caller, volume_id)


def _same_device(given: str | None, current: str | None) -> bool:
    """``/dev/vdb`` and ``vdb`` (how the device may be recorded) name the same device."""
    return (given or "").removeprefix("/dev/") == (current or "").removeprefix("/dev/")


def detach_volume(caller: Caller, server: Server, volume_id: str) -> None:
    """Have the server's host detach a volume; the volume is available once it has (at
    once for a server without a host)."""
    check(caller, server, "detach_volume")
    attachment = server.volume_attachments.filter(volume_id=_volume(caller, volume_id).id).first()
    if attachment is None:
        raise NotFound(f"Volume {volume_id} is not attached to instance {server.uuid}.")
    if server.block_devices.filter(volume_id=attachment.volume_id, boot_index=0).exists():
        raise BadRequest("Cannot detach a root device volume")
    with transaction.atomic():
        if VolumeAttachment.objects.filter(pk=attachment.pk, status="attached").update(status="detaching") != 1:
            raise Conflict(f"Volume {volume_id} is {attachment.status}, not attached.")
        volume = volume_store.begin_detaching(Volume.objects.get(id=attachment.volume_id), server.uuid)
        if not server.host:  # shelved and offloaded: no guest to change
            VolumeAttachment.objects.filter(pk=attachment.pk).delete()
            volume_store.mark_available(volume, server.uuid)
            _record_done(caller, server, "detach_volume")
            return
        _record(caller, server, "detach_volume", "conductor.detach_volume", volume_id=str(attachment.volume_id))


def _remember_user_port(server: Server, port_id: str) -> None:
    """Note the port among those the user passed in (Nova's preserve_on_delete), so detaching
    it or deleting the server unbinds it instead of deleting it. Inside the caller's
    transaction, under the server's row lock."""
    locked = Server.objects.select_for_update().only("requested_networks").get(pk=server.pk)
    if not any(entry.get("port") == port_id for entry in locked.requested_networks):
        requested = [*locked.requested_networks, {"port": port_id}]
        Server.objects.filter(pk=server.pk).update(requested_networks=requested)
        server.requested_networks = requested


def attach_interface(
    caller: Caller,
    server: Server,
    *,
    net_id: str | None = None,
    port_id: str | None = None,
    fixed_ip: str | None = None,
) -> Port:
    """Create (or bind) a port for the server and have its host plug it."""
    check(caller, server, "attach_interface")
    with transaction.atomic():
        if port_id:
            port = Port.objects.filter(id=port_id).first()
            if port is None or (not caller.is_admin and port.project_id != caller.project_id):
                raise NotFound(f"Port {port_id} could not be found.")
            if (
                Port.objects.filter(pk=port.pk, device_id="").update(
                    device_id=str(server.uuid), device_owner="compute:nova"
                )
                != 1
            ):
                raise Conflict(f"Port {port_id} is still in use.")
            port.refresh_from_db()
            _remember_user_port(server, str(port.id))
        elif net_id:
            network = Network.objects.filter(id=net_id).first()
            if network is None or not (caller.is_admin or network.shared or network.project_id == caller.project_id):
                raise NotFound(f"Network {net_id} could not be found.")
            port = ipam.create_port(
                network,
                project_id=server.project_id,
                device_id=str(server.uuid),
                device_owner="compute:nova",
                fixed_ip=fixed_ip,
            )
        else:
            raise BadRequest("Give net_id or port_id.")
        _record(
            caller,
            server,
            "attach_interface",
            "conductor.attach_interface",
            port_id=str(port.id),
            user_port=bool(port_id),
        )
    return port


def detach_interface(caller: Caller, server: Server, port_id: str) -> None:
    """Have the server's host unplug a port."""
    check(caller, server, "detach_interface")
    port = interface(server, port_id)
    with transaction.atomic():
        _record(caller, server, "detach_interface", "conductor.detach_interface", port_id=str(port.id))
