"""In-progress live migrations of a server: list, show, abort (DELETE), force_complete.
Thin views over servers.services.moves, which checks the os_compute_api:servers:migrations
rules."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response

from core import microversions as mv
from core.exceptions import BadRequest
from core.microversions import Microversion
from core.timestamps import seconds_z
from core.views import ComputeView
from hosts.api.base import refuse_unknown_query
from servers.models import Migration
from servers.services import lookup, moves

from . import openapi_server_parts as doc


def migration_body(migration: Migration, version: Microversion, *, show_hosts: bool) -> dict[str, Any]:
    """A live migration in progress: ``uuid`` from 2.59, its owner from 2.80; the host fields
    are always there but null for a caller the policy does not show hosts to (a project
    manager), as Nova's."""
    hosts = ("source_compute", "source_node", "dest_compute", "dest_node", "dest_host")
    body: dict[str, Any] = {
        "id": migration.pk,
        "server_uuid": str(migration.server.uuid),
        "status": migration.status,
        **{name: getattr(migration, name) if show_hosts else None for name in hosts},
        "created_at": seconds_z(migration.created_at),
        "updated_at": seconds_z(migration.updated_at),
        "memory_total_bytes": None,
        "memory_processed_bytes": None,
        "memory_remaining_bytes": None,
        "disk_total_bytes": None,
        "disk_processed_bytes": None,
        "disk_remaining_bytes": None,
    }
    if version >= mv.MIGRATION_PAGING:
        body["uuid"] = str(migration.uuid)
    if version >= mv.MIGRATION_OWNER:
        body["user_id"] = migration.user_id
        body["project_id"] = migration.project_id
    return body


def strict_from_2_102(request) -> None:
    """From 2.102 these reads take no query parameter."""
    if request.api_version >= mv.QUERY_PARAMS_RESTRICTED:
        refuse_unknown_query(request, ())


class ServerMigrationsView(ComputeView):
    """GET /servers/{id}/migrations."""

    openapi = {"get": doc.SERVER_MIGRATION_LIST}

    def get(self, request, server_id: str) -> Response:
        strict_from_2_102(request)
        server = lookup.get_server(self.caller, server_id)
        rows = moves.live_migrations(self.caller, server)
        show_hosts = moves.shows_live_migration_hosts(self.caller)
        return Response(
            {"migrations": [migration_body(row, request.api_version, show_hosts=show_hosts) for row in rows]}
        )


class ServerMigrationView(ComputeView):
    """GET and DELETE (abort; 202) /servers/{id}/migrations/{migration}."""

    openapi = {"get": doc.SERVER_MIGRATION_SHOW, "delete": doc.SERVER_MIGRATION_ABORT}

    def get(self, request, server_id: str, migration_id: str) -> Response:
        strict_from_2_102(request)
        server = lookup.get_server(self.caller, server_id)
        migration = moves.live_migration(self.caller, server, migration_id)
        return Response({"migration": migration_body(migration, request.api_version, show_hosts=True)})

    def delete(self, request, server_id: str, migration_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        moves.abort_live_migration(self.caller, server, migration_id)
        return Response(status=status.HTTP_202_ACCEPTED)


class ServerMigrationActionView(ComputeView):
    """POST /servers/{id}/migrations/{migration}/action with force_complete (202)."""

    openapi = {"post": doc.SERVER_MIGRATION_ACTION}

    def post(self, request, server_id: str, migration_id: str) -> Response:
        if not isinstance(request.data, dict) or "force_complete" not in request.data:
            raise BadRequest("The only migration action is force_complete.")
        server = lookup.get_server(self.caller, server_id)
        moves.force_complete_live_migration(self.caller, server, migration_id)
        return Response(status=status.HTTP_202_ACCEPTED)
