"""/servers/{id}/ips and /servers/{id}/ips/{network}: thin views over servers.services.addresses."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from core.views import ComputeView
from servers.services import addresses as service

from . import openapi_server_parts as doc


class AddressesView(ComputeView):
    """GET: {"addresses": {network: [{"version", "addr"}]}}."""

    openapi = {"get": doc.ADDRESS_LIST}

    def get(self, request: Request, server_id: str) -> Response:
        return Response({"addresses": service.list_addresses(self.caller, server_id)})


class NetworkAddressesView(ComputeView):
    """GET: {network: [{"version", "addr"}]}."""

    openapi = {"get": doc.NETWORK_ADDRESSES}

    def get(self, request: Request, server_id: str, network: str) -> Response:
        return Response({network: service.network_addresses(self.caller, server_id, network)})
