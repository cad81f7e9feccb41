"""/network/v2.0/floatingips[/{id}]: list, create, show, update (associate with a port, or
disassociate with port_id null), delete."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core.bodies import unwrap
from core.exceptions import BadRequest
from core.paging import OLDEST_FIRST
from core.unset import UNSET, Unset
from networks.exceptions import FloatingIPNotFound
from networks.services import floating_ips as services
from networks.services.arguments import FloatingIpFields

from . import openapi_l3 as doc
from . import validation
from .base import NeutronView, entity
from .filters import FloatingIpFilter, narrow
from .l3_documents import floating_ip_document
from .paging import Sorting, paged_listing, sortable

# Each key has an index on (column, id) (networks.models.FloatingIP).
SORTING = Sorting(sortable("project_id", "floating_ip_address", "created_at"), default=OLDEST_FIRST)


def _port_id(body: dict[str, Any]) -> str | Unset | None:
    if "port_id" not in body:
        return UNSET
    return None if body["port_id"] is None else validation.uuid_text(body["port_id"], "port_id")


def _address(body: dict[str, Any], key: str) -> str | None:
    return None if body.get(key) is None else str(validation.ipv4(body[key], key))


def floating_ip_fields(body: dict[str, Any]) -> FloatingIpFields:
    return FloatingIpFields(
        port_id=_port_id(body),
        fixed_ip_address=_address(body, "fixed_ip_address"),
        description=validation.text(body, "description"),
    )


class FloatingIpsView(NeutronView):
    openapi = {"get": doc.FLOATING_IPS.list, "post": doc.FLOATING_IPS.create}

    def get(self, request: Request) -> Response:
        visible = services.floating_ips(self.caller)
        rows = narrow(FloatingIpFilter, visible, request.query_params)
        return paged_listing(request, "floatingips", rows, floating_ip_document, SORTING, FloatingIPNotFound, visible)

    def post(self, request: Request) -> Response:
        body = unwrap(request.data, "floatingip", validation.MISSING_BODY)
        if body.get("floating_network_id") is None:
            raise BadRequest("Failed to parse request. Required attribute 'floating_network_id' not specified")
        subnet_id = body.get("subnet_id")
        fip = services.create_floating_ip(
            self.caller,
            validation.uuid_text(body["floating_network_id"], "floating_network_id"),
            floating_ip_fields(body),
            floating_ip_address=_address(body, "floating_ip_address"),
            subnet_id=None if subnet_id is None else validation.uuid_text(subnet_id, "subnet_id"),
            project_id=validation.project(body),
        )
        return entity("floatingip", floating_ip_document(fip), request.query_params, status=201)


class FloatingIpView(NeutronView):
    openapi = {
        "get": doc.FLOATING_IPS.show,
        "put": doc.FLOATING_IPS.update,
        "delete": doc.FLOATING_IPS.delete,
    }

    def get(self, request: Request, floatingip_id: str) -> Response:
        fip = services.get_floating_ip(self.caller, floatingip_id)
        return entity("floatingip", floating_ip_document(fip), request.query_params)

    def put(self, request: Request, floatingip_id: str) -> Response:
        body = unwrap(request.data, "floatingip", validation.MISSING_BODY)
        validation.read_only(body, "id", "floating_ip_address", "floating_network_id", "project_id", "tenant_id")
        fip = services.update_floating_ip(self.caller, floatingip_id, floating_ip_fields(body))
        return entity("floatingip", floating_ip_document(fip), request.query_params)

    def delete(self, request: Request, floatingip_id: str) -> Response:
        services.delete_floating_ip(self.caller, floatingip_id)
        return Response(status=204)
