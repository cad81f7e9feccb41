"""Migrations: records of moves (resize, cold and live migration, evacuation)."""

from __future__ import annotations

import uuid

from django.db import models


class Migration(models.Model):
    """A move of a server between hosts. While it is in flight the source allocation is held
    under this migration's uuid as consumer."""

    TYPES = ("migration", "resize", "live-migration", "evacuation")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    server = models.ForeignKey("servers.Server", on_delete=models.CASCADE, related_name="migrations")
    migration_type = models.CharField(max_length=32, choices=[(t, t) for t in TYPES])
    status = models.CharField(max_length=32, default="accepted", db_index=True)
    source_compute = models.CharField(max_length=255, null=True, blank=True)
    source_node = models.CharField(max_length=255, null=True, blank=True)
    dest_compute = models.CharField(max_length=255, null=True, blank=True)
    dest_node = models.CharField(max_length=255, null=True, blank=True)
    dest_host = models.CharField(max_length=255, null=True, blank=True)
    old_flavor = models.JSONField(null=True, blank=True)
    new_flavor = models.JSONField(null=True, blank=True)
    project_id = models.CharField(max_length=64, blank=True, default="")
    user_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # GET /os-migrations pages newest first (core.paging) on this index.
        indexes = [models.Index(fields=["created_at", "id"], name="migration_created_idx")]

    def __str__(self) -> str:
        return f"{self.migration_type} {self.uuid} ({self.status})"
