"""IP address management: ports take the next free address of their subnet's pools. The
subnet row is locked while an address is chosen, so two ports never get the same one."""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Iterator

from django.db import IntegrityError, transaction

from core.exceptions import BadRequest, Conflict

from .exceptions import IpAddressAlreadyAllocated, IpAddressGenerationFailure, MacAddressInUse
from .models import Network, Port, SecurityGroup, Subnet
from .security import give_groups


def default_pools(cidr: str, gateway: str | None) -> list[dict[str, str]]:
    """All host addresses of the (IPv4) CIDR except the gateway: one pool, or two when the
    gateway sits inside the host range (as Neutron splits them)."""
    net = ipaddress.IPv4Network(cidr, strict=False)
    if net.num_addresses <= 2:
        return []
    first, last = net.network_address + 1, net.broadcast_address - 1
    gw = ipaddress.IPv4Address(gateway) if gateway else None
    if gw is None or not first <= gw <= last:
        return [{"start": str(first), "end": str(last)}]
    pools = []
    if gw > first:
        pools.append({"start": str(first), "end": str(gw - 1)})
    if gw < last:
        pools.append({"start": str(gw + 1), "end": str(last)})
    return pools


def _pool_addresses(subnet: Subnet) -> Iterator[str]:
    """The addresses of the subnet's pools, in order, except its gateway."""
    for pool in subnet.allocation_pools or default_pools(subnet.cidr, subnet.gateway_ip):
        start, end = ipaddress.IPv4Address(pool["start"]), ipaddress.IPv4Address(pool["end"])
        current = start
        while current <= end:
            if str(current) != subnet.gateway_ip:
                yield str(current)
            current += 1


def _random_mac() -> str:
    # fa:16:3e is the prefix OpenStack uses for guest NICs.
    return "fa:16:3e:{:02x}:{:02x}:{:02x}".format(*tuple(random.randrange(256) for _ in range(3)))


def used_addresses(network: Network) -> set[str]:
    """Every fixed IP held by a port of the network."""
    return {
        item["ip_address"]
        for ips in Port.objects.filter(network=network).values_list("fixed_ips", flat=True)
        for item in ips
    }


def create_port(
    network: Network,
    *,
    project_id: str,
    device_id: str = "",
    device_owner: str = "",
    fixed_ip: str | None = None,
    subnet_id: str | None = None,
    mac_address: str | None = None,
    name: str = "",
    admin_state_up: bool = True,
    allocate: bool = True,
    security_groups: list[SecurityGroup] | None = None,
) -> Port:
    """A port on the network with an address from its first IPv4 subnet (or from
    `subnet_id`; `fixed_ip` asks for that address). `allocate=False` makes a port without
    an address; `mac_address` asks for that MAC (409 when taken). `security_groups` None:
    the project's default group."""
    with transaction.atomic():
        subnets = Subnet.objects.select_for_update().filter(network=network, ip_version=4).order_by("created_at")
        subnet = subnets.filter(id=subnet_id).first() if subnet_id else subnets.first()
        if subnet_id and subnet is None:
            raise BadRequest(f"Invalid input for operation: subnet {subnet_id} is not on network {network.id}.")
        fixed_ips = []
        if subnet is not None and allocate:
            used = used_addresses(network)
            if fixed_ip is not None:
                if fixed_ip in used:
                    raise IpAddressAlreadyAllocated(f"IP address {fixed_ip} already allocated in subnet {subnet.id}")
                address = fixed_ip
            else:
                free = next((ip for ip in _pool_addresses(subnet) if ip not in used), None)
                if free is None:
                    raise IpAddressGenerationFailure(f"No more IP addresses available on network {network.id}.")
                address = free
            fixed_ips = [{"subnet_id": str(subnet.id), "ip_address": address}]
        if mac_address is not None and Port.objects.filter(mac_address=mac_address).exists():
            raise MacAddressInUse(
                f"Unable to complete operation for network {network.id}. The mac address {mac_address} is in use."
            )
        for _ in range(5):
            try:
                with transaction.atomic():
                    port = Port.objects.create(
                        network=network,
                        project_id=project_id,
                        mac_address=mac_address or _random_mac(),
                        fixed_ips=fixed_ips,
                        device_id=device_id,
                        device_owner=device_owner,
                        status="ACTIVE" if device_id else "DOWN",
                        name=name,
                        admin_state_up=admin_state_up,
                    )
                give_groups(port, security_groups)
                return port
            except IntegrityError:
                if mac_address is not None:
                    raise MacAddressInUse(f"The mac address {mac_address} is in use.") from None
                continue  # MAC collision: draw another
        raise Conflict("Could not allocate a unique MAC address.")


def _groups(ids: list[str] | None) -> list[SecurityGroup] | None:
    """The groups a server's request named (those deleted since are left out)."""
    return None if ids is None else list(SecurityGroup.objects.filter(id__in=ids))


def bind_ports_for_server(server_uuid: str, project_id: str, requested: list[dict]) -> list[Port]:
    """Create or claim the server's ports for its requested networks. Idempotent: a server
    that already has ports keeps them. A network entry's "security_groups" (ids) are the
    groups of the port made for it (else the project's default group)."""
    existing = list(Port.objects.filter(device_id=server_uuid))
    if existing:
        return existing
    ports = []
    for entry in requested:
        if "port" in entry:
            Port.objects.filter(id=entry["port"], device_id="").update(
                device_id=server_uuid, device_owner="compute:nova", status="ACTIVE"
            )
            ports.append(Port.objects.get(id=entry["port"]))
        else:
            network = Network.objects.get(id=entry["uuid"])
            ports.append(
                create_port(
                    network,
                    project_id=project_id,
                    device_id=server_uuid,
                    device_owner="compute:nova",
                    fixed_ip=entry.get("fixed_ip"),
                    security_groups=_groups(entry.get("security_groups")),
                )
            )
    return ports


def release_ports_of_server(server_uuid: str, requested: list[dict]) -> None:
    """Delete the ports made for the server; ports the user passed in are only unbound."""
    passed_in = {entry["port"] for entry in requested if "port" in entry}
    Port.objects.filter(device_id=server_uuid, id__in=passed_in).update(device_id="", device_owner="", status="DOWN")
    Port.objects.filter(device_id=server_uuid).exclude(id__in=passed_in).delete()
