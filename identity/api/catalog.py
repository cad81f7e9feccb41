"""Keystone v3 regions, services and endpoints: /v3/regions[/{id}], /v3/services[/{id}],
/v3/endpoints[/{id}] (keystone/api/regions.py, services.py, endpoints.py).

Who may do what is ``core.policy`` (identity:list_regions, identity:create_endpoint, ...),
enforced by ``identity.services`` (regions, catalog_services, endpoints)."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from identity.documents import collection_links, endpoint_document, region_document, service_document
from identity.services import catalog_services, endpoints, regions

from . import catalog_parsing as parsing
from . import openapi_catalog as doc
from .base import IdentityView
from .filtersets import CatalogServiceFilterSet, EndpointFilterSet, RegionFilterSet


class RegionsView(IdentityView):
    """GET lists (filter parent_region_id); POST creates (the id optional)."""

    openapi = {"get": doc.REGION_LIST, "post": doc.REGION_CREATE}

    def get(self, request: Request) -> Response:
        found = RegionFilterSet(request.query_params, queryset=regions.list_regions(self.caller)).qs
        documents = [region_document(request, region) for region in found]
        return Response({"regions": documents, "links": collection_links(request)})

    def post(self, request: Request) -> Response:
        region = regions.create_region(self.caller, **parsing.new_region(request.data))
        return Response({"region": region_document(request, region)}, status=status.HTTP_201_CREATED)


class RegionView(IdentityView):
    """GET shows; PUT creates with this id; PATCH updates; DELETE deletes (with its children)."""

    openapi = {"get": doc.REGION_SHOW, "put": doc.REGION_PUT, "patch": doc.REGION_UPDATE, "delete": doc.REGION_DELETE}

    def get(self, request: Request, region_id: str) -> Response:
        return Response({"region": region_document(request, regions.get_region(self.caller, region_id))})

    def put(self, request: Request, region_id: str) -> Response:
        region = regions.create_region(self.caller, **parsing.new_region(request.data, region_id))
        return Response({"region": region_document(request, region)}, status=status.HTTP_201_CREATED)

    def patch(self, request: Request, region_id: str) -> Response:
        region = regions.update_region(self.caller, region_id, **parsing.region_changes(request.data, region_id))
        return Response({"region": region_document(request, region)})

    def delete(self, request: Request, region_id: str) -> Response:
        regions.delete_region(self.caller, region_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServicesView(IdentityView):
    """GET lists (filters type, name); POST creates."""

    openapi = {"get": doc.SERVICE_LIST, "post": doc.SERVICE_CREATE}

    def get(self, request: Request) -> Response:
        found = CatalogServiceFilterSet(request.query_params, queryset=catalog_services.list_services(self.caller)).qs
        documents = [service_document(request, service) for service in found]
        return Response({"services": documents, "links": collection_links(request)})

    def post(self, request: Request) -> Response:
        service = catalog_services.create_service(self.caller, **parsing.new_service(request.data))
        return Response({"service": service_document(request, service)}, status=status.HTTP_201_CREATED)


class ServiceView(IdentityView):
    """GET shows; PATCH updates; DELETE deletes (with its endpoints)."""

    openapi = {"get": doc.SERVICE_SHOW, "patch": doc.SERVICE_UPDATE, "delete": doc.SERVICE_DELETE}

    def get(self, request: Request, service_id: str) -> Response:
        service = catalog_services.get_service(self.caller, service_id)
        return Response({"service": service_document(request, service)})

    def patch(self, request: Request, service_id: str) -> Response:
        changes = parsing.service_changes(request.data, service_id)
        service = catalog_services.update_service(self.caller, service_id, **changes)
        return Response({"service": service_document(request, service)})

    def delete(self, request: Request, service_id: str) -> Response:
        catalog_services.delete_service(self.caller, service_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointsView(IdentityView):
    """GET lists (filters interface, service_id, region_id); POST creates."""

    openapi = {"get": doc.ENDPOINT_LIST, "post": doc.ENDPOINT_CREATE}

    def get(self, request: Request) -> Response:
        parsing.endpoint_query(request.query_params)
        found = EndpointFilterSet(request.query_params, queryset=endpoints.list_endpoints(self.caller)).qs
        documents = [endpoint_document(request, endpoint) for endpoint in found]
        return Response({"endpoints": documents, "links": collection_links(request)})

    def post(self, request: Request) -> Response:
        endpoint = endpoints.create_endpoint(self.caller, **parsing.new_endpoint(request.data))
        return Response({"endpoint": endpoint_document(request, endpoint)}, status=status.HTTP_201_CREATED)


class EndpointView(IdentityView):
    """GET shows; PATCH updates; DELETE deletes."""

    openapi = {"get": doc.ENDPOINT_SHOW, "patch": doc.ENDPOINT_UPDATE, "delete": doc.ENDPOINT_DELETE}

    def get(self, request: Request, endpoint_id: str) -> Response:
        endpoint = endpoints.get_endpoint(self.caller, endpoint_id)
        return Response({"endpoint": endpoint_document(request, endpoint)})

    def patch(self, request: Request, endpoint_id: str) -> Response:
        changes = parsing.endpoint_changes(request.data, endpoint_id)
        endpoint = endpoints.update_endpoint(self.caller, endpoint_id, **changes)
        return Response({"endpoint": endpoint_document(request, endpoint)})

    def delete(self, request: Request, endpoint_id: str) -> Response:
        endpoints.delete_endpoint(self.caller, endpoint_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
