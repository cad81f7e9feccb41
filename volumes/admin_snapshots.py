"""Admin for volume snapshots: read-only (list, filter, search, detail). Snapshots are taken,
renamed and deleted through the Cinder API (volumes.snapshots), where the quota, the volume's
status rule and the file copy apply; a row written here would have no file behind it."""

from __future__ import annotations

from django.contrib import admin

from novasite.admin_support import ReadOnlyMixin

from .models import Snapshot


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "id", "status", "size", "volume", "project_id", "progress", "file_format", "created_at")
    list_filter = ("status", "file_format")
    list_select_related = ("volume",)
    search_fields = ("name", "=id", "=volume__id", "volume__name", "project_id", "user_id")
    ordering = ("-created_at", "-id")
    readonly_fields = (
        "id",
        "volume",
        "name",
        "description",
        "status",
        "size",
        "progress",
        "error_message",
        "file_format",
        "metadata",
        "project_id",
        "user_id",
        "created_at",
        "updated_at",
    )
