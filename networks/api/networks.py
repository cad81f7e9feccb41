"""/network/v2.0/networks[/{id}]: list, create, show, update, delete."""

from __future__ import annotations

from rest_framework.response import Response

from networks import access, services
from networks.validation import resource_body

from .base import NeutronView, entity, listing, narrow
from .documents import network_document


class NetworksView(NeutronView):
    def get(self, request):
        documents = (
            network_document(network) for network in narrow(access.networks(request.user), request.query_params)
        )
        return listing("networks", documents, request.query_params)

    def post(self, request):
        network = services.create_network(request.user, resource_body(request.data, "network"))
        return entity("network", network_document(network), request.query_params, status=201)


class NetworkView(NeutronView):
    def get(self, request, network_id: str):
        network = access.get_network(request.user, network_id)
        return entity("network", network_document(network), request.query_params)

    def put(self, request, network_id: str):
        network = access.get_network(request.user, network_id)
        network = services.update_network(request.user, network, resource_body(request.data, "network"))
        return entity("network", network_document(network), request.query_params)

    def delete(self, request, network_id: str):
        services.delete_network(request.user, access.get_network(request.user, network_id))
        return Response(status=204)
