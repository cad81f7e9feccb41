"""/network/v2.0/subnets[/{id}]: list, create, show, update, delete."""

from __future__ import annotations

from rest_framework.response import Response

from networks import access, subnets
from networks.validation import resource_body

from .base import NeutronView, entity, listing, narrow
from .documents import subnet_document


class SubnetsView(NeutronView):
    def get(self, request):
        documents = (subnet_document(subnet) for subnet in narrow(access.subnets(request.user), request.query_params))
        return listing("subnets", documents, request.query_params)

    def post(self, request):
        subnet = subnets.create_subnet(request.user, resource_body(request.data, "subnet"))
        return entity("subnet", subnet_document(subnet), request.query_params, status=201)


class SubnetView(NeutronView):
    def get(self, request, subnet_id: str):
        return entity("subnet", subnet_document(access.get_subnet(request.user, subnet_id)), request.query_params)

    def put(self, request, subnet_id: str):
        subnet = access.get_subnet(request.user, subnet_id)
        subnet = subnets.update_subnet(request.user, subnet, resource_body(request.data, "subnet"))
        return entity("subnet", subnet_document(subnet), request.query_params)

    def delete(self, request, subnet_id: str):
        subnets.delete_subnet(request.user, access.get_subnet(request.user, subnet_id))
        return Response(status=204)
