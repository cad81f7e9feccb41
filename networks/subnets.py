"""Subnet writes: IPv4 only; CIDR, gateway and allocation pools validated as Neutron does
(400 for bad input or an overlapping CIDR on the same network, 409 when the gateway falls in
a pool or when addresses of the subnet are still in use)."""

from __future__ import annotations

import ipaddress
from itertools import pairwise

from django.db import transaction

from . import access, ipam, quotas
from .access import Caller
from .exceptions import GatewayConflictWithAllocationPools, InvalidInput, SubnetInUse
from .models import Port, Subnet
from .validation import UNSET, apply, boolean, ipv4, read_only, text

Network4 = ipaddress.IPv4Network


def _cidr(value: object) -> Network4:
    try:
        net = ipaddress.ip_network(value, strict=True) if isinstance(value, str) else None
    except ValueError:
        net = None
    if net is None:
        raise InvalidInput(f"'{value}' is not a valid IP subnet.")
    if not isinstance(net, Network4):
        raise InvalidInput("only IPv4 subnets are supported.")
    if net.prefixlen > 30:
        raise InvalidInput(f"the CIDR {net} is too small: its prefix must be /30 or shorter.")
    return net


def _host(net: Network4, value: object, key: str) -> ipaddress.IPv4Address:
    address = ipv4(value, key)
    if address not in net or address in (net.network_address, net.broadcast_address):
        raise InvalidInput(f"{key} {address} is not a host address of {net}.")
    return address


def _gateway(body: dict, net: Network4) -> str | None:
    if "gateway_ip" not in body:
        return str(net.network_address + 1)
    if body["gateway_ip"] is None:
        return None
    return str(_host(net, body["gateway_ip"], "gateway_ip"))


def _pools(body: dict, net: Network4, gateway: str | None) -> list[dict]:
    if body.get("allocation_pools") in (None, []):
        return ipam.default_pools(str(net), gateway)
    pools = body["allocation_pools"]
    if not isinstance(pools, list) or not all(isinstance(pool, dict) for pool in pools):
        raise InvalidInput("allocation_pools must be a list of {start, end} objects.")
    ranges = []
    for pool in pools:
        if "start" not in pool or "end" not in pool:
            raise InvalidInput("each allocation pool needs a start and an end.")
        start, end = _host(net, pool["start"], "start"), _host(net, pool["end"], "end")
        if start > end:
            raise InvalidInput(f"the allocation pool {start}-{end} ends before it starts.")
        ranges.append((start, end))
    ranges.sort()
    for (_, previous_end), (start, _) in pairwise(ranges):
        if start <= previous_end:
            raise InvalidInput("allocation pools overlap.")
    if gateway is not None and any(start <= ipaddress.ip_address(gateway) <= end for start, end in ranges):
        raise GatewayConflictWithAllocationPools(f"Gateway ip {gateway} conflicts with allocation pool.")
    return [{"start": str(start), "end": str(end)} for start, end in ranges]


def _nameservers(body: dict) -> object:
    if "dns_nameservers" not in body:
        return UNSET
    servers = body["dns_nameservers"]
    if not isinstance(servers, list):
        raise InvalidInput("dns_nameservers must be a list of addresses.")
    return [str(ipv4(server, "dns_nameservers")) for server in servers]


def create_subnet(caller: Caller, body: dict) -> Subnet:
    """A subnet on a network the caller owns (admins: any)."""
    if "network_id" not in body:
        raise InvalidInput("network_id is required to create a subnet.")
    network = access.get_network(caller, str(body["network_id"]))
    access.require_owner(caller, network.project_id, "create_subnet")
    version = body.get("ip_version", 4)
    if version in (6, "6"):
        raise InvalidInput("IPv6 subnets are not supported.")
    if version not in (4, "4"):
        raise InvalidInput(f"{version!r} is not a valid ip_version.")
    if "cidr" not in body:
        raise InvalidInput("cidr is required (subnet pools are not supported).")
    net = _cidr(body["cidr"])
    gateway = _gateway(body, net)
    subnet = Subnet(
        network=network,
        project_id=access.owner_of_new(caller, body, "create_subnet"),
        cidr=str(net),
        gateway_ip=gateway,
        allocation_pools=_pools(body, net, gateway),
    )
    apply(
        subnet,
        {
            "name": text(body, "name"),
            "enable_dhcp": boolean(body, "enable_dhcp"),
            "dns_nameservers": _nameservers(body),
        },
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


def update_subnet(caller: Caller, subnet: Subnet, body: dict) -> Subnet:
    """Name, gateway_ip, dns_nameservers, enable_dhcp."""
    access.require_owner(caller, subnet.network.project_id, "update_subnet")
    read_only(body, "id", "network_id", "cidr", "ip_version", "allocation_pools", "project_id", "tenant_id")
    apply(
        subnet,
        {
            "name": text(body, "name"),
            "enable_dhcp": boolean(body, "enable_dhcp"),
            "dns_nameservers": _nameservers(body),
        },
    )
    if "gateway_ip" in body:
        net = ipaddress.ip_network(subnet.cidr)
        gateway = _gateway(body, net)
        pools = [(ipaddress.ip_address(p["start"]), ipaddress.ip_address(p["end"])) for p in subnet.allocation_pools]
        if gateway is not None and any(start <= ipaddress.ip_address(gateway) <= end for start, end in pools):
            raise GatewayConflictWithAllocationPools(f"Gateway ip {gateway} conflicts with allocation pool.")
        subnet.gateway_ip = gateway
    subnet.save()
    return subnet


def delete_subnet(caller: Caller, subnet: Subnet) -> None:
    """Delete the subnet; 409 SubnetInUse while a port holds one of its addresses."""
    access.require_owner(caller, subnet.network.project_id, "delete_subnet")
    with transaction.atomic():
        held = Port.objects.select_for_update().filter(network_id=subnet.network_id).values_list("fixed_ips", flat=True)
        if any(entry.get("subnet_id") == str(subnet.id) for ips in held for entry in ips):
            raise SubnetInUse(str(subnet.id))
        subnet.delete()
