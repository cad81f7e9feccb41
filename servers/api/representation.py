"""How servers and flavors look on the wire, per microversion (Nova's view builders)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import core.lookups  # noqa: F401  (registers field__any)
from core import microversions as mv
from core.microversions import Microversion
from core.timestamps import micro, seconds_z
from hosts.heartbeats import is_up
from hosts.models import Service
from networks.models import Port
from servers.models import Flavor, Server, ServerFault, ServerGroupMember, ServerTag, VolumeAttachment
from servers.services.addresses import addresses_of
from servers.services.server_rows import ServerBrief, ServerRow
from servers.states import status_for

from . import representation_extras as extras

# A server as the documents read it: a model (one server's GET, PUT, actions) or a list's row.
AnyServer = Server | ServerRow


def links(base: str, collection: str, item_id: str) -> list[dict[str, Any]]:
    return [
        {"rel": "self", "href": f"{base}/compute/v2.1/{collection}/{item_id}"},
        {"rel": "bookmark", "href": f"{base}/compute/{collection}/{item_id}"},
    ]


def host_id(server: AnyServer) -> str:
    """Nova's hostId: a per-project hash of the host, so tenants can tell co-location apart
    without learning host names."""
    if not server.host:
        return ""
    return hashlib.sha224((server.project_id + server.host).encode()).hexdigest()


class ServerContext:
    """Data shared by a page of servers, loaded with a fixed number of queries."""

    def __init__(
        self,
        servers: Sequence[AnyServer],
        version: Microversion = mv.MIN,
        is_admin: bool = False,
        *,
        groups: bool = True,
    ) -> None:
        uuids = [str(server.uuid) for server in servers]
        self.groups: dict[int, list[str]] = defaultdict(list)
        if version >= mv.SERVER_GROUPS_IN_SERVER and groups:
            for server_id, group_uuid in ServerGroupMember.objects.filter(
                server_id__any=[s.pk for s in servers]
            ).values_list("server_id", "group__uuid"):
                self.groups[server_id].append(str(group_uuid))
        self.host_status: dict[str, str] = {}
        if version >= mv.HOST_STATUS and is_admin:
            hosts = {server.host for server in servers if server.host}
            for service in Service.objects.filter(binary="nova-compute", host__any=list(hosts)):
                self.host_status[service.host] = (
                    "DOWN" if not is_up(service) else "MAINTENANCE" if service.disabled else "UP"
                )
        self.addresses = addresses_of(uuids)
        # Nova lists a server's groups port by port, by name (by id when unnamed).
        self.security_groups: dict[str, list[dict[str, str]]] = defaultdict(list)
        for device_id, group_id, name in (
            Port.security_groups.through.objects.filter(port__device_id__any=uuids)
            .order_by("port__created_at", "port_id", "id")
            .values_list("port__device_id", "securitygroup_id", "securitygroup__name")
        ):
            self.security_groups[device_id].append({"name": name or str(group_id)})
        self.volumes: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for server_id, volume_id, delete_on_termination in (
            VolumeAttachment.objects.filter(server_id__any=[s.pk for s in servers])
            .exclude(status="error")
            .values_list("server_id", "volume_id", "delete_on_termination")
        ):
            volume: dict[str, Any] = {"id": str(volume_id)}
            if version >= mv.EXTENDED_SERVER_ATTRIBUTES:  # 2.3 adds delete_on_termination
                volume["delete_on_termination"] = delete_on_termination
            self.volumes[server_id].append(volume)
        self.tags: dict[int, list[str]] = defaultdict(list)
        if version >= mv.SERVER_TAGS:
            for server_id, tag in ServerTag.objects.filter(server_id__any=[s.pk for s in servers]).values_list(
                "server_id", "tag"
            ):
                self.tags[server_id].append(tag)
        faulty = [server.pk for server in servers if server.vm_state == "error"]
        self.faults: dict[int, ServerFault] = {}
        for fault in ServerFault.objects.filter(server_id__any=faulty).order_by("server_id", "-created_at", "-id"):
            self.faults.setdefault(fault.server_id, fault)
        self.image_properties: dict[str, dict[str, str]] = {}
        if version >= mv.IMAGE_PROPERTIES_IN_SERVER:
            self.image_properties = extras.image_properties(server.image_ref for server in servers)


def flavor_of(server: AnyServer, version: Microversion, base: str) -> dict[str, Any]:
    flavor = server.flavor
    if version >= mv.EMBEDDED_FLAVOR:
        return {
            "vcpus": flavor["vcpus"],
            "ram": flavor["memory_mb"],
            "disk": flavor.get("root_gb", 0),
            "ephemeral": flavor.get("ephemeral_gb", 0),
            "swap": flavor.get("swap", 0),
            "original_name": flavor.get("name", ""),
            "extra_specs": flavor.get("extra_specs", {}),
        }
    return {
        "id": flavor["flavorid"],
        "links": [{"rel": "bookmark", "href": f"{base}/compute/flavors/{flavor['flavorid']}"}],
    }


def image_of(server: AnyServer, version: Microversion, base: str, ctx: ServerContext) -> dict[str, Any] | str:
    """The embedded image: "" for a server without one; its properties from 2.98."""
    if not server.image_ref:
        return ""
    image: dict[str, Any] = {
        "id": server.image_ref,
        "links": [{"rel": "bookmark", "href": f"{base}/compute/images/{server.image_ref}"}],
    }
    if version >= mv.IMAGE_PROPERTIES_IN_SERVER:
        image["properties"] = ctx.image_properties.get(server.image_ref, {})
    return image


def server_brief(server: AnyServer | ServerBrief, base: str) -> dict[str, Any]:
    return {"id": str(server.uuid), "name": server.name, "links": links(base, "servers", str(server.uuid))}


@dataclass(frozen=True)
class Shown:
    """Which attribute groups a server document carries (Nova's view builder flags): GET
    /servers/{id} shows all of them; /servers/detail all but server_groups; PUT and rebuild
    before 2.75 only the basic ones (rebuild adds key_name from 2.54)."""

    extended: bool = True
    keypair: bool = True
    server_groups: bool = True
    user_data: bool = True


SHOW = Shown()
LIST = Shown(server_groups=False)


def changed(version: Microversion, *, keypair: bool = False) -> Shown:
    """What PUT /servers/{id} (and rebuild, with ``keypair`` from 2.54) answers with."""
    everything = version >= mv.API_CONSISTENCY
    return Shown(extended=everything, keypair=everything or keypair, user_data=False)


_PROGRESS_STATUSES = ("ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING")


def server_detail(
    server: AnyServer, version: Microversion, base: str, ctx: ServerContext, *, is_admin: bool, shown: Shown = SHOW
) -> dict[str, Any]:
    """The full server document (GET /servers/{id} and /servers/detail; less of it for PUT and
    rebuild, as ``shown`` says)."""
    status = status_for(server.vm_state, server.task_state)
    body: dict[str, Any] = {
        **server_brief(server, base),
        "status": status,
        "tenant_id": server.project_id,
        "user_id": server.user_id,
        "metadata": server.metadata,
        "hostId": host_id(server),
        "image": image_of(server, version, base, ctx),
        "flavor": flavor_of(server, version, base),
        "created": seconds_z(server.created_at),
        "updated": seconds_z(server.updated_at),
        "addresses": _addresses(ctx.addresses.get(str(server.uuid), {}), extended=shown.extended),
        "accessIPv4": server.access_ip_v4 or "",
        "accessIPv6": server.access_ip_v6 or "",
        "OS-DCF:diskConfig": disk_config(server),
    }
    if status in _PROGRESS_STATUSES:
        body["progress"] = 0
    if shown.extended:
        body.update(
            {
                "OS-EXT-AZ:availability_zone": server.availability_zone or "",
                "config_drive": server.config_drive,
                "OS-EXT-STS:vm_state": server.vm_state,
                "OS-EXT-STS:task_state": server.task_state,
                "OS-EXT-STS:power_state": server.power_state,
                "OS-SRV-USG:launched_at": micro(server.launched_at),
                "OS-SRV-USG:terminated_at": micro(server.terminated_at),
                "os-extended-volumes:volumes_attached": ctx.volumes.get(server.pk, []),
            }
        )
        if ctx.security_groups.get(str(server.uuid)):
            body["security_groups"] = ctx.security_groups[str(server.uuid)]  # as Nova: only when it has some
    if shown.keypair:
        body["key_name"] = server.key_name
    extended_attributes = shown.extended and is_admin
    if extended_attributes:
        body.update(
            {
                "OS-EXT-SRV-ATTR:host": server.host,
                "OS-EXT-SRV-ATTR:hypervisor_hostname": server.node,
                "OS-EXT-SRV-ATTR:instance_name": server.instance_name,
            }
        )
        if version >= mv.EXTENDED_SERVER_ATTRIBUTES:
            body.update(
                {
                    "OS-EXT-SRV-ATTR:reservation_id": server.reservation_id,
                    "OS-EXT-SRV-ATTR:launch_index": server.launch_index,
                    "OS-EXT-SRV-ATTR:hostname": server.hostname,
                    "OS-EXT-SRV-ATTR:kernel_id": "",
                    "OS-EXT-SRV-ATTR:ramdisk_id": "",
                    "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
                }
            )
            if shown.user_data:
                body["OS-EXT-SRV-ATTR:user_data"] = server.user_data
    elif version >= mv.SERVER_HOSTNAME:
        body["OS-EXT-SRV-ATTR:hostname"] = server.hostname  # 2.90: owners see (and set) it too
    if version >= mv.SERVER_LOCKED:
        body["locked"] = server.locked
    if version >= mv.HOST_STATUS and is_admin and shown.extended:
        # Nova: UP, DOWN, MAINTENANCE (service disabled), UNKNOWN; "" when there is no host.
        body["host_status"] = ctx.host_status.get(server.host, "UNKNOWN") if server.host else ""
    if version >= mv.SERVER_DESCRIPTION:
        body["description"] = server.description
    if version >= mv.SERVER_TAGS:
        body["tags"] = ctx.tags.get(server.pk, [])
    if version >= mv.TRUSTED_IMAGE_CERTIFICATES:
        body["trusted_image_certificates"] = None
    if version >= mv.SERVER_GROUPS_IN_SERVER and shown.server_groups:
        body["server_groups"] = ctx.groups.get(server.pk, [])
    if version >= mv.LOCKED_REASON:
        body["locked_reason"] = server.locked_reason
    if version >= mv.PINNED_AVAILABILITY_ZONE and shown.extended:
        body["pinned_availability_zone"] = server.requested_availability_zone
    if version >= mv.SCHEDULER_HINTS_IN_SERVER:
        body["scheduler_hints"] = extras.scheduler_hints(server.scheduler_hints)
    fault = ctx.faults.get(server.pk)
    if fault is not None and status in ("ERROR", "DELETED"):
        body["fault"] = {"code": fault.code, "message": fault.message, "created": seconds_z(fault.created_at)}
        if is_admin:
            body["fault"]["details"] = fault.details
    return body


def _addresses(addresses: dict[str, list[dict[str, Any]]], *, extended: bool) -> dict[str, list[dict[str, Any]]]:
    """A server's addresses; without the extended ones (OS-EXT-IPS:type, the MAC) only version
    and addr, as Nova's PUT and rebuild answer before 2.75."""
    if extended:
        return addresses
    return {net: [{"version": a["version"], "addr": a["addr"]} for a in items] for net, items in addresses.items()}


def disk_config(server: AnyServer) -> str:
    """OS-DCF:diskConfig: AUTO or MANUAL."""
    return "AUTO" if server.auto_disk_config else "MANUAL"


def servers_detail(
    servers: Iterable[AnyServer], version: Microversion, base: str, *, is_admin: bool, shown: Shown = LIST
) -> list[dict[str, Any]]:
    """Server documents for a page of servers (``shown`` defaults to the list's)."""
    servers = list(servers)
    ctx = ServerContext(servers, version, is_admin, groups=shown.server_groups)
    return [server_detail(server, version, base, ctx, is_admin=is_admin, shown=shown) for server in servers]


def flavor_detail(flavor: Flavor, version: Microversion, base: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": flavor.flavorid,
        "name": flavor.name,
        "ram": flavor.memory_mb,
        "vcpus": flavor.vcpus,
        "disk": flavor.root_gb,
        "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral_gb,
        "swap": flavor.swap or ("" if version < mv.API_CONSISTENCY else 0),
        "os-flavor-access:is_public": flavor.is_public,
        "links": links(base, "flavors", flavor.flavorid),
    }
    if version < mv.QUERY_PARAMS_RESTRICTED:
        body["rxtx_factor"] = flavor.rxtx_factor
        body["OS-FLV-DISABLED:disabled"] = flavor.disabled
    if version >= mv.FLAVOR_DESCRIPTION:
        body["description"] = flavor.description
    if version >= mv.FLAVOR_EXTRA_SPECS_SHOWN:
        body["extra_specs"] = flavor.extra_specs
    return body
