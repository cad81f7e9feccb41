"""/flavors, /flavors/detail, /flavors/{id}, flavor access and extra specs: thin views over
servers.flavors (validation, policy and writes live there)."""

from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.views import ComputeView
from identity.catalog import base_url
from servers.models import Flavor
from servers.services import flavors as service

from . import representation as rep


def body_object(request: Request, key: str | None = None) -> dict:
    """The JSON object body (or its `key` object); 400 in Nova's format otherwise."""
    data = request.data
    if not isinstance(data, dict) or (key is not None and not isinstance(data.get(key), dict)):
        what = f"an object with a '{key}' object" if key else "an object"
        raise exceptions.ValidationError(f"Invalid input: the request body must be {what}.")
    return data if key is None else data[key]


def limit_param(request: Request) -> int | None:
    """?limit=, capped at API_MAX_LIMIT; 400 when it is not a non-negative integer."""
    value = request.query_params.get("limit")
    if value is None:
        return None
    if not value.isdigit():
        raise exceptions.ValidationError(f"limit param must be an integer: {value}")
    return min(int(value), settings.API_MAX_LIMIT)


def flavor_query(request: Request) -> service.FlavorQuery:
    params = request.query_params
    return service.FlavorQuery(
        is_public=params.get("is_public"),
        min_ram=params.get("minRam"),
        min_disk=params.get("minDisk"),
        sort_key=params.get("sort_key", "flavorid"),
        sort_dir=params.get("sort_dir", "asc"),
        limit=limit_param(request),
        marker=params.get("marker"),
    )


def with_next_link(request: Request, body: dict, flavors: list[Flavor], path: str) -> dict:
    """Nova's `flavors_links`: a next link when an explicit limit filled the page."""
    limit = limit_param(request)
    if limit and len(flavors) == limit:
        query = request.query_params.copy()
        query["marker"] = flavors[-1].flavorid
        body["flavors_links"] = [
            {"rel": "next", "href": f"{base_url(request)}/compute/v2.1/{path}?{query.urlencode()}"}
        ]
    return body


def flavor_brief(flavor: Flavor, version: tuple[int, int], base: str) -> dict:
    body = {"id": flavor.flavorid, "name": flavor.name, "links": rep.links(base, "flavors", flavor.flavorid)}
    if version >= (2, 55):
        body["description"] = flavor.description
    return body


class FlavorsView(ComputeView):
    """GET /flavors (brief list); POST /flavors (admin create; 200)."""

    def get(self, request):
        base = base_url(request)
        flavors = list(service.list_flavors(self.caller, flavor_query(request)))
        body = {"flavors": [flavor_brief(flavor, request.api_version, base) for flavor in flavors]}
        return Response(with_next_link(request, body, flavors, "flavors"))

    def post(self, request):
        flavor = service.create_flavor(self.caller, body_object(request, "flavor"), request.api_version)
        return Response({"flavor": rep.flavor_detail(flavor, request.api_version, base_url(request))})


class FlavorsDetailView(ComputeView):
    """GET /flavors/detail (one query for the flavors, whatever their number)."""

    def get(self, request):
        base = base_url(request)
        flavors = list(service.list_flavors(self.caller, flavor_query(request)))
        body = {"flavors": [rep.flavor_detail(flavor, request.api_version, base) for flavor in flavors]}
        return Response(with_next_link(request, body, flavors, "flavors/detail"))


class FlavorView(ComputeView):
    """GET /flavors/{id}; PUT (description, ≥2.55, admin); DELETE (admin; 202)."""

    def get(self, request, flavor_id: str):
        flavor = service.get_flavor(self.caller, flavor_id)
        return Response({"flavor": rep.flavor_detail(flavor, request.api_version, base_url(request))})

    def put(self, request, flavor_id: str):
        if request.api_version < (2, 55):
            raise exceptions.NotFound("The resource could not be found.")
        flavor = service.update_description(self.caller, flavor_id, body_object(request, "flavor"))
        return Response({"flavor": rep.flavor_detail(flavor, request.api_version, base_url(request))})

    def delete(self, request, flavor_id: str):
        service.delete_flavor(self.caller, flavor_id)
        return Response(status=status.HTTP_202_ACCEPTED)


class FlavorActionView(ComputeView):
    """POST /flavors/{id}/action with addTenantAccess or removeTenantAccess."""

    def post(self, request, flavor_id: str):
        body = body_object(request)
        if len(body) != 1 or next(iter(body)) not in ("addTenantAccess", "removeTenantAccess"):
            raise exceptions.ValidationError(
                "Invalid input: the body must be {'addTenantAccess': ...} or {'removeTenantAccess': ...}."
            )
        if "addTenantAccess" in body:
            access = service.add_tenant_access(self.caller, flavor_id, body["addTenantAccess"], request.api_version)
        else:
            access = service.remove_tenant_access(self.caller, flavor_id, body["removeTenantAccess"])
        return Response({"flavor_access": access})


class FlavorAccessView(ComputeView):
    """GET /flavors/{id}/os-flavor-access (admin; 404 for a public flavor)."""

    def get(self, request, flavor_id: str):
        return Response({"flavor_access": service.access_list(self.caller, flavor_id)})


class ExtraSpecsView(ComputeView):
    """GET /flavors/{id}/os-extra_specs; POST merges (admin)."""

    def get(self, request, flavor_id: str):
        return Response({"extra_specs": service.get_flavor(self.caller, flavor_id).extra_specs})

    def post(self, request, flavor_id: str):
        specs = service.merge_extra_specs(self.caller, flavor_id, body_object(request, "extra_specs"))
        return Response({"extra_specs": specs})


class ExtraSpecView(ComputeView):
    """GET/PUT/DELETE /flavors/{id}/os-extra_specs/{key} (writes admin; DELETE 202)."""

    def get(self, request, flavor_id: str, key: str):
        return Response(service.extra_spec(self.caller, flavor_id, key))

    def put(self, request, flavor_id: str, key: str):
        return Response(service.set_extra_spec(self.caller, flavor_id, key, body_object(request)))

    def delete(self, request, flavor_id: str, key: str):
        service.delete_extra_spec(self.caller, flavor_id, key)
        return Response(status=status.HTTP_202_ACCEPTED)
