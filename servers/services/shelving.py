"""Shelve, shelveOffload and unshelve. Shelving snapshots the server into an image (the
record exists at once; a volume-backed server keeps its volume instead); offloading removes
the guest and frees its host's resources; unshelving a offloaded server schedules it again
(optionally into another zone)."""

from __future__ import annotations

from django.db import transaction

from core import policy
from core.exceptions import BadRequest, Conflict
from core.principal import Caller
from core.unset import UNSET, Unset
from hosts.models import ComputeNode
from hosts.zones import zone_of_host
from images import store
from images.models import Image

from ..models import Server
from ..states import VmState, status_for
from . import volume_backed
from .lookup import check_zone
from .operations import Operation, begin


def shelved_image(server: Server) -> Image | None:
    """The image the server was shelved into, if any."""
    return (
        Image.objects.filter(properties__instance_uuid=str(server.uuid), properties__image_type="shelved")
        .exclude(status__in=["deleted", "killed"])
        .order_by("-created_at")
        .first()
    )


def shelve(caller: Caller, server: Server) -> None:
    """Shelve: snapshot into an image; a volume-backed server keeps its root volume instead,
    takes no image and is offloaded at once, as Nova's shelve does."""
    if volume_backed.is_volume_backed(server):
        begin(caller, server, Operation("shelve", "conductor.shelve_server", {"image_id": ""}))
        return
    with transaction.atomic():
        image = store.create_image(
            name=f"{server.name}-shelved",
            owner=server.project_id,
            visibility="private",
            disk_format="qcow2",
            container_format="bare",
            properties={"image_type": "shelved", "instance_uuid": str(server.uuid), "base_image_ref": server.image_ref},
        )
        begin(caller, server, Operation("shelve", "conductor.shelve_server", {"image_id": str(image.id)}))


def shelve_offload(caller: Caller, server: Server) -> None:
    begin(caller, server, Operation("shelve_offload", "conductor.shelve_offload_server"))


def unshelve(
    caller: Caller, server: Server, availability_zone: str | Unset | None = UNSET, host: str | None = None
) -> None:
    """Unshelve, optionally into another zone (``None`` unpins the server, 2.91) or onto a
    named host (2.91; admins: os_compute_api:os-shelve:unshelve_to_host). Either is for a
    shelved offloaded server only (409, Nova's UnshelveInstanceInvalidState); the host must
    exist (400) and lie in the zone the server will be pinned to (409)."""
    zone_given = not isinstance(availability_zone, Unset)
    if (zone_given or host) and server.vm_state != VmState.SHELVED_OFFLOADED:
        raise Conflict(
            f"Specifying an availability zone or a host when unshelving server {server.uuid} with status "
            f"{status_for(server.vm_state, server.task_state)} is not supported. The server status must be "
            "SHELVED_OFFLOADED."
        )
    zone = availability_zone if zone_given else server.requested_availability_zone
    if zone_given and zone is not None:
        check_zone(zone)  # type: ignore[arg-type]
    if host:
        policy.enforce(caller, policy.SERVERS_UNSHELVE_TO_HOST, project_id=server.project_id)
        if not ComputeNode.objects.filter(host=host).exists():
            raise BadRequest(f"Compute host {host} could not be found.")
        if zone is not None and zone_of_host(host) != zone:
            raise Conflict(f"Host {host} is not in the availability zone {zone}.")
    changes = {"requested_availability_zone": zone} if zone_given else {}
    begin(caller, server, Operation("unshelve", "conductor.unshelve_server", {"host": host}, changes=changes))
