"""The servers service layer: every user-initiated change to a server starts here, whether it
comes from the REST API, the admin or a management command. Each function validates, checks
the state rules (servers.states), changes state by compare-and-swap, records the instance
action, and hands the work to the conductor by task name."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from core.exceptions import BadRequest, NotFound
from core.principal import Caller
from hosts.models import Aggregate
from images.models import Image
from networks.models import Network, Port
from novasite.celery import app as celery_app

from .. import lifecycle
from ..models import Flavor, Keypair, Server, ServerGroup, ServerGroupMember
from ..states import TaskState, VmState
from . import quotas


@dataclass
class ServerCreate:
    """A validated create request (the API's body, the admin's form or a command's options)."""

    name: str
    flavor_ref: str
    image_ref: str
    networks: str | list[dict] = "auto"
    availability_zone: str | None = None
    key_name: str | None = None
    metadata: dict = field(default_factory=dict)
    user_data: str | None = None
    description: str | None = None
    min_count: int = 1
    max_count: int = 1
    access_ip_v4: str | None = None
    access_ip_v6: str | None = None
    config_drive: bool = False
    scheduler_hints: dict = field(default_factory=dict)


def visible_flavors(caller: Caller):
    """Flavors the caller may boot: public ones, plus private ones shared with its project."""
    flavors = Flavor.objects.all()
    if caller.is_admin:
        return flavors
    return flavors.filter(Q(is_public=True) | Q(access__project_id=caller.project_id)).distinct()


def visible_images(caller: Caller):
    images = Image.objects.exclude(status="deleted")
    if caller.is_admin:
        return images
    return images.filter(Q(visibility__in=["public", "community"]) | Q(owner=caller.project_id))


def resolve_flavor(caller: Caller, flavor_ref: str) -> Flavor:
    flavor = visible_flavors(caller).filter(flavorid=str(flavor_ref)).first()
    if flavor is None or flavor.disabled:
        raise BadRequest(f"Flavor {flavor_ref} could not be found.")
    return flavor


def resolve_image(caller: Caller, image_ref: str, flavor: Flavor) -> Image:
    try:
        image_id = uuid.UUID(str(image_ref))
    except ValueError:
        raise BadRequest(f"Invalid imageRef provided: {image_ref}.") from None
    image = visible_images(caller).filter(id=image_id).first()
    if image is None:
        raise BadRequest(f"Image {image_ref} could not be found.")
    if image.status != "active":
        raise BadRequest(f"Image {image_ref} is not active.")
    if flavor.memory_mb < image.min_ram:
        raise BadRequest("Flavor's memory is too small for requested image.")
    if flavor.root_gb and flavor.root_gb < image.min_disk:
        raise BadRequest("Flavor's disk is too small for requested image.")
    return image


def _resolve_networks(caller: Caller, networks: str | list[dict]) -> list[dict]:
    """Normalise the requested networks to a list of {"uuid"} / {"port"} entries (with an
    optional "fixed_ip"). "auto" picks the one network the project can use, if there is one."""
    usable = (
        Network.objects.all()
        if caller.is_admin
        else Network.objects.filter(Q(shared=True) | Q(project_id=caller.project_id))
    )
    if networks == "none":
        return []
    if networks == "auto":
        candidates = list(usable.filter(external=False).order_by("created_at")[:2])
        return [{"uuid": str(candidates[0].id)}] if len(candidates) == 1 else []
    resolved = []
    for entry in networks:
        if "port" in entry:
            port = Port.objects.filter(id=entry["port"]).first()
            if port is None or (not caller.is_admin and port.project_id != caller.project_id):
                raise BadRequest(f"Port {entry['port']} could not be found.")
            if port.device_id:
                raise BadRequest(f"Port {entry['port']} is still in use.")
            resolved.append({"port": str(port.id)})
        else:
            network = usable.filter(id=entry["uuid"]).first()
            if network is None:
                raise BadRequest(f"Network {entry['uuid']} could not be found.")
            item = {"uuid": str(network.id)}
            if entry.get("fixed_ip"):
                item["fixed_ip"] = entry["fixed_ip"]
            resolved.append(item)
    return resolved


def check_zone(zone: str | None) -> None:
    if zone is None or zone == settings.DEFAULT_AVAILABILITY_ZONE:
        return
    if not Aggregate.objects.filter(availability_zone=zone).exists():
        raise BadRequest("The requested availability zone is not available")


def _keypair(caller: Caller, key_name: str | None) -> Keypair | None:
    if not key_name:
        return None
    keypair = Keypair.objects.filter(user_id=caller.user_id, name=key_name).first()
    if keypair is None:
        raise BadRequest("Invalid key_name provided.")
    return keypair


def _server_group(caller: Caller, hints: dict) -> ServerGroup | None:
    group_id = hints.get("group")
    if not group_id:
        return None
    try:
        group_uuid = uuid.UUID(str(group_id))
    except ValueError:
        raise BadRequest(f"Invalid input for field/attribute group. Value: {group_id}.") from None
    groups = ServerGroup.objects.filter(uuid=group_uuid)
    if not caller.is_admin:
        groups = groups.filter(project_id=caller.project_id)
    group = groups.first()
    if group is None:
        raise BadRequest(f"Instance group {group_id} could not be found.")
    return group


def _check_group_room(caller: Caller, group: ServerGroup, count: int) -> None:
    """The server_group_members quota, checked under the group's row lock so that concurrent
    creates into one group cannot pass it together."""
    locked = ServerGroup.objects.select_for_update().get(pk=group.pk)
    members = locked.members.filter(server__deleted=False).count()
    limit = quotas.limits_for(caller.project_id)["server_group_members"]
    if 0 <= limit < members + count:
        raise quotas.QuotaExceeded("Quota exceeded, too many servers in group")


def create_servers(caller: Caller, request: ServerCreate) -> list[Server]:
    """Validate, reserve quota and write the servers (BUILD/scheduling), then publish one
    conductor.build_servers for all of them. Returns the servers, first one first."""
    flavor = resolve_flavor(caller, request.flavor_ref)
    image = resolve_image(caller, request.image_ref, flavor)
    networks = _resolve_networks(caller, request.networks)
    if any("port" in entry for entry in networks) and request.max_count > 1:
        raise BadRequest("Unable to launch multiple instances with a single configured port ID.")
    check_zone(request.availability_zone)
    keypair = _keypair(caller, request.key_name)
    group = _server_group(caller, request.scheduler_hints)
    snapshot = flavor.snapshot()
    reservation_id = f"r-{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        count = request.max_count
        try:
            with transaction.atomic():
                quotas.reserve(caller.project_id, quotas.server_usage(snapshot, count))
        except quotas.QuotaExceeded:
            if request.min_count == request.max_count:
                raise
            count = request.min_count
            quotas.reserve(caller.project_id, quotas.server_usage(snapshot, count))
        if group is not None:
            _check_group_room(caller, group, count)
        servers = []
        for index in range(count):
            name = request.name if count == 1 else f"{request.name}-{index + 1}"
            server = Server.objects.create(
                name=name,
                hostname=name.lower().replace("_", "-")[:63],
                description=request.description,
                project_id=caller.project_id,
                user_id=caller.user_id,
                flavor=snapshot,
                image_ref=str(image.id),
                requested_availability_zone=request.availability_zone,
                availability_zone=request.availability_zone,
                vm_state=VmState.BUILDING,
                task_state=TaskState.SCHEDULING,
                key_name=keypair.name if keypair else None,
                key_data=keypair.public_key if keypair else None,
                user_data=request.user_data,
                metadata=request.metadata,
                reservation_id=reservation_id,
                launch_index=index,
                requested_networks=networks,
                config_drive="True" if request.config_drive else "",
                access_ip_v4=request.access_ip_v4,
                access_ip_v6=request.access_ip_v6,
                scheduler_hints=request.scheduler_hints,
            )
            if group is not None:
                ServerGroupMember.objects.create(group=group, server=server)
            lifecycle.start_action(
                server, "create", request_id=caller.request_id, user_id=caller.user_id, project_id=caller.project_id
            )
            servers.append(server)
        uuids = lifecycle.server_uuids(servers)
        transaction.on_commit(lambda: celery_app.send_task("conductor.build_servers", args=[uuids, caller.request_id]))
    return servers


def is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def get_server(caller: Caller, server_id: str) -> Server:
    """The caller's (or, for admins, any) live server with this uuid, else NotFound."""
    if not is_uuid(server_id):
        raise NotFound(f"Instance {server_id} could not be found.")
    servers = Server.objects.filter(uuid=server_id, deleted=False)
    if not caller.is_admin:
        servers = servers.filter(project_id=caller.project_id)
    server = servers.first()
    if server is None:
        raise NotFound(f"Instance {server_id} could not be found.")
    return server
