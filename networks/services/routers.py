"""Routers: who sees which, create, update (with the external gateway), delete, with
Neutron's rules. Only the records and addresses are kept; nothing forwards packets.

The gateway is a port on an external network (device_owner ``network:router_gateway``,
no project, as Neutron makes it) holding an address of its subnet. A router with interfaces
cannot be deleted (409 RouterInUse); a gateway some floating IP needs cannot be changed or
cleared (409)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from core import policy
from core.ids import parse_uuid
from core.principal import Caller
from core.unset import UNSET
from networks import ipam
from networks.exceptions import (
    L3BadRequest,
    RouterExternalGatewayInUseByFloatingIp,
    RouterInUse,
    RouterNotFound,
)
from networks.models import FloatingIP, Network, Port, Router

from . import access, quotas
from .arguments import GatewayInfo, RouterFields, apply

GATEWAY_OWNER = "network:router_gateway"
INTERFACE_OWNER = "network:router_interface"


def routers(caller: Caller) -> QuerySet[Router]:
    """The routers the caller sees (admins: all; others: their project's), with the gateway
    port and its network read in the same query."""
    query = Router.objects.select_related("gateway_port__network")
    return query if caller.is_admin else query.filter(project_id=caller.project_id)


def get_router(caller: Caller, router_id: str) -> Router:
    """The router, if the caller sees it (else RouterNotFound, also for a non-UUID id)."""
    key = parse_uuid(router_id)
    found = routers(caller).filter(id=key).first() if key else None
    if found is None:
        raise RouterNotFound(router_id)
    return found


def interface_ports(router: Router) -> QuerySet[Port]:
    """The router's interfaces: its ports on internal subnets."""
    return Port.objects.filter(device_id=str(router.id), device_owner=INTERFACE_OWNER)


def _external_network(caller: Caller, network_id: str) -> Network:
    network = access.get_network(caller, network_id)
    if not network.external:
        raise L3BadRequest("router", f"Network {network.id} is not an external network")
    return network


def _check_gateway_unused(router: Router) -> None:
    """409 while a floating IP reaches its port through the router's gateway."""
    if router.gateway_port is not None and FloatingIP.objects.filter(router=router, port__isnull=False).exists():
        raise RouterExternalGatewayInUseByFloatingIp(str(router.id), str(router.gateway_port.network_id))


def _drop_gateway(router: Router) -> None:
    port = router.gateway_port
    if port is not None:
        router.gateway_port = None
        router.save(update_fields=["gateway_port", "updated_at"])
        port.delete()


def _set_gateway(caller: Caller, router: Router, gateway: GatewayInfo | None) -> None:
    """Give the router ``gateway`` (None: none), inside the caller's transaction."""
    if gateway is not None and gateway.enable_snat is not None:
        policy.enforce(caller, policy.ROUTER_GATEWAY_SNAT, project_id=router.project_id)
    if gateway is not None and gateway.fixed_ips:
        policy.enforce(caller, policy.ROUTER_GATEWAY_FIXED_IPS, project_id=router.project_id)
    current = router.gateway_port
    if gateway is None:
        _check_gateway_unused(router)
        _drop_gateway(router)
        return
    network = _external_network(caller, gateway.network_id)
    if gateway.enable_snat is not None:
        router.enable_snat = gateway.enable_snat
    if current is not None and current.network_id == network.id and not gateway.fixed_ips:
        return
    _check_gateway_unused(router)
    _drop_gateway(router)
    wanted = gateway.fixed_ips[0] if gateway.fixed_ips else None
    router.gateway_port = ipam.create_port(
        network,
        project_id="",
        device_id=str(router.id),
        device_owner=GATEWAY_OWNER,
        fixed_ip=wanted.ip_address if wanted else None,
        subnet_id=wanted.subnet_id if wanted else None,
        security_groups=[],
    )


def create_router(caller: Caller, fields: RouterFields, *, project_id: str | None = None) -> Router:
    """A router of the caller's project (an admin: of ``project_id``), with its gateway when
    one is asked for; 409 over the project's router quota."""
    router = Router(project_id=access.owner_of_new(caller, project_id, policy.ROUTER_CREATE))
    apply(router, {"name": fields.name, "description": fields.description, "admin_state_up": fields.admin_state_up})
    with transaction.atomic():
        quotas.reserve(router.project_id, "router")
        router.save()
        if isinstance(fields.gateway, GatewayInfo):
            _set_gateway(caller, router, fields.gateway)
            router.save()
    return get_router(caller, str(router.id))


def update_router(caller: Caller, router_id: str, fields: RouterFields) -> Router:
    """Rename, describe, enable or disable a router the caller owns, or change its gateway."""
    router = get_router(caller, router_id)
    policy.enforce(caller, policy.ROUTER_UPDATE, project_id=router.project_id)
    apply(router, {"name": fields.name, "description": fields.description, "admin_state_up": fields.admin_state_up})
    with transaction.atomic():
        Router.objects.select_for_update().filter(id=router.id).first()
        if fields.gateway is not UNSET:
            _set_gateway(caller, router, fields.gateway)
        router.save()
    return get_router(caller, str(router.id))


def delete_router(caller: Caller, router_id: str) -> None:
    """Delete a router without interfaces (409 RouterInUse), and its gateway port."""
    router = get_router(caller, router_id)
    policy.enforce(caller, policy.ROUTER_DELETE, project_id=router.project_id)
    with transaction.atomic():
        Router.objects.select_for_update().filter(id=router.id).first()
        if interface_ports(router).exists():
            raise RouterInUse(str(router.id))
        gateway = router.gateway_port
        router.delete()
        if gateway is not None:
            gateway.delete()
