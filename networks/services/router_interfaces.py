"""A router's interfaces on internal subnets (PUT /routers/{id}/add_router_interface and
remove_router_interface), with Neutron's rules: an interface made for a subnet takes the
subnet's gateway address; a router has one interface per subnet and its subnets do not
overlap (400); a port already bound elsewhere is refused (409); an interface that a
floating IP reaches its port through cannot be removed (409). Removing an interface deletes
its port, whichever way it was made (as Neutron does)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.db import transaction

from core import policy
from core.principal import Caller
from networks import ipam
from networks.exceptions import (
    L3BadRequest,
    PortAlreadyAttached,
    RouterInterfaceInUseByFloatingIP,
    RouterInterfaceNotFound,
    RouterInterfaceNotFoundForSubnet,
)
from networks.models import FloatingIP, Port, Router, Subnet

from . import access
from .routers import INTERFACE_OWNER, get_router, interface_ports


@dataclass(frozen=True)
class InterfaceInfo:
    """What the interface calls answer: the router, its port, the port's subnet and network."""

    router_id: str
    project_id: str
    port_id: str
    subnet_id: str
    network_id: str


def _info(router: Router, port: Port, subnet_id: str) -> InterfaceInfo:
    return InterfaceInfo(str(router.id), router.project_id, str(port.id), subnet_id, str(port.network_id))


def _subnet_ids(port: Port) -> list[str]:
    return [entry["subnet_id"] for entry in port.fixed_ips]


def _check_new_subnet(router: Router, subnet: Subnet) -> None:
    """400 when the router already has an interface on the subnet, or on one overlapping it."""
    cidr = ipaddress.ip_network(subnet.cidr)
    attached = [subnet_id for port in interface_ports(router) for subnet_id in _subnet_ids(port)]
    if str(subnet.id) in attached:
        raise L3BadRequest("router", f"Router already has a port on subnet {subnet.id}")
    for other in Subnet.objects.filter(id__in=attached):
        if ipaddress.ip_network(other.cidr).overlaps(cidr):
            raise L3BadRequest(
                "router",
                f"Cidr {subnet.cidr} of subnet {subnet.id} overlaps with cidr {other.cidr} of subnet {other.id}",
            )


def _writable_router(caller: Caller, router_id: str) -> Router:
    router = get_router(caller, router_id)
    policy.enforce(caller, policy.ROUTER_UPDATE, project_id=router.project_id)
    return router


def add_interface(
    caller: Caller, router_id: str, *, subnet_id: str | None = None, port_id: str | None = None
) -> InterfaceInfo:
    """Connect the router to a subnet (a new port at the subnet's gateway address) or through
    an unbound port of the caller's (it keeps its address). Exactly one of the two."""
    router = _writable_router(caller, router_id)
    if (subnet_id is None) == (port_id is None):
        message = (
            "Cannot specify both subnet-id and port-id"
            if subnet_id
            else "Either subnet_id or port_id must be specified"
        )
        raise L3BadRequest("router", message)
    with transaction.atomic():
        Router.objects.select_for_update().filter(id=router.id).first()
        if port_id is not None:
            return _add_port(caller, router, port_id)
        subnet = access.get_subnet(caller, str(subnet_id))
        if subnet.gateway_ip is None:
            raise L3BadRequest("router", "Subnet for router interface must have a gateway IP")
        _check_new_subnet(router, subnet)
        port = ipam.create_port(
            subnet.network,
            project_id=router.project_id,
            device_id=str(router.id),
            device_owner=INTERFACE_OWNER,
            fixed_ip=subnet.gateway_ip,
            subnet_id=str(subnet.id),
            security_groups=[],
        )
        return _info(router, port, str(subnet.id))


def _add_port(caller: Caller, router: Router, port_id: str) -> InterfaceInfo:
    port = access.get_port(caller, port_id)
    if port.device_id:
        raise PortAlreadyAttached(str(port.id), str(port.network_id), port.device_id)
    if not port.fixed_ips:
        raise L3BadRequest("router", f"Router port {port.id} must have at least one fixed IP")
    subnet = Subnet.objects.get(id=port.fixed_ips[0]["subnet_id"])
    _check_new_subnet(router, subnet)
    if (
        Port.objects.filter(pk=port.pk, device_id="").update(
            device_id=str(router.id), device_owner=INTERFACE_OWNER, status="ACTIVE"
        )
        != 1
    ):
        raise PortAlreadyAttached(str(port.id), str(port.network_id), "another device")
    return _info(router, port, str(subnet.id))


def _check_no_floating_ip(router: Router, subnet_id: str) -> None:
    subnet = Subnet.objects.filter(id=subnet_id).first()
    if subnet is None:
        return
    cidr = ipaddress.ip_network(subnet.cidr)
    for address in FloatingIP.objects.filter(router=router, port__isnull=False).values_list(
        "fixed_ip_address", flat=True
    ):
        if address and ipaddress.ip_address(address) in cidr:
            raise RouterInterfaceInUseByFloatingIP(str(router.id), subnet_id)


def remove_interface(
    caller: Caller, router_id: str, *, subnet_id: str | None = None, port_id: str | None = None
) -> InterfaceInfo:
    """Disconnect the router from a subnet, naming the subnet or the interface's port (404
    when the router has no such interface), and delete the interface's port."""
    router = _writable_router(caller, router_id)
    if subnet_id is None and port_id is None:
        raise L3BadRequest("router", "Either subnet_id or port_id must be specified")
    with transaction.atomic():
        Router.objects.select_for_update().filter(id=router.id).first()
        ports = list(interface_ports(router))
        if port_id is not None:
            port = next((p for p in ports if str(p.id) == port_id), None)
            if port is None or (subnet_id is not None and subnet_id not in _subnet_ids(port)):
                raise RouterInterfaceNotFound(str(router.id), port_id)
        else:
            port = next((p for p in ports if str(subnet_id) in _subnet_ids(p)), None)
            if port is None:
                raise RouterInterfaceNotFoundForSubnet(str(router.id), str(subnet_id))
        found_subnet = (subnet_id or _subnet_ids(port)[0]) if port.fixed_ips else ""
        _check_no_floating_ip(router, found_subnet)
        info = _info(router, port, found_subnet)
        port.delete()
        return info
