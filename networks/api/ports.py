"""/network/v2.0/ports[/{id}]: list (also ?fixed_ips=ip_address=X / subnet_id=Y), create,
show, update, delete."""

from __future__ import annotations

from rest_framework.response import Response

from networks import access, services
from networks.validation import resource_body

from .base import NeutronView, entity, listing, narrow
from .documents import port_document


def _fixed_ip_filters(params) -> list[tuple[str, str]]:
    """`fixed_ips=ip_address=10.0.0.5` / `fixed_ips=subnet_id=...` as (key, value) pairs."""
    pairs = []
    for item in params.getlist("fixed_ips"):
        key, _, value = item.partition("=")
        if key in ("ip_address", "subnet_id") and value:
            pairs.append((key, value))
    return pairs


def _holds(document: dict, pairs: list[tuple[str, str]]) -> bool:
    return all(any(entry.get(key) == value for entry in document["fixed_ips"]) for key, value in pairs)


class PortsView(NeutronView):
    def get(self, request):
        pairs = _fixed_ip_filters(request.query_params)
        documents = (port_document(port) for port in narrow(access.ports(request.user), request.query_params))
        return listing("ports", (doc for doc in documents if _holds(doc, pairs)), request.query_params)

    def post(self, request):
        port = services.create_port(request.user, resource_body(request.data, "port"))
        return entity("port", port_document(port), request.query_params, status=201)


class PortView(NeutronView):
    def get(self, request, port_id: str):
        return entity("port", port_document(access.get_port(request.user, port_id)), request.query_params)

    def put(self, request, port_id: str):
        port = access.get_port(request.user, port_id)
        port = services.update_port(request.user, port, resource_body(request.data, "port"))
        return entity("port", port_document(port), request.query_params)

    def delete(self, request, port_id: str):
        services.delete_port(request.user, access.get_port(request.user, port_id))
        return Response(status=204)
