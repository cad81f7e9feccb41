"""os-migrations (admin): every migration, with the filters host, status, migration_type,
instance_uuid, source_compute (and user_id/project_id from 2.80). From 2.59: limit/marker
paging (marker: a migration uuid), changes-since, and `uuid` in the body; changes-before from
2.66; from 2.23 `migration_type` and, for live migrations in progress, `links`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.response import Response

from core import microversions as mv
from core.microversions import Microversion
from core.params import parse_int
from core.timestamps import micro
from core.views import ComputeView
from identity.catalog import base_url
from servers.models import Migration
from servers.services import migrations
from servers.services.migrations import MigrationQuery

from . import openapi_server_parts as doc
from .validation.common import time_param

LIVE_IN_PROGRESS = ("queued", "preparing", "running", "post-migrating")
BAD_QUERY = "Invalid input for query parameters {name}. Value: {value}."


def _limit(request) -> int:
    limit = parse_int(
        request.query_params.get("limit", settings.API_MAX_LIMIT),
        "limit",
        minimum=0,
        message=BAD_QUERY,
        below_minimum=BAD_QUERY,
    )
    return min(limit, settings.API_MAX_LIMIT)


def migration_query(request, version: Microversion) -> MigrationQuery:
    """The filters a version knows (user_id and project_id from 2.80) and, from 2.59, paging
    and changes-since (changes-before from 2.66)."""
    params = request.query_params
    owner, paging = version >= mv.MIGRATION_OWNER, version >= mv.MIGRATION_PAGING
    return MigrationQuery(
        host=params.get("host"),
        status=params.get("status"),
        migration_type=params.get("migration_type"),
        source_compute=params.get("source_compute"),
        instance_uuid=params.get("instance_uuid"),
        user_id=params.get("user_id") if owner else None,
        project_id=params.get("project_id") if owner else None,
        changes_since=time_param(request, "changes-since", BAD_QUERY) if paging else None,
        changes_before=time_param(request, "changes-before", BAD_QUERY) if version >= mv.CHANGES_BEFORE else None,
        marker=params.get("marker") if paging else None,
        limit=_limit(request) if paging else None,
    )


def migration_body(
    migration: Migration, version: Microversion, base: str, flavor_pks: dict[str, int], *, show_hosts: bool = True
) -> dict[str, Any]:
    """One migration; its host fields null for a caller the policy does not show hosts to."""
    old, new = migration.old_flavor or {}, migration.new_flavor or {}
    hosts = ("source_node", "dest_node", "source_compute", "dest_compute", "dest_host")
    body: dict[str, Any] = {
        "id": migration.pk,
        **{name: getattr(migration, name) if show_hosts else None for name in hosts},
        "status": migration.status,
        "instance_uuid": str(migration.server.uuid),
        "old_instance_type_id": flavor_pks.get(old.get("flavorid", "")),
        "new_instance_type_id": flavor_pks.get(new.get("flavorid", "")),
        "created_at": micro(migration.created_at),
        "updated_at": micro(migration.updated_at),
    }
    if version >= mv.MIGRATION_ID_TYPE:
        body["migration_type"] = migration.migration_type
        if migration.migration_type == "live-migration" and migration.status in LIVE_IN_PROGRESS:
            path = f"servers/{migration.server.uuid}/migrations/{migration.pk}"
            body["links"] = [
                {"rel": "self", "href": f"{base}/compute/v2.1/{path}"},
                {"rel": "bookmark", "href": f"{base}/compute/{path}"},
            ]
    if version >= mv.MIGRATION_PAGING:
        body["uuid"] = str(migration.uuid)
    if version >= mv.MIGRATION_OWNER:
        body["user_id"] = migration.user_id or None
        body["project_id"] = migration.project_id or None
    return body


class MigrationsView(ComputeView):
    """GET /os-migrations."""

    openapi = {"get": doc.MIGRATION_LIST}

    def get(self, request) -> Response:
        query = migration_query(request, request.api_version)
        rows = migrations.list_migrations(self.caller, query)
        flavor_pks = migrations.flavor_ids(rows)
        base = base_url(request)
        show_hosts = migrations.shows_hosts(self.caller)
        body: dict[str, Any] = {
            "migrations": [
                migration_body(m, request.api_version, base, flavor_pks, show_hosts=show_hosts) for m in rows
            ]
        }
        if query.limit is not None and rows and len(rows) == query.limit:
            next_query = request.query_params.copy()
            next_query["marker"] = str(rows[-1].uuid)
            body["migrations_links"] = [
                {"rel": "next", "href": f"{base}/compute/v2.1/os-migrations?{next_query.urlencode()}"}
            ]
        return Response(body)
