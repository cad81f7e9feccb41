"""os-migrations (admin): every migration, with the filters host, status, migration_type,
instance_uuid, source_compute (and user_id/project_id from 2.80). From 2.59: limit/marker
paging (marker: a migration uuid), changes-since, and `uuid` in the body; changes-before from
2.66; from 2.23 `migration_type` and, for live migrations in progress, `links`."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from rest_framework import exceptions
from rest_framework.response import Response

from core.ids import is_uuid
from core.views import ComputeView
from identity.authentication import IsAdmin
from identity.catalog import base_url
from servers.models import Flavor, Migration

from .representation import iso_usec

LIVE_IN_PROGRESS = ("queued", "preparing", "running", "post-migrating")


def _time_param(request, name: str) -> datetime | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        moment = parse_datetime(value.replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None:
        raise exceptions.ValidationError(f"Invalid input for query parameters {name}. Value: {value}.")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _limit(request) -> int:
    value = request.query_params.get("limit")
    if value is None:
        return settings.API_MAX_LIMIT
    if not value.isascii() or not value.isdigit():
        raise exceptions.ValidationError(f"Invalid input for query parameters limit. Value: {value}.")
    return min(int(value), settings.API_MAX_LIMIT)


def filtered(request) -> QuerySet:
    """The migrations matching the request's filters, newest first."""
    params, version = request.query_params, request.api_version
    rows = Migration.objects.select_related("server").order_by("-created_at", "-id")
    if params.get("host"):
        rows = rows.filter(Q(source_compute=params["host"]) | Q(dest_compute=params["host"]))
    for name in ("status", "migration_type", "source_compute"):
        if params.get(name):
            rows = rows.filter(**{name: params[name]})
    if params.get("instance_uuid"):
        if not is_uuid(params["instance_uuid"]):
            return rows.none()
        rows = rows.filter(server__uuid=params["instance_uuid"])
    if version >= (2, 80):
        for name in ("user_id", "project_id"):
            if params.get(name):
                rows = rows.filter(**{name: params[name]})
    if version >= (2, 59):
        since = _time_param(request, "changes-since")
        if since is not None:
            rows = rows.filter(updated_at__gte=since)
    if version >= (2, 66):
        before = _time_param(request, "changes-before")
        if before is not None:
            rows = rows.filter(updated_at__lte=before)
    return rows


def page(request, rows: QuerySet) -> tuple[list[Migration], int | None]:
    """Apply marker and limit (2.59+); returns the page and the limit used (None: no paging)."""
    if request.api_version < (2, 59):
        return list(rows), None
    marker = request.query_params.get("marker")
    if marker:
        anchor = Migration.objects.filter(uuid=marker).first() if is_uuid(marker) else None
        if anchor is None:
            raise exceptions.ValidationError(f"Marker {marker} could not be found.")
        rows = rows.filter(Q(created_at__lt=anchor.created_at) | Q(created_at=anchor.created_at, id__lt=anchor.pk))
    limit = _limit(request)
    return list(rows[:limit]), limit


def migration_body(migration: Migration, version: tuple[int, int], base: str, flavor_pks: dict[str, int]) -> dict:
    old, new = migration.old_flavor or {}, migration.new_flavor or {}
    body = {
        "id": migration.pk,
        "source_node": migration.source_node,
        "dest_node": migration.dest_node,
        "source_compute": migration.source_compute,
        "dest_compute": migration.dest_compute,
        "dest_host": migration.dest_host,
        "status": migration.status,
        "instance_uuid": str(migration.server.uuid),
        "old_instance_type_id": flavor_pks.get(old.get("flavorid")),
        "new_instance_type_id": flavor_pks.get(new.get("flavorid")),
        "created_at": iso_usec(migration.created_at),
        "updated_at": iso_usec(migration.updated_at),
    }
    if version >= (2, 23):
        body["migration_type"] = migration.migration_type
        if migration.migration_type == "live-migration" and migration.status in LIVE_IN_PROGRESS:
            path = f"servers/{migration.server.uuid}/migrations/{migration.pk}"
            body["links"] = [
                {"rel": "self", "href": f"{base}/compute/v2.1/{path}"},
                {"rel": "bookmark", "href": f"{base}/compute/{path}"},
            ]
    if version >= (2, 59):
        body["uuid"] = str(migration.uuid)
    if version >= (2, 80):
        body["user_id"] = migration.user_id or None
        body["project_id"] = migration.project_id or None
    return body


class MigrationsView(ComputeView):
    """GET /os-migrations."""

    permission_classes = [IsAdmin]

    def get(self, request):
        rows, limit = page(request, filtered(request))
        wanted = {(m.old_flavor or {}).get("flavorid") for m in rows} | {
            (m.new_flavor or {}).get("flavorid") for m in rows
        }
        wanted.discard(None)
        flavor_pks = dict(Flavor.objects.filter(flavorid__in=wanted).values_list("flavorid", "id")) if wanted else {}
        base = base_url(request)
        body = {"migrations": [migration_body(m, request.api_version, base, flavor_pks) for m in rows]}
        if limit is not None and rows and len(rows) == limit:
            query = request.query_params.copy()
            query["marker"] = str(rows[-1].uuid)
            body["migrations_links"] = [
                {"rel": "next", "href": f"{base}/compute/v2.1/os-migrations?{query.urlencode()}"}
            ]
        return Response(body)
