"""os-aggregates: list, create, show, update, delete and the add_host / remove_host /
set_metadata actions (admin only). Ids are integers; a non-integer id is 400, as in Nova."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.response import Response

from core.views import ComputeView
from hosts import services
from hosts.models import Aggregate
from identity.authentication import IsAdmin

from .representation import aggregate_body, body_object


class AggregatesView(ComputeView):
    """GET /os-aggregates (complete entries: the client's `aggregate show` uses the list) and
    POST /os-aggregates."""

    permission_classes = [IsAdmin]

    def get(self, request):
        rows = Aggregate.objects.prefetch_related("hosts").order_by("id")
        return Response({"aggregates": [aggregate_body(row, request.api_version) for row in rows]})

    def post(self, request):
        body = body_object(request.data, "aggregate")
        unknown = set(body) - {"name", "availability_zone"}
        if unknown:
            raise exceptions.ValidationError(
                f"Additional properties are not allowed ({', '.join(sorted(unknown))} unexpected)"
            )
        if "name" not in body:
            raise exceptions.ValidationError("'name' is a required property")
        aggregate = services.create_aggregate(body["name"], body.get("availability_zone"))
        return Response({"aggregate": aggregate_body(aggregate, request.api_version)})


class AggregateView(ComputeView):
    """GET, PUT (name and/or availability_zone) and DELETE /os-aggregates/{id}."""

    permission_classes = [IsAdmin]

    def get(self, request, aggregate_id: str):
        aggregate = services.get_aggregate(aggregate_id)
        return Response({"aggregate": aggregate_body(aggregate, request.api_version)})

    def put(self, request, aggregate_id: str):
        body = body_object(request.data, "aggregate")
        unknown = set(body) - {"name", "availability_zone"}
        if unknown or not body:
            raise exceptions.ValidationError("The aggregate update takes 'name' and/or 'availability_zone' only.")
        aggregate = services.update_aggregate(services.get_aggregate(aggregate_id), body)
        return Response({"aggregate": aggregate_body(aggregate, request.api_version)})

    def delete(self, request, aggregate_id: str):
        services.delete_aggregate(services.get_aggregate(aggregate_id))
        return Response(status=200)


class AggregateActionView(ComputeView):
    """POST /os-aggregates/{id}/action: {"add_host": {"host"}}, {"remove_host": {"host"}},
    {"set_metadata": {"metadata": {...}}}; 200 with the aggregate."""

    permission_classes = [IsAdmin]

    def post(self, request, aggregate_id: str):
        data = request.data
        if not isinstance(data, dict) or len(data) != 1:
            raise exceptions.ValidationError("The action body must be an object with exactly one action.")
        ((name, args),) = data.items()
        aggregate = services.get_aggregate(aggregate_id)
        if name in ("add_host", "remove_host"):
            if not isinstance(args, dict) or set(args) != {"host"}:
                raise exceptions.ValidationError(f"Invalid input for {name}: an object with 'host' only is required.")
            operation = services.add_host if name == "add_host" else services.remove_host
            aggregate = operation(aggregate, args["host"])
        elif name == "set_metadata":
            if not isinstance(args, dict) or set(args) != {"metadata"}:
                raise exceptions.ValidationError(
                    "Invalid input for set_metadata: an object with 'metadata' only is required."
                )
            aggregate = services.set_metadata(aggregate, args["metadata"])
        else:
            raise exceptions.ValidationError(f"Invalid action {name!r}: use add_host, remove_host or set_metadata.")
        return Response({"aggregate": aggregate_body(aggregate, request.api_version)})
