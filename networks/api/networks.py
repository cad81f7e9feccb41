"""/network/v2.0/networks[/{id}]: list, create, show, update, delete."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core.bodies import unwrap
from core.paging import SortKey
from core.unset import UNSET, Unset
from networks.exceptions import InvalidMtu, NetworkNotFound
from networks.services import access
from networks.services import networks as services
from networks.services.arguments import NetworkFields

from . import openapi as doc
from . import validation
from .base import NeutronView, entity
from .documents import network_document
from .filters import NetworkFilter, narrow
from .paging import ID, Sorting, paged_listing, sortable

# Each key has an index on (column, id) (networks.models.Network).
SORTING = Sorting(sortable("name", "project_id", "created_at"), default=(SortKey("name"), ID))


def _mtu(body: dict[str, Any]) -> int | Unset:
    if "mtu" not in body:
        return UNSET
    mtu = body["mtu"]
    if isinstance(mtu, bool) or not isinstance(mtu, int):
        raise InvalidMtu(mtu)
    return mtu


def network_fields(body: dict[str, Any]) -> NetworkFields:
    """The writable attributes a network body gives (provider:* is accepted, not stored)."""
    return NetworkFields(
        name=validation.text(body, "name"),
        description=validation.text(body, "description", 1024),
        admin_state_up=validation.boolean(body, "admin_state_up"),
        shared=validation.boolean(body, "shared"),
        external=validation.boolean(body, "router:external"),
        mtu=_mtu(body),
        provider=any(key.startswith("provider:") for key in body),
    )


class NetworksView(NeutronView):
    openapi = {"get": doc.NETWORKS.list, "post": doc.NETWORKS.create}

    def get(self, request: Request) -> Response:
        visible = access.networks(self.caller)
        rows = narrow(NetworkFilter, visible, request.query_params)
        return paged_listing(request, "networks", rows, network_document, SORTING, NetworkNotFound, visible)

    def post(self, request: Request) -> Response:
        body = unwrap(request.data, "network", validation.MISSING_BODY)
        network = services.create_network(self.caller, network_fields(body), project_id=validation.project(body))
        return entity("network", network_document(network), request.query_params, status=201)


class NetworkView(NeutronView):
    openapi = {"get": doc.NETWORKS.show, "put": doc.NETWORKS.update, "delete": doc.NETWORKS.delete}

    def get(self, request: Request, network_id: str) -> Response:
        network = access.get_network(self.caller, network_id)
        return entity("network", network_document(network), request.query_params)

    def put(self, request: Request, network_id: str) -> Response:
        body = unwrap(request.data, "network", validation.MISSING_BODY)
        validation.read_only(body, "id", "project_id", "tenant_id", "status", "subnets")
        network = services.update_network(self.caller, network_id, network_fields(body))
        return entity("network", network_document(network), request.query_params)

    def delete(self, request: Request, network_id: str) -> Response:
        services.delete_network(self.caller, network_id)
        return Response(status=204)
