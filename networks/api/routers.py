"""/network/v2.0/routers[/{id}]: list, create, show, update, delete; and
PUT /routers/{id}/add_router_interface, /remove_router_interface."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core.bodies import unwrap
from core.exceptions import BadRequest
from core.paging import OLDEST_FIRST
from core.unset import UNSET, Unset
from networks.exceptions import RouterNotFound
from networks.services import router_interfaces
from networks.services import routers as services
from networks.services.arguments import FixedIp, GatewayInfo, RouterFields

from . import openapi_l3 as doc
from . import validation
from .base import NeutronView, entity
from .filters import RouterFilter, narrow
from .l3_documents import router_document
from .paging import Sorting, paged_listing, sortable

# Each key has an index on (column, id) (networks.models.Router).
SORTING = Sorting(sortable("name", "project_id", "created_at"), default=OLDEST_FIRST)


def _fixed_ips(value: object) -> tuple[FixedIp, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise BadRequest("Invalid input for external_fixed_ips. Reason: it must be a list of objects.")
    return tuple(
        FixedIp(
            subnet_id=validation.uuid_text(entry["subnet_id"], "subnet_id") if "subnet_id" in entry else None,
            ip_address=str(validation.ipv4(entry["ip_address"], "ip_address")) if "ip_address" in entry else None,
        )
        for entry in value
    )


def gateway(body: dict[str, Any]) -> GatewayInfo | Unset | None:
    """``external_gateway_info``: UNSET when absent, None (or {}) to clear it."""
    if "external_gateway_info" not in body:
        return UNSET
    info = body["external_gateway_info"]
    if info is None or info == {}:
        return None
    if not isinstance(info, dict) or "network_id" not in info:
        raise BadRequest("Invalid input for external_gateway_info. Reason: network_id is required.")
    snat = validation.boolean(info, "enable_snat")
    return GatewayInfo(
        network_id=validation.uuid_text(info["network_id"], "network_id"),
        enable_snat=None if snat is UNSET else snat,
        fixed_ips=_fixed_ips(info.get("external_fixed_ips")),
    )


def router_fields(body: dict[str, Any]) -> RouterFields:
    return RouterFields(
        name=validation.text(body, "name"),
        description=validation.text(body, "description"),
        admin_state_up=validation.boolean(body, "admin_state_up"),
        gateway=gateway(body),
    )


class RoutersView(NeutronView):
    openapi = {"get": doc.ROUTERS.list, "post": doc.ROUTERS.create}

    def get(self, request: Request) -> Response:
        visible = services.routers(self.caller)
        rows = narrow(RouterFilter, visible, request.query_params)
        return paged_listing(request, "routers", rows, router_document, SORTING, RouterNotFound, visible)

    def post(self, request: Request) -> Response:
        body = unwrap(request.data, "router", validation.MISSING_BODY)
        router = services.create_router(self.caller, router_fields(body), project_id=validation.project(body))
        return entity("router", router_document(router), request.query_params, status=201)


class RouterView(NeutronView):
    openapi = {"get": doc.ROUTERS.show, "put": doc.ROUTERS.update, "delete": doc.ROUTERS.delete}

    def get(self, request: Request, router_id: str) -> Response:
        return entity("router", router_document(services.get_router(self.caller, router_id)), request.query_params)

    def put(self, request: Request, router_id: str) -> Response:
        body = unwrap(request.data, "router", validation.MISSING_BODY)
        validation.read_only(body, "id", "project_id", "tenant_id", "status")
        router = services.update_router(self.caller, router_id, router_fields(body))
        return entity("router", router_document(router), request.query_params)

    def delete(self, request: Request, router_id: str) -> Response:
        services.delete_router(self.caller, router_id)
        return Response(status=204)


def _interface_ids(request: Request) -> tuple[str | None, str | None]:
    body = request.data if isinstance(request.data, dict) else None
    if body is None:
        raise BadRequest("Resource body required: expected an object with subnet_id or port_id.")
    subnet_id, port_id = body.get("subnet_id"), body.get("port_id")
    return (
        None if subnet_id is None else validation.uuid_text(subnet_id, "subnet_id"),
        None if port_id is None else validation.uuid_text(port_id, "port_id"),
    )


class RouterInterfaceView(NeutronView):
    """PUT /routers/{id}/add_router_interface or /remove_router_interface: the body names a
    subnet_id or a port_id (not wrapped in a "router" object)."""

    openapi = {"put": doc.ROUTER_INTERFACE}

    def put(self, request: Request, router_id: str, action: str) -> Response:
        subnet_id, port_id = _interface_ids(request)
        change = router_interfaces.add_interface if action == "add" else router_interfaces.remove_interface
        info = change(self.caller, router_id, subnet_id=subnet_id, port_id=port_id)
        return Response(
            {
                "id": info.router_id,
                "tenant_id": info.project_id,
                "project_id": info.project_id,
                "port_id": info.port_id,
                "subnet_id": info.subnet_id,
                "subnet_ids": [info.subnet_id] if info.subnet_id else [],
                "network_id": info.network_id,
            }
        )
