"""/network/v2.0/subnets[/{id}]: list, create, show, update, delete."""

from __future__ import annotations

import ipaddress
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core.bodies import unwrap
from core.unset import UNSET, Unset
from networks.exceptions import InvalidInput, SubnetNotFound
from networks.services import access
from networks.services import subnets as services
from networks.services.arguments import Pool, SubnetFields

from . import openapi as doc
from . import validation
from .base import NeutronView, entity
from .documents import subnet_document
from .filters import SubnetFilter, narrow
from .paging import Sorting, paged_listing, sortable

# Each key has an index on (column, id) (networks.models.Subnet).
SORTING = Sorting(sortable("name", "project_id", "created_at", network_id="network_id"))


def subnet_cidr(body: dict[str, Any]) -> ipaddress.IPv4Network:
    """The IPv4 CIDR of a create body (IPv6 and subnet pools are not supported)."""
    version = body.get("ip_version", 4)
    if version in (6, "6"):
        raise InvalidInput("IPv6 subnets are not supported.")
    if version not in (4, "4"):
        raise InvalidInput(f"{version!r} is not a valid ip_version.")
    if "cidr" not in body:
        raise InvalidInput("cidr is required (subnet pools are not supported).")
    value = body["cidr"]
    try:
        # Host bits are allowed: Neutron turns "10.99.99.0/16" into "10.99.0.0/16"
        # (neutron/db/db_base_plugin_v2.py, create_subnet).
        net = ipaddress.ip_network(value, strict=False) if isinstance(value, str) else None
    except ValueError:
        net = None
    if net is None:
        raise InvalidInput(f"'{value}' is not a valid IP subnet.")
    if "/" not in value:  # neutron_lib's validate_subnet wants the prefix length written
        raise InvalidInput(f"'{value}' isn't a recognized IP subnet cidr, '{net}' is recommended")
    if not isinstance(net, ipaddress.IPv4Network):
        raise InvalidInput("only IPv4 subnets are supported.")
    return net


def _gateway(body: dict[str, Any]) -> ipaddress.IPv4Address | Unset | None:
    if "gateway_ip" not in body:
        return UNSET
    return None if body["gateway_ip"] is None else validation.ipv4(body["gateway_ip"], "gateway_ip")


def subnet_pools(body: dict[str, Any]) -> tuple[Pool, ...]:
    pools = body.get("allocation_pools")
    if pools in (None, []):
        return ()
    if not isinstance(pools, list) or not all(isinstance(pool, dict) for pool in pools):
        raise InvalidInput("allocation_pools must be a list of {start, end} objects.")
    if not all("start" in pool and "end" in pool for pool in pools):
        raise InvalidInput("each allocation pool needs a start and an end.")
    return tuple(Pool(validation.ipv4(pool["start"], "start"), validation.ipv4(pool["end"], "end")) for pool in pools)


def _nameservers(body: dict[str, Any]) -> list[str] | Unset:
    if "dns_nameservers" not in body:
        return UNSET
    servers = body["dns_nameservers"]
    if not isinstance(servers, list):
        raise InvalidInput("dns_nameservers must be a list of addresses.")
    return [str(validation.ipv4(server, "dns_nameservers")) for server in servers]


def subnet_fields(body: dict[str, Any]) -> SubnetFields:
    return SubnetFields(
        name=validation.text(body, "name"),
        enable_dhcp=validation.boolean(body, "enable_dhcp"),
        dns_nameservers=_nameservers(body),
        gateway_ip=_gateway(body),
    )


class SubnetsView(NeutronView):
    openapi = {"get": doc.SUBNETS.list, "post": doc.SUBNETS.create}

    def get(self, request: Request) -> Response:
        visible = access.subnets(self.caller)
        rows = narrow(SubnetFilter, visible, request.query_params)
        return paged_listing(request, "subnets", rows, subnet_document, SORTING, SubnetNotFound, visible)

    def post(self, request: Request) -> Response:
        body = unwrap(request.data, "subnet", validation.MISSING_BODY)
        if "network_id" not in body:
            raise InvalidInput("network_id is required to create a subnet.")
        subnet = services.create_subnet(
            self.caller,
            str(body["network_id"]),
            subnet_cidr(body),
            subnet_fields(body),
            allocation_pools=subnet_pools(body),
            project_id=validation.project(body),
        )
        return entity("subnet", subnet_document(subnet), request.query_params, status=201)


class SubnetView(NeutronView):
    openapi = {"get": doc.SUBNETS.show, "put": doc.SUBNETS.update, "delete": doc.SUBNETS.delete}

    def get(self, request: Request, subnet_id: str) -> Response:
        return entity("subnet", subnet_document(access.get_subnet(self.caller, subnet_id)), request.query_params)

    def put(self, request: Request, subnet_id: str) -> Response:
        body = unwrap(request.data, "subnet", validation.MISSING_BODY)
        validation.read_only(
            body, "id", "network_id", "cidr", "ip_version", "allocation_pools", "project_id", "tenant_id"
        )
        subnet = services.update_subnet(self.caller, subnet_id, subnet_fields(body))
        return entity("subnet", subnet_document(subnet), request.query_params)

    def delete(self, request: Request, subnet_id: str) -> Response:
        services.delete_subnet(self.caller, subnet_id)
        return Response(status=204)
