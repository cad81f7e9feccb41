"""Placement's read-only API under /placement: the root version document, resource providers,
their inventories and usages, and a consumer's allocations. Views read the microversion
(``OpenStack-API-Version: placement 1.X``, echoed on every answer) and the query, call
``placement.providers`` and render Placement's documents for that microversion."""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import BadRequest, NotFound
from core.ids import parse_uuid
from core.microversions import Microversion, requested_version
from core.views import PublicView, ServiceView
from hosts.models import ComputeNode
from placement import providers

from . import openapi as doc

SERVICE, HEADER = "placement", "OpenStack-API-Version"
MIN_VERSION, MAX_VERSION = Microversion(1, 0), Microversion(1, 39)
#: When each part of a document appeared (placement's rest_api_version_history).
AGGREGATES_LINK, TRAITS_LINK, ALLOCATIONS_LINK = Microversion(1, 1), Microversion(1, 6), Microversion(1, 11)
CONSUMER_OWNER, TREES, CONSUMER_GENERATION = Microversion(1, 12), Microversion(1, 14), Microversion(1, 28)
CONSUMER_TYPE, AGGREGATES_GENERATION = Microversion(1, 38), Microversion(1, 19)
#: The list filters this view applies; Placement's others (resources, member_of, required)
#: select by what it cannot answer here.
LIST_FILTERS = ("name", "uuid", "in_tree")


class VersionView(PublicView):
    """GET /placement: the version document, no token needed."""

    openapi = {"get": doc.VERSIONS}

    def get(self, request: Request) -> Response:
        version = {
            "id": "v1.0",
            "max_version": str(MAX_VERSION),
            "min_version": str(MIN_VERSION),
            "status": "CURRENT",
            "links": [{"rel": "self", "href": ""}],
        }
        return Response({"versions": [version]})


