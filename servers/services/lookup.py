"""Lookups the servers service layer shares: a caller's server, the flavors and images it may
boot, and the availability zones it may name. Each answers Nova's 404 or 400 in Nova's words
(nova/compute/api.py, nova/api/openstack/compute/servers.py)."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.db.models import Q, QuerySet

from core import policy
from core.exceptions import BadRequest, NotFound
from core.ids import parse_uuid
from core.principal import Caller
from hosts.models import Aggregate, ComputeNode
from images.models import Image

from ..models import Flavor, Server

GIB = 1024**3


class FlavorSizes(Protocol):
    """What image validation needs of a flavor (a Flavor, or a server's flavor snapshot)."""

    memory_mb: int
    root_gb: int


def get_server(caller: Caller, server_id: str) -> Server:
    """The caller's (or, for admins, any) live server with this uuid, else NotFound."""
    uuid = parse_uuid(server_id)
    servers = Server.objects.filter(uuid=uuid, deleted=False) if uuid else Server.objects.none()
    if not caller.is_admin:
        servers = servers.filter(project_id=caller.project_id)
    server = servers.first()
    if server is None:
        raise NotFound(f"Instance {server_id} could not be found.")
    return server


def visible_flavors(caller: Caller) -> QuerySet[Flavor]:
    """Flavors the caller may boot: public ones, plus private ones shared with its project."""
    flavors = Flavor.objects.all()
    if caller.is_admin:
        return flavors
    return flavors.filter(Q(is_public=True) | Q(access__project_id=caller.project_id)).distinct()


def visible_images(caller: Caller) -> QuerySet[Image]:
    """Images the caller may boot: public and community ones, plus its project's own."""
    images = Image.objects.exclude(status="deleted")
    if caller.is_admin:
        return images
    return images.filter(Q(visibility__in=["public", "community"]) | Q(owner=caller.project_id))


def resolve_flavor(caller: Caller, flavor_ref: str) -> Flavor:
    """The enabled flavor ``flavor_ref`` names among those the caller may boot, else 400."""
    # The flavor by its unique id, then the caller's access to it: a public flavor (the usual
    # case) costs one plain query, not visible_flavors' DISTINCT over the access rows.
    flavor = Flavor.objects.filter(flavorid=str(flavor_ref)).order_by().first()
    shared = flavor is not None and (
        caller.is_admin or flavor.is_public or flavor.access.filter(project_id=caller.project_id).exists()
    )
    if not shared:
        flavor = None
    if flavor is None or flavor.disabled:
        raise BadRequest(f"Flavor {flavor_ref} could not be found.")
    return flavor


def visible_image(caller: Caller, image_ref: str) -> Image | None:
    """The image ``image_ref`` names if the caller may boot it; None when it names none (or
    is no UUID)."""
    image_id = parse_uuid(image_ref) if image_ref else None
    return visible_images(caller).filter(id=image_id).first() if image_id is not None else None


def resolve_image(caller: Caller, image_ref: str, flavor: FlavorSizes) -> Image:
    """The active image ``image_ref`` names among those the caller may boot, and big enough
    ``flavor`` for it, else 400."""
    return bootable_image(image_ref, visible_image(caller, image_ref), flavor)


def bootable_image(image_ref: str, image: Image | None, flavor: FlavorSizes) -> Image:
    """``image`` (what `visible_image` found for ``image_ref``) if it is active and ``flavor``
    is big enough for it, else 400."""
    if parse_uuid(image_ref) is None:
        raise BadRequest(f"Invalid imageRef provided: {image_ref}.")
    if image is None:
        raise BadRequest(f"Image {image_ref} could not be found.")
    if image.status != "active":
        raise BadRequest(f"Image {image_ref} is not active.")
    if flavor.memory_mb < image.min_ram:
        raise BadRequest("Flavor's memory is too small for requested image.")
    if flavor.root_gb and flavor.root_gb < image.min_disk:
        raise BadRequest(
            "Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is "
            f"{flavor.root_gb * GIB} bytes, minimum size is {image.min_disk * GIB} bytes."
        )
    return image


def check_zone(zone: str | None) -> None:
    """400 unless ``zone`` is None, the default zone or the zone of some aggregate."""
    if zone is None or zone == settings.DEFAULT_AVAILABILITY_ZONE:
        return
    if not Aggregate.objects.filter(availability_zone=zone).exists():
        raise BadRequest("The requested availability zone is not available")


def check_requested_destination(caller: Caller, host: str | None, node: str | None) -> dict[str, str] | None:
    """A create's requested host and/or hypervisor (2.74): admins only (403), and 400 in Nova's
    words unless such a compute node exists. Returns what the scheduler must honour."""
    if not host and not node:
        return None
    policy.enforce(caller, policy.SERVERS_CREATE_ON_HOST, project_id=caller.project_id)
    nodes = ComputeNode.objects.all()
    if host:
        nodes = nodes.filter(host=host)
    if node:
        nodes = nodes.filter(hypervisor_hostname=node)
    if not nodes.exists():
        raise BadRequest(f"Compute host {node or host} could not be found.")
    return {key: value for key, value in (("host", host), ("node", node)) if value}
