"""Creating servers (POST /servers, the admin, commands): validate what was asked against what
the caller may use, reserve quota, write the servers in BUILD/scheduling with their instance
action, and send them to the scheduler after commit (build_start)."""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from core.exceptions import BadRequest, Conflict, QuotaExceeded
from core.ids import require_uuid
from core.principal import Caller
from networks.models import Network, Port
from novasite import publishing

from .. import lifecycle
from ..models import Keypair, Server, ServerGroup, ServerGroupMember, ServerTag
from ..states import TaskState, VmState
from . import block_devices, build_start, image_mappings, quotas, security_groups
from .block_devices import BlockDevice
from .groups import check_group_room
from .lookup import bootable_image, check_requested_destination, check_zone, resolve_flavor, visible_image
from .metadata import check_quota as check_metadata_quota


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
    admin_password: str | None = None
    #: The servers' tags (2.52), already checked against Nova's tag schema.
    tags: list[str] = field(default_factory=list)
    #: 2.74: the host and/or hypervisor the servers must be built on (admins).
    requested_host: str | None = None
    requested_node: str | None = None
    security_groups: list[str] = field(default_factory=list)  # names or ids; none: the default group
    auto_disk_config: bool = False
    #: The guest's hostname (2.90); else one made from the name.
    hostname: str | None = None
    #: block_device_mapping(_v2), parsed (servers.services.block_devices); the image may
    #: then be "" (a volume-backed server).
    block_devices: list[BlockDevice] = field(default_factory=list)


def sanitize_hostname(name: str, default: str) -> str:
    """The guest hostname Nova derives from a server's name: latin-1 characters only, cut to
    63, spaces, underscores and dots made dashes, anything but word characters and dashes
    dropped, lower-cased, without leading or trailing dots and dashes; ``default`` (cut to
    63) when nothing is left."""
    hostname = name.encode("latin-1", "ignore").decode("latin-1")[:63]
    hostname = re.sub(r"[ _.]", "-", hostname)
    hostname = re.sub(r"[^\w.-]+", "", hostname).lower().strip(".-")
    return hostname or default[:63]


def _resolve_networks(caller: Caller, networks: str | list[dict]) -> list[dict]:
    """Normalise the requested networks to a list of {"uuid"} / {"port"} entries (with an
    optional "fixed_ip"). "auto" picks the one network the project can use (its own or a
    shared one, not an external one, whoever asks: Nova's available networks); with several,
    it is ambiguous (409), as Nova's NetworkAmbiguous."""
    usable = (
        Network.objects.all()
        if caller.is_admin
        else Network.objects.filter(Q(shared=True) | Q(project_id=caller.project_id))
    )
    if isinstance(networks, str):  # "auto" or "none"
        if networks != "auto":
            return []
        available = Network.objects.filter(Q(shared=True) | Q(project_id=caller.project_id), external=False)
        candidates = list(available.order_by("created_at")[:2])
        if len(candidates) > 1:
            raise Conflict("Multiple possible networks found, use a Network ID to be more specific.")
        return [{"uuid": str(candidates[0].id)}] if candidates else []
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
    group_uuid = require_uuid(group_id, BadRequest(f"Invalid input for field/attribute group. Value: {group_id}."))
    groups = ServerGroup.objects.filter(uuid=group_uuid)
    if not caller.is_admin:
        groups = groups.filter(project_id=caller.project_id)
    group = groups.first()
    if group is None:
        raise BadRequest(f"Instance group {group_id} could not be found.")
    return group


