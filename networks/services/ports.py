"""Port writes: create (an address from IPAM, or the one asked for), update, delete."""

from __future__ import annotations

import ipaddress

from django.db import transaction

from core import policy
from core.exceptions import NotFound
from core.principal import Caller
from core.unset import UNSET, Unset
from networks import ipam
from networks.exceptions import InvalidInput, L3PortInUse, PortInUse
from networks.models import Network, Port

from . import access, quotas, security_groups
from .arguments import FixedIp, PortFields, apply

#: The ports the L3 API makes and deletes itself (neutron_lib's ROUTER_PORT_OWNERS and FIPs).
L3_OWNERS = ("network:router_interface", "network:router_gateway", "network:floatingip")


def _address_subnet(network: Network, subnet_id: str | None, address: str) -> str:
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


def _requested_ip(network: Network, fixed_ips: tuple[FixedIp, ...] | Unset) -> tuple[str | None, str | None, bool]:
    """(subnet_id, ip_address, allocate) asked for by ``fixed_ips``."""
    if fixed_ips is UNSET:
        return None, None, True
    if not fixed_ips:
        return None, None, False
    if len(fixed_ips) > 1:
        raise InvalidInput("only one fixed IP per port is supported.")
    subnet_id, address = fixed_ips[0].subnet_id, fixed_ips[0].ip_address
    if subnet_id is not None and not network.subnets.filter(id=subnet_id).exists():
        raise InvalidInput(f"subnet {subnet_id} is not on network {network.id}.")
    if address is not None:
        subnet_id = _address_subnet(network, subnet_id, address)
    return subnet_id, address, True


def _check_device(caller: Caller, fields: PortFields, rule: policy.Rule, project_id: str) -> None:
    if fields.device_id is not UNSET or fields.device_owner is not UNSET:
        policy.enforce(caller, rule, project_id=project_id)


def create_port(
    caller: Caller,
    network_id: str,
    fields: PortFields,
    *,
    fixed_ips: tuple[FixedIp, ...] | Unset = UNSET,
    mac_address: str | None = None,
    project_id: str | None = None,
) -> Port:
    """A port on a network of the caller's project, or a shared one (admins: any). ``fixed_ips`` UNSET:
    an address from the network's first subnet; empty: no address. ``mac_address`` None: a
    random one (choosing one is for admins)."""
    network = access.get_network(caller, network_id)
    project_id = access.owner_of_new(caller, project_id, policy.PORT_CREATE)
    if not (caller.is_admin or network.shared or network.project_id == project_id):
        # An external network is visible, not open to other projects' ports: Neutron hides
        # it behind a 404 (neutron/api/v2/base.py, _validate_network_tenant_ownership).
        raise NotFound("The resource could not be found.")
    subnet_id, address, allocate = _requested_ip(network, fixed_ips)
    if mac_address is not None:
        policy.enforce(caller, policy.PORT_CREATE_MAC_ADDRESS, project_id=project_id)
    _check_device(caller, fields, policy.PORT_CREATE_DEVICE_OWNER, project_id)
    groups = (
        None
        if fields.security_groups is UNSET
        else security_groups.groups_by_id(caller, fields.security_groups, project_id)
    )
    with transaction.atomic():
        quotas.reserve(project_id, "port")
        return ipam.create_port(
            network,
            project_id=project_id,
            fixed_ip=address,
            subnet_id=subnet_id,
            mac_address=mac_address,
            allocate=allocate,
            name="" if fields.name is UNSET else fields.name,
            admin_state_up=True if fields.admin_state_up is UNSET else fields.admin_state_up,
            device_id="" if fields.device_id is UNSET else fields.device_id,
            device_owner="" if fields.device_owner is UNSET else fields.device_owner,
            security_groups=groups,
        )


def update_port(caller: Caller, port_id: str, fields: PortFields) -> Port:
    """Name, admin_state_up and security_groups (owner); device_id and device_owner (admin)."""
    port = access.get_port(caller, port_id)
    policy.enforce(caller, policy.PORT_UPDATE, project_id=port.project_id)
    _check_device(caller, fields, policy.PORT_UPDATE_DEVICE_OWNER, port.project_id)
    if fields.security_groups is not UNSET:
        policy.enforce(caller, policy.PORT_UPDATE_SECURITY_GROUPS, project_id=port.project_id)
        port.security_groups.set(security_groups.groups_by_id(caller, fields.security_groups, port.project_id))
    apply(
        port,
        {
            "name": fields.name,
            "admin_state_up": fields.admin_state_up,
            "device_id": fields.device_id,
            "device_owner": fields.device_owner,
        },
    )
    port.status = "ACTIVE" if port.device_id else "DOWN"
    port.save()
    return port


def delete_port(caller: Caller, port_id: str) -> None:
    """Delete the port; one bound to a server (device_owner compute:*) only by an admin; a
    router's or a floating IP's own port not at all (its owner's calls remove it). A floating
    IP associated with the port is left unassociated."""
    port = access.get_port(caller, port_id)
    policy.enforce(caller, policy.PORT_DELETE, project_id=port.project_id)
    if port.device_owner in L3_OWNERS:
        raise L3PortInUse(str(port.id), port.device_owner)
    if port.device_owner.startswith("compute:") and port.device_id and not caller.is_admin:
        raise PortInUse(str(port.id), port.device_id)
    port.delete()
