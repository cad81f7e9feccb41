"""/network/v2.0/ports[/{id}]: list (also ?fixed_ips=ip_address=X / subnet_id=Y, looked up
on the address allocations' indexes), create, show, update, delete."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import QueryDict
from rest_framework.request import Request
from rest_framework.response import Response

from core.bodies import unwrap
from core.ids import parse_uuid
from core.paging import OLDEST_FIRST
from core.unset import UNSET, Unset
from networks.exceptions import InvalidInput, PortNotFound
from networks.models import IPAllocation, Port
from networks.services import access
from networks.services import ports as services
from networks.services.arguments import FixedIp, PortFields

from . import openapi as doc
from . import validation
from .base import NeutronView, entity
from .documents import port_document
from .filters import PortFilter, narrow
from .paging import Sorting, paged_listing, sortable

# Each key has an index on (column, id) (networks.models.Port; mac_address is unique).
SORTING = Sorting(
    sortable("name", "project_id", "created_at", "device_id", "mac_address", network_id="network_id"),
    default=OLDEST_FIRST,
)


def _address(value: str) -> int | None:
    try:
        return int(ipaddress.IPv4Address(value))
    except ValueError:
        return None  # not an IPv4 address: no port holds it


def with_fixed_ips(ports: QuerySet[Port], params: QueryDict) -> QuerySet[Port]:
    """Neutron's ``fixed_ips=ip_address=10.0.0.5`` / ``fixed_ips=subnet_id=...`` filter: the
    ports holding an allocation with one of the addresses and in one of the subnets given
    (one allocation meets both, as Neutron joins ipallocations once). The allocation table's
    indexes (address; subnet and address) find them, not a scan of the ports."""
    addresses: list[str] = []
    subnets: list[str] = []
    for item in params.getlist("fixed_ips"):
        key, _, value = item.partition("=")
        if value and key == "ip_address":
            addresses.append(value)
        elif value and key == "subnet_id":
            subnets.append(value)
    if not addresses and not subnets:
        return ports
    held = IPAllocation.objects.filter(port=OuterRef("pk"))
    if addresses:
        held = held.filter(address__in=[a for a in map(_address, addresses) if a is not None])
    if subnets:
        held = held.filter(subnet_id__in=[s for s in map(parse_uuid, subnets) if s is not None])
    return ports.filter(Exists(held))


def port_fixed_ips(body: dict[str, Any]) -> tuple[FixedIp, ...] | Unset:
    if "fixed_ips" not in body:
        return UNSET
    fixed_ips = body["fixed_ips"]
    if not isinstance(fixed_ips, list) or not all(isinstance(entry, dict) for entry in fixed_ips):
        raise InvalidInput("fixed_ips must be a list of objects.")
    return tuple(
        FixedIp(
            subnet_id=validation.uuid_text(entry["subnet_id"], "subnet_id") if "subnet_id" in entry else None,
            ip_address=str(validation.ipv4(entry["ip_address"], "ip_address")) if "ip_address" in entry else None,
        )
        for entry in fixed_ips
    )


def _security_groups(body: dict[str, Any]) -> tuple[str, ...] | Unset:
    if "security_groups" not in body:
        return UNSET
    ids = body["security_groups"]
    if ids is None:
        return ()
    if not isinstance(ids, list):
        raise InvalidInput("security_groups must be a list of security group ids.")
    return tuple(validation.uuid_text(group_id, "security_groups") for group_id in ids)


def port_fields(body: dict[str, Any]) -> PortFields:
    return PortFields(
        name=validation.text(body, "name"),
        admin_state_up=validation.boolean(body, "admin_state_up"),
        device_id=validation.text(body, "device_id"),
        device_owner=validation.text(body, "device_owner"),
        security_groups=_security_groups(body),
    )


class PortsView(NeutronView):
    openapi = {"get": doc.PORTS.list, "post": doc.PORTS.create}

    def get(self, request: Request) -> Response:
        visible = access.ports(self.caller)
        rows = with_fixed_ips(narrow(PortFilter, visible, request.query_params), request.query_params)
        return paged_listing(request, "ports", rows, port_document, SORTING, PortNotFound, visible)

    def post(self, request: Request) -> Response:
        body = unwrap(request.data, "port", validation.MISSING_BODY)
        if "network_id" not in body:
            raise InvalidInput("network_id is required to create a port.")
        port = services.create_port(
            self.caller,
            str(body["network_id"]),
            port_fields(body),
            fixed_ips=port_fixed_ips(body),
            mac_address=validation.mac(body["mac_address"]) if "mac_address" in body else None,
            project_id=validation.project(body),
        )
        return entity("port", port_document(port), request.query_params, status=201)


class PortView(NeutronView):
    openapi = {"get": doc.PORTS.show, "put": doc.PORTS.update, "delete": doc.PORTS.delete}

    def get(self, request: Request, port_id: str) -> Response:
        return entity("port", port_document(access.get_port(self.caller, port_id)), request.query_params)

    def put(self, request: Request, port_id: str) -> Response:
        body = unwrap(request.data, "port", validation.MISSING_BODY)
        validation.read_only(body, "id", "network_id", "project_id", "tenant_id", "mac_address", "fixed_ips", "status")
        port = services.update_port(self.caller, port_id, port_fields(body))
        return entity("port", port_document(port), request.query_params)

    def delete(self, request: Request, port_id: str) -> Response:
        services.delete_port(self.caller, port_id)
        return Response(status=204)
