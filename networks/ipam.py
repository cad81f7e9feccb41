"""IP address management: ports take the lowest free address of their subnet's pools.

Each address a port holds is a row of ``IPAllocation`` (subnet, port, address), UNIQUE per
(subnet, address); ``networks.allocation`` finds the next free one on that index. No lock is
held on the subnet and no port's ``fixed_ips`` is read: two ports that pick one address at
once are told apart by the constraint, and the loser (in a savepoint) tries the next free
one. ``fixed_ips`` is what the API shows, written with the row in the same transaction. A row
goes with its port, so deleting a port frees its addresses."""

from __future__ import annotations

import ipaddress
import random
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from core.exceptions import BadRequest, Conflict

from . import allocation
from .exceptions import IpAddressAlreadyAllocated, IpAddressGenerationFailure, MacAddressInUse
from .models import IPAllocation, Network, Port, SecurityGroup, Subnet
from .security import give_groups

#: Tries at a free address when other ports keep taking the one found; each lost try means
#: another port got an address, so this only bounds a pathological storm.
ADDRESS_ATTEMPTS = 100
#: Random MACs drawn before giving up (a collision among 2**24 is rare).
MAC_ATTEMPTS = 5


def _as_integer(address: str) -> int:
    try:
        return int(ipaddress.IPv4Address(address))
    except ValueError:
        raise BadRequest(f"Invalid input for operation: {address} is not a valid IPv4 address.") from None


def _text(address: int) -> str:
    return str(ipaddress.IPv4Address(address))


def _random_mac() -> str:
    # fa:16:3e is the prefix OpenStack uses for guest NICs.
    return "fa:16:3e:{:02x}:{:02x}:{:02x}".format(*tuple(random.randrange(256) for _ in range(3)))


def _taken(address: str, subnet: Subnet) -> IpAddressAlreadyAllocated:
    return IpAddressAlreadyAllocated(f"IP address {address} already allocated in subnet {subnet.id}")


def _address(subnet: Subnet, network: Network, fixed_ip: str | None) -> tuple[int, int | None]:
    """(address, floor after it) to try: the requested one (409 when a port holds it; the
    floor stays), else the lowest free one."""
    if fixed_ip is not None:
        wanted = _as_integer(fixed_ip)
        if allocation.held(subnet, wanted):
            raise _taken(fixed_ip, subnet)
        return wanted, None
    found = allocation.next_free(subnet)
    if found is None:
        raise IpAddressGenerationFailure(f"No more IP addresses available on network {network.id}.")
    return found


def _insert(network: Network, held: tuple[Subnet, int, int | None] | None, fields: dict[str, Any]) -> Port:
    """The port and the row of the address it holds (subnet, address, floor after it), in a
    savepoint: an IntegrityError (the address or the MAC is taken) leaves neither."""
    fixed_ips = [] if held is None else [{"subnet_id": str(held[0].id), "ip_address": _text(held[1])}]
    with transaction.atomic():
        port = Port.objects.create(network=network, fixed_ips=fixed_ips, **fields)
        if held is not None:
            subnet, address, floor = held
            IPAllocation.objects.create(subnet=subnet, port=port, address=address)
            if floor is not None:
                allocation.raise_floor_on_commit(subnet, floor)
    return port


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
    first_subnet: Subnet | None = None,
) -> Port:
    """A port on the network with an address from its first IPv4 subnet (or from
    `subnet_id`; `fixed_ip` asks for that address: 409 when a port holds it). `allocate=False`
    makes a port without an address; `mac_address` asks for that MAC (409 when taken).
    `security_groups` None: the project's default group. `first_subnet`: the network's first
    IPv4 subnet, when the caller read it already (``first_v4_subnet``).

    No lock is taken: the port and its IPAllocation row are inserted in a savepoint, and when
    another port took the address first (the UNIQUE constraint) the next free one is tried."""
    with transaction.atomic():
        if subnet_id:
            subnet = _v4_subnets(network.id).filter(id=subnet_id).first()
        else:
            subnet = first_subnet or _v4_subnets(network.id).first()
        if subnet_id and subnet is None:
            raise BadRequest(f"Invalid input for operation: subnet {subnet_id} is not on network {network.id}.")
        if mac_address is not None and Port.objects.filter(mac_address=mac_address).exists():
            raise MacAddressInUse(
                f"Unable to complete operation for network {network.id}. The mac address {mac_address} is in use."
            )
        fields = {
            "project_id": project_id,
            "device_id": device_id,
            "device_owner": device_owner,
            "status": "ACTIVE" if device_id else "DOWN",
            "name": name,
            "admin_state_up": admin_state_up,
        }
        mac_draws = 0
        for _ in range(ADDRESS_ATTEMPTS):
            held = (subnet, *_address(subnet, network, fixed_ip)) if subnet is not None and allocate else None
            try:
                port = _insert(network, held, {**fields, "mac_address": mac_address or _random_mac()})
            except IntegrityError:
                if held is not None and allocation.held(held[0], held[1]):
                    if fixed_ip is not None:
                        raise _taken(fixed_ip, held[0]) from None
                    continue  # another port took it since we looked: try the next free one
                if mac_address is not None:
                    raise MacAddressInUse(f"The mac address {mac_address} is in use.") from None
                mac_draws += 1
                if mac_draws == MAC_ATTEMPTS:
                    raise Conflict("Could not allocate a unique MAC address.") from None
                continue  # a random MAC collided: draw another
            give_groups(port, security_groups, new=True)
            return port
        raise IpAddressGenerationFailure(f"No IP address could be allocated on network {network.id}; try again.")


def _v4_subnets(network_id: uuid.UUID | str) -> QuerySet[Subnet]:
    """The network's IPv4 subnets, the first made first (ports take addresses from the first)."""
    return Subnet.objects.filter(network_id=network_id, ip_version=4).order_by("created_at")


def first_v4_subnet(network_id: str) -> Subnet | None:
    """The network's first IPv4 subnet with its network (one query), or None."""
    return _v4_subnets(network_id).select_related("network").first()


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
            subnet = first_v4_subnet(entry["uuid"])
            network = subnet.network if subnet is not None else Network.objects.get(id=entry["uuid"])
            ports.append(
                create_port(
                    network,
                    project_id=project_id,
                    device_id=server_uuid,
                    device_owner="compute:nova",
                    fixed_ip=entry.get("fixed_ip"),
                    security_groups=_groups(entry.get("security_groups")),
                    first_subnet=subnet,
                )
            )
    return ports


def release_ports_of_server(server_uuid: str, requested: list[dict]) -> None:
    """Delete the ports made for the server; ports the user passed in are only unbound."""
    passed_in = {entry["port"] for entry in requested if "port" in entry}
    Port.objects.filter(device_id=server_uuid, id__in=passed_in).update(device_id="", device_owner="", status="DOWN")
    Port.objects.filter(device_id=server_uuid).exclude(id__in=passed_in).delete()