def create_servers(caller: Caller, spec: ServerCreate) -> list[Server]:
    """Validate, reserve quota and write the servers (BUILD/scheduling), then publish one
    build (conductor.schedule_and_build_instances) for all of them. Returns
    the servers, first one first."""
    flavor = resolve_flavor(caller, spec.flavor_ref)
    image = visible_image(caller, spec.image_ref)  # one query for the mappings and the checks
    requested = image_mappings.with_image_mappings(image, spec.block_devices)
    mappings = block_devices.check(caller, requested, spec.image_ref, spec.max_count)
    image_id = str(bootable_image(spec.image_ref, image, flavor).id) if spec.image_ref else ""
    networks = _resolve_networks(caller, spec.networks)
    if spec.security_groups:
        group_ids = security_groups.groups_for_new_server(caller, spec.security_groups)
        networks = [entry if "port" in entry else {**entry, "security_groups": group_ids} for entry in networks]
    if any("port" in entry for entry in networks) and spec.max_count > 1:
        raise BadRequest("Unable to launch multiple instances with a single configured port ID.")
    if spec.hostname and spec.max_count > 1:
        raise BadRequest("Unable to allocate a single hostname to multiple instances")
    check_zone(spec.availability_zone)
    destination = check_requested_destination(caller, spec.requested_host, spec.requested_node)
    limits = quotas.limits_for(caller.project_id)  # read once for the metadata and the reservation
    check_metadata_quota(caller.project_id, spec.metadata, limits)
    keypair = _keypair(caller, spec.key_name)
    group = _server_group(caller, spec.scheduler_hints)
    snapshot = flavor.snapshot()
    reservation_id = f"r-{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        count = spec.max_count
        if spec.min_count == spec.max_count:  # a refusal ends the create: no savepoint needed
            quotas.reserve(caller.project_id, quotas.server_usage(snapshot, count), limits)
        else:
            try:
                with transaction.atomic():
                    quotas.reserve(caller.project_id, quotas.server_usage(snapshot, count), limits)
            except QuotaExceeded:
                count = spec.min_count
                quotas.reserve(caller.project_id, quotas.server_usage(snapshot, count), limits)
        if group is not None:
            check_group_room(caller.project_id, group, count)
        servers, actions = [], []
        for index in range(count):
            name = spec.name if count == 1 else f"{spec.name}-{index + 1}"
            server_uuid = uuid.uuid4()
            server = Server.objects.create(
                uuid=server_uuid,
                name=name,
                hostname=spec.hostname or sanitize_hostname(name, default=f"Server-{server_uuid}"),
                description=spec.description,
                project_id=caller.project_id,
                user_id=caller.user_id,
                flavor=snapshot,
                image_ref=image_id,
                requested_availability_zone=spec.availability_zone,
                availability_zone=spec.availability_zone,
                vm_state=VmState.BUILDING,
                task_state=TaskState.SCHEDULING,
                key_name=keypair.name if keypair else None,
                key_data=keypair.public_key if keypair else None,
                user_data=spec.user_data,
                metadata=spec.metadata,
                reservation_id=reservation_id,
                launch_index=index,
                requested_networks=networks,
                config_drive="True" if spec.config_drive else "",
                auto_disk_config=spec.auto_disk_config,
                access_ip_v4=spec.access_ip_v4,
                access_ip_v6=spec.access_ip_v6,
                scheduler_hints=spec.scheduler_hints,
            )
            if group is not None:
                ServerGroupMember.objects.create(group=group, server=server)
            ServerTag.objects.bulk_create([ServerTag(server=server, tag=tag) for tag in spec.tags])
            block_devices.record(server, mappings)
            action = lifecycle.start_action(
                server, "create", request_id=caller.request_id, user_id=caller.user_id, project_id=caller.project_id
            )
            servers.append(server)
            actions.append(action)
        build_start.record_schedule_events(actions)
        # Without a mapping nothing can boot from a volume: no query needed to know it.
        placement = build_start.request_spec(
            servers,
            destination,
            is_bfv=None if mappings else False,
            image_properties=(image.properties or {}) if image is not None else None,
        )
        password = spec.admin_password
        publishing.publish_after_commit(
            functools.partial(build_start.publish_build, placement, caller.request_id, password),
            f"the build of {', '.join(placement.instance_uuids)}",
        )
    return servers
