"""Floating IPs: an address of an external network's subnet, held by a port of that network
(device_owner ``network:floatingip``) so IPAM never hands it out twice, and associated with
one fixed address of a project's port. Neutron's rules: the network must be external (400);
the port must sit on a subnet a router connects to that external network (404
ExternalGatewayForFloatingIPNotFound); one floating IP per fixed address and external
network (409); choosing the floating address is for admins."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from core import policy
from core.ids import parse_uuid
from core.principal import Caller
from core.unset import UNSET
from networks import ipam
from networks.exceptions import (
    ExternalGatewayForFloatingIPNotFound,
    FloatingIPNotFound,
    FloatingIPPortAlreadyAssociated,
    L3BadRequest,
)
from networks.models import FloatingIP, IPAllocation, Port, Router

from . import access, quotas
from .arguments import FloatingIpFields, apply
from .routers import INTERFACE_OWNER

FLOATINGIP_OWNER = "network:floatingip"


def floating_ips(caller: Caller) -> QuerySet[FloatingIP]:
    """The floating IPs the caller sees (admins: all; others: their project's)."""
    query = FloatingIP.objects.all()
    return query if caller.is_admin else query.filter(project_id=caller.project_id)


def get_floating_ip(caller: Caller, floatingip_id: str) -> FloatingIP:
    """The floating IP, if the caller sees it (else FloatingIPNotFound, also for a non-UUID id)."""
    key = parse_uuid(floatingip_id)
    found = floating_ips(caller).filter(id=key).first() if key else None
    if found is None:
        raise FloatingIPNotFound(floatingip_id)
    return found


def _fixed_address(port: Port, wanted: str | None) -> tuple[str, str]:
    """(subnet_id, address) of the port the floating IP is to map to."""
    if not port.fixed_ips:
        raise L3BadRequest("floatingip", f"Port {port.id} does not have any fixed IPv4 address")
    for entry in port.fixed_ips:
        if wanted is None or entry["ip_address"] == wanted:
            return entry["subnet_id"], entry["ip_address"]
    raise L3BadRequest("floatingip", f"Port {port.id} does not have fixed ip {wanted}")


def _router_between(network_id: str, subnet_id: str) -> Router | None:
    """A router with an interface on the subnet and its gateway on the external network."""
    # The subnet's interface ports, by the allocations' (subnet, address) index: a few rows.
    held = IPAllocation.objects.filter(subnet_id=subnet_id, port__device_owner=INTERFACE_OWNER)
    router_ids = list(held.values_list("port__device_id", flat=True))
    return Router.objects.filter(id__in=router_ids, gateway_port__network_id=network_id).first()


def _associate(caller: Caller, fip: FloatingIP, port_id: str, fixed_ip_address: str | None) -> None:
    """Point the floating IP at a port of its project reachable from its network."""
    port = access.get_port(caller, port_id)
    if port.project_id != fip.project_id and not caller.is_admin:
        raise L3BadRequest(
            "floatingip",
            f"Cannot create floating IP and bind it to Port {port.id}, since that port is owned by a different tenant",
        )
    subnet_id, address = _fixed_address(port, fixed_ip_address)
    router = _router_between(str(fip.floating_network_id), subnet_id)
    if router is None:
        raise ExternalGatewayForFloatingIPNotFound(str(fip.floating_network_id), subnet_id, str(port.id))
    taken = (
        FloatingIP.objects.filter(port=port, fixed_ip_address=address, floating_network_id=fip.floating_network_id)
        .exclude(id=fip.id)
        .exists()
    )
    if taken:
        raise FloatingIPPortAlreadyAssociated(
            fip.floating_ip_address, str(fip.id), str(port.id), address, str(fip.floating_network_id)
        )
    fip.port, fip.fixed_ip_address, fip.router = port, address, router


def _disassociate(fip: FloatingIP) -> None:
    fip.port, fip.fixed_ip_address, fip.router = None, None, None


def create_floating_ip(
    caller: Caller,
    network_id: str,
    fields: FloatingIpFields,
    *,
    floating_ip_address: str | None = None,
    subnet_id: str | None = None,
    project_id: str | None = None,
) -> FloatingIP:
    """Allocate the next free address (or, for an admin, ``floating_ip_address``) of the
    external network's subnet to the caller's project, associated with ``fields.port_id``
    when given; 409 over the floatingip quota or when the subnet is full."""
    owner = access.owner_of_new(caller, project_id, policy.FLOATINGIP_CREATE)
    network = access.get_network(caller, network_id)
    if not network.external:
        raise L3BadRequest("floatingip", f"Network {network.id} is not a valid external network")
    if floating_ip_address is not None:
        policy.enforce(caller, policy.FLOATINGIP_CREATE_ADDRESS, project_id=owner)
    with transaction.atomic():
        quotas.reserve(owner, "floatingip")
        fip = FloatingIP(project_id=owner, floating_network=network)
        port = ipam.create_port(
            network,
            project_id="",
            device_id=str(fip.id),
            device_owner=FLOATINGIP_OWNER,
            fixed_ip=floating_ip_address,
            subnet_id=subnet_id,
            security_groups=[],
        )
        if not port.fixed_ips:
            raise L3BadRequest("floatingip", f"External network {network.id} has no subnet")
        fip.floating_port, fip.floating_ip_address = port, port.fixed_ips[0]["ip_address"]
        apply(fip, {"description": fields.description})
        if isinstance(fields.port_id, str):
            _associate(caller, fip, fields.port_id, fields.fixed_ip_address)
        fip.save()
    return fip


def update_floating_ip(caller: Caller, floatingip_id: str, fields: FloatingIpFields) -> FloatingIP:
    """Associate the floating IP with a port (``port_id``), or disassociate it (None)."""
    fip = get_floating_ip(caller, floatingip_id)
    policy.enforce(caller, policy.FLOATINGIP_UPDATE, project_id=fip.project_id)
    with transaction.atomic():
        FloatingIP.objects.select_for_update().filter(id=fip.id).first()
        if fields.port_id is None:
            _disassociate(fip)
        elif fields.port_id is not UNSET:
            _associate(caller, fip, fields.port_id, fields.fixed_ip_address)
        apply(fip, {"description": fields.description})
        fip.save()
    return fip


def delete_floating_ip(caller: Caller, floatingip_id: str) -> None:
    """Release the floating IP and its address."""
    fip = get_floating_ip(caller, floatingip_id)
    policy.enforce(caller, policy.FLOATINGIP_DELETE, project_id=fip.project_id)
    with transaction.atomic():
        port = fip.floating_port
        fip.delete()
        port.delete()
