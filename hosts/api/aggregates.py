"""os-aggregates: list, create, show, update, delete and the add_host / remove_host /
set_metadata actions (admin only, enforced by hosts.services.aggregates), with the bodies
Nova's schemas accept (nova/api/openstack/compute/schemas/aggregates.py). Ids are integers:
one that is not is 400, one no aggregate has is 404, as in Nova. The create answer has no
hosts or metadata; the others have both, and the uuid from 2.41."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.bodies import unwrap
from core.exceptions import BadRequest
from core.principal import Caller
from hosts.models import Aggregate
from hosts.services import aggregates

from . import ids, names
from . import openapi as doc
from .base import HostsView
from .representation import aggregate_body

FIELDS = {"name", "availability_zone"}


def aggregate_envelope(body: object) -> dict[str, Any]:
    """`{"aggregate": {...}}` with nothing beside it and no field but name and zone."""
    inner = unwrap(body, "aggregate")
    assert isinstance(body, dict)  # unwrap refused anything else
    if set(body) != {"aggregate"}:
        raise names.unexpected(set(body) - {"aggregate"})
    if set(inner) - FIELDS:
        raise names.unexpected(set(inner) - FIELDS)
    return inner


class AggregatesView(HostsView):
    """GET /os-aggregates (complete entries: the client's `aggregate show` uses the list) and
    POST /os-aggregates (200, as Nova)."""

    openapi = {"get": doc.AGGREGATE_LIST, "post": doc.AGGREGATE_CREATE}

    def get(self, request: Request) -> Response:
        self.strict_query(mv.QUERY_PARAMS_RESTRICTED)
        rows = aggregates.list_aggregates(self.caller)
        return Response({"aggregates": [aggregate_body(row, self.api_version) for row in rows]})

    def post(self, request: Request) -> Response:
        body = aggregate_envelope(request.data)
        if "name" not in body:
            raise BadRequest("'name' is a required property")
        name = names.name("name", body["name"])
        zone = names.zone("availability_zone", body.get("availability_zone"))
        aggregate = aggregates.create_aggregate(self.caller, name, zone)
        return Response({"aggregate": aggregate_body(aggregate, self.api_version, members=False)})


class AggregateView(HostsView):
    """GET, PUT (name and/or availability_zone) and DELETE /os-aggregates/{id}."""

    openapi = {"get": doc.AGGREGATE_SHOW, "put": doc.AGGREGATE_UPDATE, "delete": doc.AGGREGATE_DELETE}

    def get(self, request: Request, aggregate_id: str) -> Response:
        self.strict_query(mv.QUERY_PARAMS_RESTRICTED)
        aggregate = aggregates.get_aggregate(self.caller, ids.aggregate_id(aggregate_id))
        return Response({"aggregate": aggregate_body(aggregate, self.api_version)})

    def put(self, request: Request, aggregate_id: str) -> Response:
        body = aggregate_envelope(request.data)
        if not body:
            raise BadRequest("The aggregate update takes 'name' and/or 'availability_zone'.")
        changes = aggregates.AggregateUpdate(
            rename="name" in body,
            name=names.spaced_name("name", body["name"]) if "name" in body else None,
            rezone="availability_zone" in body,
            availability_zone=names.zone("availability_zone", body.get("availability_zone")),
        )
        aggregate = aggregates.update_aggregate(self.caller, ids.aggregate_id(aggregate_id), changes)
        return Response({"aggregate": aggregate_body(aggregate, self.api_version)})

    def delete(self, request: Request, aggregate_id: str) -> Response:
        aggregates.delete_aggregate(self.caller, ids.aggregate_id(aggregate_id))
        return Response(status=200)


def _argument(name: str, args: object, key: str) -> Any:
    """The one argument `key` of an action (400 unless the action's value is exactly {key})."""
    if not isinstance(args, dict):
        raise BadRequest(f"Invalid input for field/attribute {name}: it must be an object.")
    if key not in args:
        raise BadRequest(f"'{key}' is a required property")
    if set(args) != {key}:
        raise names.unexpected(set(args) - {key})
    return args[key]


# Each action: the service function, the one key its argument object holds, and its format.
ACTIONS: dict[str, tuple[Callable[[Caller, int, Any], Aggregate], str, Callable[[str, object], Any]]] = {
    "add_host": (aggregates.add_host, "host", names.host),
    "remove_host": (aggregates.remove_host, "host", names.host),
    "set_metadata": (aggregates.set_metadata, "metadata", names.metadata),
}


class AggregateActionView(HostsView):
    """POST /os-aggregates/{id}/action: {"add_host": {"host"}}, {"remove_host": {"host"}},
    {"set_metadata": {"metadata": {...}}}; 200 with the aggregate."""

    openapi = {"post": doc.AGGREGATE_ACTION}

    def post(self, request: Request, aggregate_id: str) -> Response:
        data = request.data
        if not isinstance(data, dict) or len(data) != 1:
            raise BadRequest("The action body must be an object with exactly one action.")
        ((name, args),) = data.items()
        if name not in ACTIONS:
            raise BadRequest(f"There is no such action: {name}")
        operation, key, parse = ACTIONS[name]
        argument = parse(key, _argument(name, args, key))
        aggregate = operation(self.caller, ids.aggregate_id(aggregate_id), argument)
        return Response({"aggregate": aggregate_body(aggregate, self.api_version)})
