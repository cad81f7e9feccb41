"""Subnet writes: IPv4 only; gateway and allocation pools checked against the CIDR as Neutron
does (400 for an address outside it or an overlapping CIDR on the same network, 409 when the
gateway falls in a pool or when addresses of the subnet are still in use)."""

from __future__ import annotations

import ipaddress
from itertools import pairwise

from django.db import transaction

from core import policy
from core.principal import Caller
from core.unset import UNSET, Unset
from networks import allocation
from networks.exceptions import GatewayConflictWithAllocationPools, InvalidInput, SubnetInUse
from networks.models import IPAllocation, Subnet

from . import access, quotas
from .arguments import Pool, SubnetFields, apply

Network4 = ipaddress.IPv4Network
Address4 = ipaddress.IPv4Address
SMALLEST_PREFIX = 30  # a /31 or /32 has no host address besides the gateway


def _host(net: Network4, address: Address4, key: str) -> Address4:
    if address not in net or address in (net.network_address, net.broadcast_address):
        raise InvalidInput(f"{key} {address} is not a host address of {net}.")
    return address


def _gateway(net: Network4, requested: Address4 | Unset | None) -> str | None:
    """The gateway: the first host address unless one (or None: no gateway) is asked for."""
    if requested is UNSET:
        return str(net.network_address + 1)
    if requested is None:
        return None
    return str(_host(net, requested, "gateway_ip"))


def _check_gateway_outside_pools(gateway: str | None, pools: list[tuple[Address4, Address4]]) -> None:
    if gateway is not None and any(start <= Address4(gateway) <= end for start, end in pools):
        raise GatewayConflictWithAllocationPools(f"Gateway ip {gateway} conflicts with allocation pool.")


def _pools(net: Network4, gateway: str | None, requested: tuple[Pool, ...]) -> list[dict[str, str]]:
    """The allocation pools as stored: the requested ones (inside the CIDR, ordered, not
    overlapping, clear of the gateway), else the whole host range but the gateway."""
    if not requested:
        return allocation.default_pools(str(net), gateway)
    ranges = []
    for pool in requested:
        start, end = _host(net, pool.start, "start"), _host(net, pool.end, "end")
        if start > end:
            raise InvalidInput(f"the allocation pool {start}-{end} ends before it starts.")
        ranges.append((start, end))
    ranges.sort()
    for (_, previous_end), (start, _) in pairwise(ranges):
        if start <= previous_end:
            raise InvalidInput("allocation pools overlap.")
    _check_gateway_outside_pools(gateway, ranges)
    return [{"start": str(start), "end": str(end)} for start, end in ranges]


def create_subnet(
    caller: Caller,
    network_id: str,
    net: Network4,
    fields: SubnetFields,
    *,
    allocation_pools: tuple[Pool, ...] = (),
    project_id: str | None = None,
) -> Subnet:
    """A subnet of ``net`` on a network the caller owns (admins: any). Without
    ``allocation_pools``, the whole host range but the gateway; without ``fields.gateway_ip``,
    the first host address."""
    network = access.get_network(caller, network_id)
    policy.enforce(caller, policy.SUBNET_CREATE, project_id=network.project_id)
    if net.prefixlen > SMALLEST_PREFIX:
        raise InvalidInput(f"the CIDR {net} is too small: its prefix must be /30 or shorter.")
    gateway = _gateway(net, fields.gateway_ip)
    subnet = Subnet(
        network=network,
        project_id=access.owner_of_new(caller, project_id, policy.SUBNET_CREATE),
        cidr=str(net),
        gateway_ip=gateway,
        allocation_pools=_pools(net, gateway, allocation_pools),
    )
    apply(
        subnet,
        {"name": fields.name, "enable_dhcp": fields.enable_dhcp, "dns_nameservers": fields.dns_nameservers},
    )
    with transaction.atomic():
        # The quota lock first, then the subnets: the same order as port creation takes them.
        quotas.reserve(subnet.project_id, "subnet")
        for other in network.subnets.select_for_update():
            if ipaddress.ip_network(other.cidr).overlaps(net):
                raise InvalidInput(
                    f"Requested subnet with cidr: {net} for network: {network.id} overlaps with another subnet."
                )
        subnet.save()
    return subnet


def update_subnet(caller: Caller, subnet_id: str, fields: SubnetFields) -> Subnet:
    """Name, gateway_ip, dns_nameservers, enable_dhcp of a subnet of a network the caller owns."""
    subnet = access.get_subnet(caller, subnet_id)
    policy.enforce(caller, policy.SUBNET_UPDATE, project_id=subnet.network.project_id)
    apply(
        subnet,
        {"name": fields.name, "enable_dhcp": fields.enable_dhcp, "dns_nameservers": fields.dns_nameservers},
    )
    if fields.gateway_ip is not UNSET:
        gateway = _gateway(Network4(subnet.cidr), fields.gateway_ip)
        pools = [(Address4(pool["start"]), Address4(pool["end"])) for pool in subnet.allocation_pools]
        _check_gateway_outside_pools(gateway, pools)
        subnet.gateway_ip = gateway
    subnet.save()
    return subnet


def delete_subnet(caller: Caller, subnet_id: str) -> None:
    """Delete the subnet; 409 SubnetInUse while a port holds one of its addresses."""
    subnet = access.get_subnet(caller, subnet_id)
    policy.enforce(caller, policy.SUBNET_DELETE, project_id=subnet.network.project_id)
    with transaction.atomic():
        # The subnet's row lock waits for ports being given its addresses (their rows' foreign
        # key holds a share lock on it) and makes later ones wait until it is gone.
        Subnet.objects.select_for_update().filter(id=subnet.id).first()
        if IPAllocation.objects.filter(subnet=subnet).exists():
            raise SubnetInUse(str(subnet.id))
        subnet.delete()