class PlacementView(ServiceView):
    """Reads the placement microversion first (a malformed one is 400, one out of range 406)
    and echoes it, with ``Vary``, on every answer, errors included."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        request.placement_version = requested_version(request.headers, SERVICE, MIN_VERSION, MAX_VERSION)  # type: ignore[attr-defined]
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        version = getattr(request, "placement_version", None)
        if version is not None:
            response[HEADER] = f"{SERVICE} {version}"
            response["Vary"] = HEADER
        return response

    @property
    def version(self) -> Microversion:
        """The microversion the request asked for."""
        return self.request.placement_version  # type: ignore[attr-defined]


def _links(node: ComputeNode, version: Microversion) -> list[dict[str, str]]:
    base = f"/resource_providers/{node.uuid}"
    links = [("self", base), ("inventories", f"{base}/inventories"), ("usages", f"{base}/usages")]
    for since, rel in ((AGGREGATES_LINK, "aggregates"), (TRAITS_LINK, "traits"), (ALLOCATIONS_LINK, "allocations")):
        if version >= since:
            links.append((rel, f"{base}/{rel}"))
    return [{"rel": rel, "href": href} for rel, href in links]


def provider_document(node: ComputeNode, version: Microversion) -> dict[str, Any]:
    """A resource provider: the compute node, named after its hypervisor, alone in its tree."""
    body: dict[str, Any] = {
        "uuid": str(node.uuid),
        "name": node.hypervisor_hostname,
        "generation": providers.GENERATION,
        "links": _links(node, version),
    }
    if version >= TREES:
        body.update(parent_provider_uuid=None, root_provider_uuid=str(node.uuid))
    return body


def _uuid_filter(raw: str | None, name: str) -> uuid.UUID | None:
    if raw is None:
        return None
    found = parse_uuid(raw)
    if found is None:
        raise BadRequest(f"Invalid query string parameters: '{raw}' is not a 'uuid' ({name})")
    return found


class ProvidersView(PlacementView):
    """GET /resource_providers (filters name, uuid, in_tree)."""

    openapi = {"get": doc.PROVIDER_LIST}

    def get(self, request: Request) -> Response:
        params = request.query_params
        unknown = sorted(set(params) - set(LIST_FILTERS))
        if unknown:
            raise BadRequest(f"Invalid query string parameters: {', '.join(unknown)} not supported here")
        in_tree = _uuid_filter(params.get("in_tree"), "in_tree") if self.version >= TREES else None
        if "in_tree" in params and self.version < TREES:
            raise BadRequest("Invalid query string parameters: in_tree needs microversion 1.14")
        query = providers.ProviderFilter(params.get("name"), _uuid_filter(params.get("uuid"), "uuid"), in_tree)
        found = providers.list_providers(self.caller, query)
        return Response({"resource_providers": [provider_document(node, self.version) for node in found]})


class ProviderView(PlacementView):
    """GET /resource_providers/{uuid}."""

    openapi = {"get": doc.PROVIDER_SHOW}

    def get(self, request: Request, provider: str) -> Response:
        node = providers.get_provider(self.caller, parse_uuid(provider), provider)
        return Response(provider_document(node, self.version))


class InventoriesView(PlacementView):
    """GET /resource_providers/{uuid}/inventories."""

    openapi = {"get": doc.INVENTORIES}

    def get(self, request: Request, provider: str) -> Response:
        found = providers.inventories(self.caller, parse_uuid(provider), provider)
        body = {
            name: {
                "total": item.total,
                "reserved": item.reserved,
                "min_unit": item.min_unit,
                "max_unit": item.max_unit,
                "step_size": item.step_size,
                "allocation_ratio": item.allocation_ratio,
            }
            for name, item in found.items()
        }
        return Response({"inventories": body, "resource_provider_generation": providers.GENERATION})


class UsagesView(PlacementView):
    """GET /resource_providers/{uuid}/usages."""

    openapi = {"get": doc.USAGES}

    def get(self, request: Request, provider: str) -> Response:
        found = providers.usages(self.caller, parse_uuid(provider), provider)
        return Response({"usages": found, "resource_provider_generation": providers.GENERATION})


class AllocationsView(PlacementView):
    """GET /allocations/{consumer}: by provider; empty for a consumer holding nothing."""

    openapi = {"get": doc.ALLOCATIONS}

    def get(self, request: Request, consumer: str) -> Response:
        found = providers.consumer_allocations(self.caller, parse_uuid(consumer))
        body: dict[str, Any] = {
            "allocations": {
                str(row.provider): {"generation": providers.GENERATION, "resources": row.resources} for row in found
            }
        }
        if found and self.version >= CONSUMER_OWNER:
            body.update(project_id=found[0].project_id, user_id=found[0].user_id)
        if found and self.version >= CONSUMER_GENERATION:
            body["consumer_generation"] = providers.GENERATION
        if found and self.version >= CONSUMER_TYPE:
            body["consumer_type"] = found[0].consumer_type
        return Response(body)


class SinceView(PlacementView):
    """A provider's sub-resource that appeared at microversion ``since`` (404 below it, as
    Placement's router answers)."""

    since = MIN_VERSION

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.version < self.since:
            raise NotFound("The resource could not be found.")


class ProviderAllocationsView(SinceView):
    """GET /resource_providers/{uuid}/allocations (1.0): the allocations against it, by consumer."""

    openapi = {"get": doc.PROVIDER_ALLOCATIONS}

    def get(self, request: Request, provider: str) -> Response:
        found = providers.provider_allocations(self.caller, parse_uuid(provider), provider)
        allocations = {str(consumer): {"resources": amounts} for consumer, amounts in found.items()}
        return Response({"allocations": allocations, "resource_provider_generation": providers.GENERATION})


class ProviderAggregatesView(SinceView):
    """GET /resource_providers/{uuid}/aggregates (1.1; the generation since 1.19)."""

    openapi = {"get": doc.PROVIDER_AGGREGATES}
    since = AGGREGATES_LINK

    def get(self, request: Request, provider: str) -> Response:
        found = providers.provider_aggregates(self.caller, parse_uuid(provider), provider)
        body: dict[str, Any] = {"aggregates": [str(aggregate) for aggregate in found]}
        if self.version >= AGGREGATES_GENERATION:
            body["resource_provider_generation"] = providers.GENERATION
        return Response(body)


class ProviderTraitsView(SinceView):
    """GET /resource_providers/{uuid}/traits (1.6)."""

    openapi = {"get": doc.PROVIDER_TRAITS}
    since = TRAITS_LINK

    def get(self, request: Request, provider: str) -> Response:
        found = providers.provider_traits(self.caller, parse_uuid(provider), provider)
        return Response({"traits": found, "resource_provider_generation": providers.GENERATION})
