"""In-progress live migrations of a server: list, show, abort (DELETE), force_complete.
Thin views over servers.services.moves, which checks the os_compute_api:servers:migrations
rules."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response

from core.exceptions import BadRequest
from core.timestamps import seconds_z
from core.views import ComputeView
from servers.models import Migration
from servers.services import lookup, moves


def migration_body(migration: Migration) -> dict[str, Any]:
    return {
        "id": migration.pk,
        "uuid": str(migration.uuid),
        "server_uuid": str(migration.server.uuid),
        "status": migration.status,
        "source_compute": migration.source_compute,
        "source_node": migration.source_node,
        "dest_compute": migration.dest_compute,
        "dest_node": migration.dest_node,
        "dest_host": migration.dest_host,
        "created_at": seconds_z(migration.created_at),
        "updated_at": seconds_z(migration.updated_at),
        "memory_total_bytes": None,
        "memory_processed_bytes": None,
        "memory_remaining_bytes": None,
        "disk_total_bytes": None,
        "disk_processed_bytes": None,
        "disk_remaining_bytes": None,
        "user_id": migration.user_id,
        "project_id": migration.project_id,
    }


class ServerMigrationsView(ComputeView):
    """GET /servers/{id}/migrations."""

    def get(self, request, server_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        return Response({"migrations": [migration_body(row) for row in moves.live_migrations(self.caller, server)]})


class ServerMigrationView(ComputeView):
    """GET and DELETE (abort; 202) /servers/{id}/migrations/{migration}."""

    def get(self, request, server_id: str, migration_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        return Response({"migration": migration_body(moves.live_migration(self.caller, server, migration_id))})

    def delete(self, request, server_id: str, migration_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        moves.abort_live_migration(self.caller, server, migration_id)
        return Response(status=status.HTTP_202_ACCEPTED)


class ServerMigrationActionView(ComputeView):
    """POST /servers/{id}/migrations/{migration}/action with force_complete (202)."""

    def post(self, request, server_id: str, migration_id: str) -> Response:
        if not isinstance(request.data, dict) or "force_complete" not in request.data:
            raise BadRequest("The only migration action is force_complete.")
        server = lookup.get_server(self.caller, server_id)
        moves.force_complete_live_migration(self.caller, server, migration_id)
        return Response(status=status.HTTP_202_ACCEPTED)
