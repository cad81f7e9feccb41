"""/flavors, /flavors/detail, /flavors/{id}, flavor access and extra specs: thin views over
servers.services.flavors (values, policy and writes live there)."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.bodies import unwrap
from core.exceptions import BadRequest, NotFound
from core.microversions import Microversion
from core.views import ComputeView
from hosts.api.base import refuse_unknown_query
from identity.catalog import base_url
from servers.models import Flavor
from servers.services import flavors as service

from . import openapi_resources as doc
from . import representation as rep
from .validation import flavors as parse
from .validation.common import json_object, limit_param

#: The query parameters of GET /flavors[/detail]; from 2.75 no other is accepted, from 2.102
#: `name` is one of them and sorting on rxtx_factor is gone.
LIST_PARAMS = frozenset({"limit", "marker", "is_public", "minRam", "minDisk", "sort_key", "sort_dir"})


def flavor_query(request: Request) -> service.FlavorQuery:
    """The filters and paging of a flavor list, as the request's microversion allows them."""
    params = request.query_params
    version: Microversion = request.api_version  # type: ignore[attr-defined]
    restricted = version >= mv.QUERY_PARAMS_RESTRICTED
    if version >= mv.API_CONSISTENCY:
        refuse_unknown_query(request, LIST_PARAMS | ({"name"} if restricted else set()))
    if restricted and params.get("sort_key") == "rxtx_factor":
        raise BadRequest("Invalid input for query parameters sort_key. Value: rxtx_factor.")
    return service.FlavorQuery(
        name=params.get("name") if restricted else None,
        is_public=params.get("is_public"),
        min_ram=params.get("minRam"),
        min_disk=params.get("minDisk"),
        sort_key=params.get("sort_key", "flavorid"),
        sort_dir=params.get("sort_dir", "asc"),
        limit=limit_param(request),
        marker=params.get("marker"),
    )


def strict_from_2_102(request: Request) -> None:
    """From 2.102 a flavor's show, access list and extra specs take no query parameter."""
    if request.api_version >= mv.QUERY_PARAMS_RESTRICTED:  # type: ignore[attr-defined]
        refuse_unknown_query(request, ())


def with_next_link(request: Request, body: dict[str, Any], flavors: list[Flavor], path: str) -> dict[str, Any]:
    """Nova's `flavors_links`: a next link when an explicit limit filled the page."""
    limit = limit_param(request)
    if limit and len(flavors) == limit:
        query = request.query_params.copy()
        query["marker"] = flavors[-1].flavorid
        body["flavors_links"] = [
            {"rel": "next", "href": f"{base_url(request)}/compute/v2.1/{path}?{query.urlencode()}"}
        ]
    return body


def flavor_brief(flavor: Flavor, version: Microversion, base: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": flavor.flavorid,
        "name": flavor.name,
        "links": rep.links(base, "flavors", flavor.flavorid),
    }
    if version >= mv.FLAVOR_DESCRIPTION:
        body["description"] = flavor.description
    return body


class FlavorsView(ComputeView):
    """GET /flavors (brief list); POST /flavors (admin create; 200)."""

    openapi = {"get": doc.FLAVOR_LIST, "post": doc.FLAVOR_CREATE}

    def get(self, request) -> Response:
        base = base_url(request)
        flavors = list(service.list_flavors(self.caller, flavor_query(request)))
        body = {"flavors": [flavor_brief(flavor, request.api_version, base) for flavor in flavors]}
        return Response(with_next_link(request, body, flavors, "flavors"))

    def post(self, request) -> Response:
        spec = parse.flavor_create(unwrap(request.data, "flavor"), request.api_version)
        flavor = service.create_flavor(self.caller, spec)
        return Response({"flavor": rep.flavor_detail(flavor, request.api_version, base_url(request))})


class FlavorsDetailView(ComputeView):
    """GET /flavors/detail (one query for the flavors, whatever their number)."""

    openapi = {"get": doc.FLAVOR_DETAIL_LIST}

    def get(self, request) -> Response:
        base = base_url(request)
        flavors = list(service.list_flavors(self.caller, flavor_query(request)))
        body = {"flavors": [rep.flavor_detail(flavor, request.api_version, base) for flavor in flavors]}
        return Response(with_next_link(request, body, flavors, "flavors/detail"))


