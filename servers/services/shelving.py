"""Shelve, shelveOffload and unshelve. Shelving snapshots the server into an image (the
record exists at once); offloading removes the guest and frees its host's resources;
unshelving a offloaded server schedules it again (optionally into another zone)."""

from __future__ import annotations

from django.db import transaction

from core.exceptions import BadRequest
from core.principal import Caller
from images import store
from images.models import Image

from ..models import Server
from ..states import VmState
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
    with transaction.atomic():
        image = store.create_image(
            name=f"{server.name}-shelved",
            owner=server.project_id,
            visibility="private",
            disk_format="qcow2",
            container_format="bare",
            properties={"image_type": "shelved", "instance_uuid": str(server.uuid), "base_image_ref": server.image_ref},
        )
        begin(caller, server, Operation("shelve", "conductor.shelve_server", [str(image.id)]))


def shelve_offload(caller: Caller, server: Server) -> None:
    begin(caller, server, Operation("shelve_offload", "conductor.shelve_offload_server"))


def unshelve(caller: Caller, server: Server, availability_zone: str | None = None) -> None:
    if availability_zone is not None:
        if server.vm_state != VmState.SHELVED_OFFLOADED:
            raise BadRequest("The availability_zone can only be given to unshelve a shelved offloaded server.")
        check_zone(availability_zone)
    changes = {"requested_availability_zone": availability_zone} if availability_zone else {}
    begin(caller, server, Operation("unshelve", "conductor.unshelve_server", changes=changes))
