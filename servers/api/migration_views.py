"""In-progress live migrations of a server: list, show, abort (DELETE), force_complete."""

from __future__ import annotations

from rest_framework import exceptions, status
from rest_framework.response import Response

from core.views import ComputeView
from identity.authentication import IsAdmin
from servers.models import Migration
from servers.services import lookup, moves

from .representation import iso


def migration_body(migration: Migration) -> dict:
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
        "created_at": iso(migration.created_at),
        "updated_at": iso(migration.updated_at),
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
    permission_classes = [IsAdmin]

    def get(self, request, server_id: str):
        server = lookup.get_server(self.caller, server_id)
        rows = (
            server.migrations.filter(migration_type="live-migration")
            .exclude(status__in=("completed", "failed", "error", "cancelled"))
            .select_related("server")
        )
        return Response({"migrations": [migration_body(row) for row in rows]})


class ServerMigrationView(ComputeView):
    permission_classes = [IsAdmin]

    def get(self, request, server_id: str, migration_id: str):
        server = lookup.get_server(self.caller, server_id)
        return Response({"migration": migration_body(moves.in_progress_migration(server, migration_id))})

    def delete(self, request, server_id: str, migration_id: str):
        server = lookup.get_server(self.caller, server_id)
        moves.abort_live_migration(self.caller, server, migration_id)
        return Response(status=status.HTTP_202_ACCEPTED)


class ServerMigrationActionView(ComputeView):
    permission_classes = [IsAdmin]

    def post(self, request, server_id: str, migration_id: str):
        if not isinstance(request.data, dict) or "force_complete" not in request.data:
            raise exceptions.ValidationError("The only migration action is force_complete.")
        server = lookup.get_server(self.caller, server_id)
        moves.force_complete_live_migration(self.caller, server, migration_id)
        return Response(status=status.HTTP_202_ACCEPTED)
