"""Nova's network proxy APIs (deprecated: 404 from microversion 2.36), answered from the
network service as Nova answers them from Neutron: /os-networks[/{id}] (only id and label
are known; the other nova-network fields are null, and admins see more of them) and
/os-tenant-networks[/{id}] (id, label, and a cidr of "None", as Nova has always said)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import NotFound
from core.principal import Caller
from networks.exceptions import NetworkNotFound
from networks.models import Network
from networks.services import access

from . import openapi_proxies as doc
from .security_group_views import ProxyView

FIELDS = ("cidr", "netmask", "gateway", "broadcast", "dns1", "dns2", "cidr_v6", "gateway_v6", "netmask_v6")
ADMIN_FIELDS = (
    "created_at",
    "updated_at",
    "deleted_at",
    "deleted",
    "injected",
    "bridge",
    "vlan",
    "vpn_public_address",
    "vpn_public_port",
    "vpn_private_address",
    "dhcp_start",
    "project_id",
    "host",
    "bridge_interface",
    "multi_host",
    "priority",
    "rxtx_base",
    "mtu",
    "dhcp_server",
    "enable_dhcp",
    "share_address",
)


def network_view(network: Network, *, is_admin: bool) -> dict[str, Any]:
    unknown = (*FIELDS, *ADMIN_FIELDS) if is_admin else FIELDS
    return {"id": str(network.id), "label": network.name, **dict.fromkeys(unknown)}


def tenant_network_view(network: Network) -> dict[str, Any]:
    return {"id": str(network.id), "cidr": "None", "label": network.name}


def _network(caller: Caller, network_id: str) -> Network:
    try:
        return access.get_network(caller, network_id)
    except NetworkNotFound:
        raise NotFound("Network not found") from None


class NetworksView(ProxyView):
    """GET /os-networks: the networks the caller sees."""

    openapi = {"get": doc.NETWORK_LIST}

    def get(self, request: Request) -> Response:
        admin = self.caller.is_admin
        return Response({"networks": [network_view(n, is_admin=admin) for n in access.networks(self.caller)]})


class NetworkView(ProxyView):
    openapi = {"get": doc.NETWORK_SHOW}

    def get(self, request: Request, network_id: str) -> Response:
        network = _network(self.caller, network_id)
        return Response({"network": network_view(network, is_admin=self.caller.is_admin)})


class TenantNetworksView(ProxyView):
    """GET /os-tenant-networks: the networks the caller sees."""

    openapi = {"get": doc.NETWORK_LIST}

    def get(self, request: Request) -> Response:
        return Response({"networks": [tenant_network_view(n) for n in access.networks(self.caller)]})


class TenantNetworkView(ProxyView):
    openapi = {"get": doc.NETWORK_SHOW}

    def get(self, request: Request, network_id: str) -> Response:
        return Response({"network": tenant_network_view(_network(self.caller, network_id))})
