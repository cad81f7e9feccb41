"""Who sees what in the network service. Admins see everything. A member sees shared and
external networks and its project's own, the subnets of those networks, its project's ports
(plus ports on networks it owns), and its project's routers and floating IPs. Anything else
answers 404, as Neutron does; a resource the member sees but does not own answers 403 to a
write (``core.policy``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core import policy
from core.ids import parse_uuid
from core.principal import Caller
from networks.exceptions import NetworkNotFound, PortNotFound, SubnetNotFound
from networks.models import Network, Port, Subnet


def networks(caller: Caller) -> QuerySet[Network]:
    """The networks the caller sees."""
    query = Network.objects.prefetch_related("subnets")
    if caller.is_admin:
        return query
    return query.filter(Q(shared=True) | Q(external=True) | Q(project_id=caller.project_id))


def subnets(caller: Caller) -> QuerySet[Subnet]:
    """The subnets the caller sees: those of the networks it sees, and its project's own."""
    query = Subnet.objects.select_related("network")
    if caller.is_admin:
        return query
    return query.filter(
        Q(network__shared=True)
        | Q(network__external=True)
        | Q(network__project_id=caller.project_id)
        | Q(project_id=caller.project_id)
    )


def ports(caller: Caller) -> QuerySet[Port]:
    """The ports the caller sees: its project's, and those on its project's networks."""
    query = Port.objects.select_related("network").prefetch_related("security_groups")
    if caller.is_admin:
        return query
    return query.filter(Q(project_id=caller.project_id) | Q(network__project_id=caller.project_id))


def get_network(caller: Caller, network_id: str) -> Network:
    """The network, if the caller sees it (else NetworkNotFound, also for a non-UUID id)."""
    key = parse_uuid(network_id)
    found = networks(caller).filter(id=key).first() if key else None
    if found is None:
        raise NetworkNotFound(network_id)
    return found


def get_subnet(caller: Caller, subnet_id: str) -> Subnet:
    """The subnet, if the caller sees it (else SubnetNotFound)."""
    key = parse_uuid(subnet_id)
    found = subnets(caller).filter(id=key).first() if key else None
    if found is None:
        raise SubnetNotFound(subnet_id)
    return found


def get_port(caller: Caller, port_id: str) -> Port:
    """The port, if the caller sees it (else PortNotFound)."""
    key = parse_uuid(port_id)
    found = ports(caller).filter(id=key).first() if key else None
    if found is None:
        raise PortNotFound(port_id)
    return found


def owner_of_new(caller: Caller, requested: str | None, rule: policy.Rule) -> str:
    """The project a new resource belongs to: the caller's, or the ``requested`` one when
    ``rule`` (an OWNER rule: admins only, for another project) allows it."""
    if requested is None or requested == caller.project_id:
        return caller.project_id
    policy.enforce(caller, rule, project_id=requested)
    return requested