class FlavorView(ComputeView):
    """GET /flavors/{id}; PUT (description, ≥2.55, admin); DELETE (admin; 202)."""

    openapi = {"get": doc.FLAVOR_SHOW, "put": doc.FLAVOR_UPDATE, "delete": doc.FLAVOR_DELETE}

    def get(self, request, flavor_id: str) -> Response:
        strict_from_2_102(request)
        flavor = service.get_flavor(self.caller, flavor_id)
        return Response({"flavor": rep.flavor_detail(flavor, request.api_version, base_url(request))})

    def put(self, request, flavor_id: str) -> Response:
        if request.api_version < mv.FLAVOR_DESCRIPTION:
            raise NotFound("The resource could not be found.")
        description = parse.flavor_update(unwrap(request.data, "flavor"))
        flavor = service.update_description(self.caller, flavor_id, description)
        return Response({"flavor": rep.flavor_detail(flavor, request.api_version, base_url(request))})

    def delete(self, request, flavor_id: str) -> Response:
        service.delete_flavor(self.caller, flavor_id)
        return Response(status=status.HTTP_202_ACCEPTED)


class FlavorActionView(ComputeView):
    """POST /flavors/{id}/action with addTenantAccess or removeTenantAccess."""

    openapi = {"post": doc.FLAVOR_ACTION}

    def post(self, request, flavor_id: str) -> Response:
        action, tenant = parse.access_action(json_object(request.data))
        if action == "addTenantAccess":
            refuse_public = request.api_version >= mv.FLAVOR_ACCESS_PUBLIC_CONFLICT
            access = service.add_tenant_access(self.caller, flavor_id, tenant, refuse_public=refuse_public)
        else:
            access = service.remove_tenant_access(self.caller, flavor_id, tenant)
        return Response({"flavor_access": access})


class FlavorAccessView(ComputeView):
    """GET /flavors/{id}/os-flavor-access (admin; 404 for a public flavor)."""

    openapi = {"get": doc.FLAVOR_ACCESS_LIST}

    def get(self, request, flavor_id: str) -> Response:
        strict_from_2_102(request)
        return Response({"flavor_access": service.access_list(self.caller, flavor_id)})


class ExtraSpecsView(ComputeView):
    """GET /flavors/{id}/os-extra_specs; POST merges (admin)."""

    openapi = {"get": doc.EXTRA_SPECS_LIST, "post": doc.EXTRA_SPECS_CREATE}

    def get(self, request, flavor_id: str) -> Response:
        strict_from_2_102(request)
        return Response({"extra_specs": service.get_flavor(self.caller, flavor_id).extra_specs})

    def post(self, request, flavor_id: str) -> Response:
        specs = parse.extra_specs(unwrap(request.data, "extra_specs"))
        return Response({"extra_specs": service.merge_extra_specs(self.caller, flavor_id, specs)})


class ExtraSpecView(ComputeView):
    """GET/PUT/DELETE /flavors/{id}/os-extra_specs/{key} (writes admin; DELETE answers 200
    with no body, as Nova's, unlike the 202 of DELETE /flavors/{id})."""

    openapi = {"get": doc.EXTRA_SPEC_SHOW, "put": doc.EXTRA_SPEC_UPDATE, "delete": doc.EXTRA_SPEC_DELETE}

    def get(self, request, flavor_id: str, key: str) -> Response:
        strict_from_2_102(request)
        return Response(service.extra_spec(self.caller, flavor_id, key))

    def put(self, request, flavor_id: str, key: str) -> Response:
        value = parse.extra_spec(json_object(request.data), key)
        return Response(service.set_extra_spec(self.caller, flavor_id, key, value))

    def delete(self, request, flavor_id: str, key: str) -> Response:
        service.delete_extra_spec(self.caller, flavor_id, key)
        return Response(status=status.HTTP_200_OK)
