"""Who sees what in the network service. Admins see everything. A member sees shared
networks and its project's own, the subnets of those networks, and its project's ports
(plus ports on networks it owns). Anything else answers 404, as Neutron does; a resource
the member sees but does not own answers 403 to a write."""

from __future__ import annotations

import uuid
from typing import Protocol

from django.db.models import Q, QuerySet

from core.exceptions import BadRequest

from .exceptions import NetworkNotFound, PolicyNotAuthorized, PortNotFound, SubnetNotFound
from .models import Network, Port, Subnet


class Caller(Protocol):
    """What the rules need from a caller (identity.tokens.Principal fits)."""

    project_id: str

    @property
    def is_admin(self) -> bool: ...


def networks(caller: Caller) -> QuerySet:
    query = Network.objects.prefetch_related("subnets")
    if caller.is_admin:
        return query
    return query.filter(Q(shared=True) | Q(project_id=caller.project_id))


def subnets(caller: Caller) -> QuerySet:
    query = Subnet.objects.select_related("network")
    if caller.is_admin:
        return query
    return query.filter(
        Q(network__shared=True) | Q(network__project_id=caller.project_id) | Q(project_id=caller.project_id)
    )


def ports(caller: Caller) -> QuerySet:
    query = Port.objects.select_related("network")
    if caller.is_admin:
        return query
    return query.filter(Q(project_id=caller.project_id) | Q(network__project_id=caller.project_id))


def parse_uuid(value: str) -> uuid.UUID | None:
    """The UUID `value` names, or None when it is not one (such an id matches nothing)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def get_network(caller: Caller, network_id: str) -> Network:
    key = parse_uuid(network_id)
    found = networks(caller).filter(id=key).first() if key else None
    if found is None:
        raise NetworkNotFound(network_id)
    return found


def get_subnet(caller: Caller, subnet_id: str) -> Subnet:
    key = parse_uuid(subnet_id)
    found = subnets(caller).filter(id=key).first() if key else None
    if found is None:
        raise SubnetNotFound(subnet_id)
    return found


def get_port(caller: Caller, port_id: str) -> Port:
    key = parse_uuid(port_id)
    found = ports(caller).filter(id=key).first() if key else None
    if found is None:
        raise PortNotFound(port_id)
    return found


def require_owner(caller: Caller, project_id: str, action: str) -> None:
    """403 unless the caller is an admin or in the owning project."""
    if not (caller.is_admin or caller.project_id == project_id):
        raise PolicyNotAuthorized(action)


def require_admin(caller: Caller, action: str) -> None:
    if not caller.is_admin:
        raise PolicyNotAuthorized(action)


def owner_of_new(caller: Caller, body: dict, action: str) -> str:
    """The project a new resource belongs to: the caller's, or (admins only) the
    project_id / tenant_id given in the body."""
    requested = body.get("project_id") or body.get("tenant_id")
    if requested in (None, caller.project_id):
        return caller.project_id
    if not isinstance(requested, str) or len(requested) > 64:
        raise BadRequest(f"Invalid input for project_id. Reason: '{requested}' is not a valid project id.")
    require_admin(caller, action)
    return requested
