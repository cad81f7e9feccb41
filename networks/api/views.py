"""Network v2.0 API (read side for now): networks list with filters, show."""
from __future__ import annotations

import uuid

from django.db.models import Q
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from networks.models import Network


def iso(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def network_document(network: Network) -> dict:
    return {
        "id": str(network.id),
        "name": network.name,
        "tenant_id": network.project_id,
        "project_id": network.project_id,
        "shared": network.shared,
        "router:external": network.external,
        "admin_state_up": network.admin_state_up,
        "status": network.status,
        "mtu": network.mtu,
        "description": network.description,
        "subnets": [str(subnet.id) for subnet in network.subnets.all()],
        "availability_zones": ["nova"],
        "created_at": iso(network.created_at),
        "updated_at": iso(network.updated_at),
    }


def visible(request):
    networks = Network.objects.prefetch_related("subnets")
    if request.user.is_admin:
        return networks
    return networks.filter(Q(shared=True) | Q(project_id=request.user.project_id))


class NetworksView(APIView):
    def get(self, request):
        networks = visible(request)
        params = request.query_params
        if params.get("name"):
            networks = networks.filter(name=params["name"])
        if params.get("shared") is not None:
            networks = networks.filter(shared=params["shared"].lower() == "true")
        return Response({"networks": [network_document(network) for network in networks]})


class NetworkView(APIView):
    def get(self, request, network_id: str):
        try:
            key = uuid.UUID(network_id)
        except ValueError:
            raise exceptions.NotFound(f"Network {network_id} could not be found.")
        network = visible(request).filter(id=key).first()
        if network is None:
            raise exceptions.NotFound(f"Network {network_id} could not be found.")
        return Response({"network": network_document(network)})
