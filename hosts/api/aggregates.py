"""os-aggregates: list, create, show, update, delete and the add_host / remove_host /
set_metadata actions (admin only, enforced by hosts.services.aggregates). Ids are integers;
a non-integer id is 400, as in Nova."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core.bodies import unwrap
from core.exceptions import BadRequest
from core.principal import Caller
from hosts.models import Aggregate
from hosts.services import aggregates

from . import ids
from .base import HostsView
from .representation import aggregate_body

FIELDS = {"name", "availability_zone"}


class AggregatesView(HostsView):
    """GET /os-aggregates (complete entries: the client's `aggregate show` uses the list) and
    POST /os-aggregates."""

    def get(self, request: Request) -> Response:
        rows = aggregates.list_aggregates(self.caller)
        return Response({"aggregates": [aggregate_body(row, self.api_version) for row in rows]})

    def post(self, request: Request) -> Response:
        body = unwrap(request.data, "aggregate")
        unknown = set(body) - FIELDS
        if unknown:
            raise BadRequest(f"Additional properties are not allowed ({', '.join(sorted(unknown))} unexpected)")
        if "name" not in body:
            raise BadRequest("'name' is a required property")
        aggregate = aggregates.create_aggregate(self.caller, body["name"], body.get("availability_zone"))
        return Response({"aggregate": aggregate_body(aggregate, self.api_version)})


class AggregateView(HostsView):
    """GET, PUT (name and/or availability_zone) and DELETE /os-aggregates/{id}."""

    def get(self, request: Request, aggregate_id: str) -> Response:
        aggregate = aggregates.get_aggregate(self.caller, ids.aggregate_id(aggregate_id))
        return Response({"aggregate": aggregate_body(aggregate, self.api_version)})

    def put(self, request: Request, aggregate_id: str) -> Response:
        body = unwrap(request.data, "aggregate")
        if set(body) - FIELDS or not body:
            raise BadRequest("The aggregate update takes 'name' and/or 'availability_zone' only.")
        changes = aggregates.AggregateUpdate(
            rename="name" in body,
            name=body.get("name"),
            rezone="availability_zone" in body,
            availability_zone=body.get("availability_zone"),
        )
        aggregate = aggregates.update_aggregate(self.caller, ids.aggregate_id(aggregate_id), changes)
        return Response({"aggregate": aggregate_body(aggregate, self.api_version)})

    def delete(self, request: Request, aggregate_id: str) -> Response:
        aggregates.delete_aggregate(self.caller, ids.aggregate_id(aggregate_id))
        return Response(status=200)


def _argument(name: str, args: object, key: str) -> Any:
    """The one argument `key` of an action (400 unless the action's value is exactly {key})."""
    if not isinstance(args, dict) or set(args) != {key}:
        raise BadRequest(f"Invalid input for {name}: an object with '{key}' only is required.")
    return args[key]


# Each action: the service function, and the one key its argument object holds.
ACTIONS: dict[str, tuple[Callable[[Caller, int, Any], Aggregate], str]] = {
    "add_host": (aggregates.add_host, "host"),
    "remove_host": (aggregates.remove_host, "host"),
    "set_metadata": (aggregates.set_metadata, "metadata"),
}


class AggregateActionView(HostsView):
    """POST /os-aggregates/{id}/action: {"add_host": {"host"}}, {"remove_host": {"host"}},
    {"set_metadata": {"metadata": {...}}}; 200 with the aggregate."""

    def post(self, request: Request, aggregate_id: str) -> Response:
        data = request.data
        if not isinstance(data, dict) or len(data) != 1:
            raise BadRequest("The action body must be an object with exactly one action.")
        ((name, args),) = data.items()
        if name not in ACTIONS:
            raise BadRequest(f"Invalid action {name!r}: use add_host, remove_host or set_metadata.")
        operation, key = ACTIONS[name]
        argument = _argument(name, args, key)
        aggregate = operation(self.caller, ids.aggregate_id(aggregate_id), argument)
        return Response({"aggregate": aggregate_body(aggregate, self.api_version)})
