"""Allocation moves for migrations: while a server moves, its source allocation is held
under the migration's uuid, so the destination can be claimed under the server's own."""

from __future__ import annotations

from django.db import transaction

from hosts.models import Allocation


def hand_to_migration(server_uuid: str, migration_uuid: str, source_host: str | None) -> None:
    """Re-home the server's allocation on the source to the migration (idempotent)."""
    with transaction.atomic():
        if Allocation.objects.filter(consumer=migration_uuid).exists():
            return
        Allocation.objects.filter(consumer=server_uuid, compute_node__host=source_host).update(consumer=migration_uuid)


def take_back_from_migration(server_uuid: str, migration_uuid: str) -> None:
    """Give the migration's allocation (the source) back to the server (idempotent)."""
    Allocation.objects.filter(consumer=migration_uuid).update(consumer=server_uuid)
