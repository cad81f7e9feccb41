"""Network and port writes (subnets: networks.subnets), with policy and quotas. Callers
pass the request's principal and the resource object of the body; errors are typed
(networks.exceptions / core.exceptions) and become Neutron error bodies."""

from __future__ import annotations

import ipaddress

from django.db import transaction

from . import access, ipam, quotas
from .access import Caller
from .exceptions import InvalidInput, NetworkInUse, PortInUse
from .models import Network, Port
from .validation import UNSET, apply, boolean, ipv4, mac, read_only, text, uuid_text

# Attributes of Neutron extensions (provider:*, port_security_enabled, ...) are accepted and
# not stored; provider:* stays admin-only, as in Neutron.


def _network_changes(caller: Caller, body: dict, action: str) -> dict:
    changes = {
        "name": text(body, "name"),
        "description": text(body, "description", 1024),
        "admin_state_up": boolean(body, "admin_state_up"),
        "shared": boolean(body, "shared"),
        "external": boolean(body, "router:external"),
    }
    if "mtu" in body:
        mtu = body["mtu"]
        if isinstance(mtu, bool) or not isinstance(mtu, int) or not 68 <= mtu <= 9000:
            raise InvalidInput(f"mtu {mtu!r} must be an integer from 68 to 9000.")
        changes["mtu"] = mtu
    if changes["shared"] is not UNSET or changes["external"] is not UNSET:
        access.require_admin(caller, f"{action}:shared")
    if any(key.startswith("provider:") for key in body):
        access.require_admin(caller, f"{action}:provider:network_type")
    return changes


def create_network(caller: Caller, body: dict) -> Network:
    """A network owned by the caller's project (or, for an admin, the body's project_id)."""
    project_id = access.owner_of_new(caller, body, "create_network")
    network = Network(project_id=project_id)
    apply(network, _network_changes(caller, body, "create_network"))
    with transaction.atomic():
        quotas.reserve(project_id, "network")
        network.save()
    return network


def update_network(caller: Caller, network: Network, body: dict) -> Network:
    access.require_owner(caller, network.project_id, "update_network")
    read_only(body, "id", "project_id", "tenant_id", "status", "subnets")
    apply(network, _network_changes(caller, body, "update_network"))
    network.save()
    return network


def delete_network(caller: Caller, network: Network) -> None:
    """Delete the network with its subnets and unbound ports; 409 NetworkInUse while a
    port of it is attached to a device."""
    access.require_owner(caller, network.project_id, "delete_network")
    with transaction.atomic():
        if Port.objects.select_for_update().filter(network=network).exclude(device_id="").exists():
            raise NetworkInUse(str(network.id))
        network.delete()


# --- ports --------------------------------------------------------------------------------


def _requested_ip(body: dict, network: Network) -> tuple[str | None, str | None, bool]:
    """(subnet_id, ip_address, allocate) asked for by the body's fixed_ips."""
    if "fixed_ips" not in body:
        return None, None, True
    fixed_ips = body["fixed_ips"]
    if not isinstance(fixed_ips, list) or not all(isinstance(entry, dict) for entry in fixed_ips):
        raise InvalidInput("fixed_ips must be a list of objects.")
    if not fixed_ips:
        return None, None, False
    if len(fixed_ips) > 1:
        raise InvalidInput("only one fixed IP per port is supported.")
    entry = fixed_ips[0]
    subnet_id = uuid_text(entry["subnet_id"], "subnet_id") if "subnet_id" in entry else None
    address = str(ipv4(entry["ip_address"], "ip_address")) if "ip_address" in entry else None
    if subnet_id is not None and not network.subnets.filter(id=subnet_id).exists():
        raise InvalidInput(f"subnet {subnet_id} is not on network {network.id}.")
    if address is not None:
        subnet_id = _subnet_of_address(network, subnet_id, address)
    return subnet_id, address, True


def _subnet_of_address(network: Network, subnet_id: str | None, address: str) -> str:
    """The subnet (the given one, else the one whose CIDR holds it) the address is valid in."""
    ip = ipaddress.ip_address(address)
    for subnet in network.subnets.all():
        cidr = ipaddress.ip_network(subnet.cidr)
        if subnet_id not in (None, str(subnet.id)) or ip not in cidr:
            continue
        if ip in (cidr.network_address, cidr.broadcast_address) or address == subnet.gateway_ip:
            break
        return str(subnet.id)
    raise InvalidInput(f"IP address {address} is not a valid IP for the specified subnet.")


def _device_fields(caller: Caller, body: dict, action: str) -> dict:
    changes = {"device_id": text(body, "device_id"), "device_owner": text(body, "device_owner")}
    if any(value is not UNSET for value in changes.values()):
        access.require_admin(caller, f"{action}:device_owner")
    return changes


def create_port(caller: Caller, body: dict) -> Port:
    """A port on a network the caller can see (its own, or a shared one)."""
    if "network_id" not in body:
        raise InvalidInput("network_id is required to create a port.")
    network = access.get_network(caller, str(body["network_id"]))
    project_id = access.owner_of_new(caller, body, "create_port")
    subnet_id, address, allocate = _requested_ip(body, network)
    mac_address = None
    if "mac_address" in body:
        access.require_admin(caller, "create_port:mac_address")
        mac_address = mac(body["mac_address"])
    device = _device_fields(caller, body, "create_port")
    name, admin_state_up = text(body, "name"), boolean(body, "admin_state_up")
    with transaction.atomic():
        quotas.reserve(project_id, "port")
        return ipam.create_port(
            network,
            project_id=project_id,
            fixed_ip=address,
            subnet_id=subnet_id,
            mac_address=mac_address,
            allocate=allocate,
            name="" if name is UNSET else name,
            admin_state_up=True if admin_state_up is UNSET else admin_state_up,
            device_id="" if device["device_id"] is UNSET else device["device_id"],
            device_owner="" if device["device_owner"] is UNSET else device["device_owner"],
        )


def update_port(caller: Caller, port: Port, body: dict) -> Port:
    """Name and admin_state_up (owner); device_id and device_owner (admin)."""
    access.require_owner(caller, port.project_id, "update_port")
    read_only(body, "id", "network_id", "project_id", "tenant_id", "mac_address", "fixed_ips", "status")
    apply(port, {"name": text(body, "name"), "admin_state_up": boolean(body, "admin_state_up")})
    apply(port, _device_fields(caller, body, "update_port"))
    port.status = "ACTIVE" if port.device_id else "DOWN"
    port.save()
    return port


def delete_port(caller: Caller, port: Port) -> None:
    """Delete the port; one bound to a server (device_owner compute:*) only by an admin."""
    access.require_owner(caller, port.project_id, "delete_port")
    if port.device_owner.startswith("compute:") and port.device_id and not caller.is_admin:
        raise PortInUse(str(port.id), port.device_id)
    port.delete()
