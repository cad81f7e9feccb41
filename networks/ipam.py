"""IP address management: ports take the next free address of their subnet's pools. The
subnet row is locked while an address is chosen, so two ports never get the same one."""
from __future__ import annotations

import ipaddress
import random

from django.db import IntegrityError, transaction

from novasite.exceptions import Conflict

from .models import Network, Port, Subnet


def default_pools(cidr: str, gateway: str | None) -> list[dict]:
    """All host addresses of the CIDR except the gateway, as one pool."""
    net = ipaddress.ip_network(cidr, strict=False)
    hosts = [ip for ip in net.hosts() if str(ip) != gateway]
    return [{"start": str(hosts[0]), "end": str(hosts[-1])}] if hosts else []


def _pool_addresses(subnet: Subnet):
    for pool in subnet.allocation_pools or default_pools(subnet.cidr, subnet.gateway_ip):
        start, end = ipaddress.ip_address(pool["start"]), ipaddress.ip_address(pool["end"])
        current = start
        while current <= end:
            yield str(current)
            current += 1


def _random_mac() -> str:
    # fa:16:3e is the prefix OpenStack uses for guest NICs.
    return "fa:16:3e:%02x:%02x:%02x" % tuple(random.randrange(256) for _ in range(3))


def create_port(network: Network, *, project_id: str, device_id: str = "", device_owner: str = "", fixed_ip: str | None = None) -> Port:
    """A port on the network with an address from its first IPv4 subnet (or `fixed_ip`)."""
    with transaction.atomic():
        subnet = Subnet.objects.select_for_update().filter(network=network, ip_version=4).order_by("created_at").first()
        fixed_ips = []
        if subnet is not None:
            used = {
                item["ip_address"]
                for ips in Port.objects.filter(network=network).values_list("fixed_ips", flat=True)
                for item in ips
            }
            if fixed_ip is not None:
                if fixed_ip in used:
                    raise Conflict(f"IP address {fixed_ip} already allocated in subnet {subnet.id}")
                address = fixed_ip
            else:
                address = next((ip for ip in _pool_addresses(subnet) if ip not in used), None)
                if address is None:
                    raise Conflict(f"No more IP addresses available on network {network.id}.")
            fixed_ips = [{"subnet_id": str(subnet.id), "ip_address": address}]
        for _ in range(5):
            try:
                with transaction.atomic():
                    return Port.objects.create(
                        network=network, project_id=project_id, mac_address=_random_mac(),
                        fixed_ips=fixed_ips, device_id=device_id, device_owner=device_owner,
                        status="ACTIVE" if device_id else "DOWN",
                    )
            except IntegrityError:
                continue  # MAC collision: draw another
        raise Conflict("Could not allocate a unique MAC address.")


def bind_ports_for_server(server_uuid: str, project_id: str, requested: list[dict]) -> list[Port]:
    """Create or claim the server's ports for its requested networks. Idempotent: a server
    that already has ports keeps them."""
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
            ports.append(create_port(
                network, project_id=project_id, device_id=server_uuid,
                device_owner="compute:nova", fixed_ip=entry.get("fixed_ip"),
            ))
    return ports


def release_ports_of_server(server_uuid: str, requested: list[dict]) -> None:
    """Delete the ports made for the server; ports the user passed in are only unbound."""
    passed_in = {entry["port"] for entry in requested if "port" in entry}
    Port.objects.filter(device_id=server_uuid, id__in=passed_in).update(device_id="", device_owner="", status="DOWN")
    Port.objects.filter(device_id=server_uuid).exclude(id__in=passed_in).delete()
