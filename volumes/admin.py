"""Admin for volumes. Status, size, file and attachment belong to volumes.store: they are
read-only here, deleting goes through the store (file removed, refused while attached), and
the one repair is the store's reset_status (to available or error)."""

from __future__ import annotations

from django.contrib import admin, messages

from core.exceptions import ServiceError

from . import store
from .models import Volume


@admin.register(Volume)
class VolumeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "id",
        "status",
        "size",
        "project_id",
        "bootable",
        "attached_server_uuid",
        "file_format",
        "created_at",
    )
    list_filter = ("status", "bootable", "volume_type", "availability_zone", "file_format")
    search_fields = ("name", "=id", "project_id", "user_id", "=attached_server_uuid")
    ordering = ("-created_at", "-id")
    readonly_fields = (
        "id",
        "status",
        "size",
        "project_id",
        "user_id",
        "error_message",
        "bootable",
        "source_image_id",
        "image_metadata",
        "file_format",
        "attached_server_uuid",
        "attached_at",
        "created_at",
        "updated_at",
    )
    actions = ("reset_to_available", "reset_to_error")

    def has_add_permission(self, request) -> bool:
        # A row without its file would be a lie: volumes are created through the API.
        return False

    def delete_model(self, request, obj: Volume) -> None:
        try:
            store.delete_volume(obj)
        except ServiceError as exc:
            messages.error(request, str(exc))

    def delete_queryset(self, request, queryset) -> None:
        for volume in queryset:
            self.delete_model(request, volume)

    def _reset(self, request, queryset, status: str) -> None:
        for volume in queryset:
            store.reset_status(volume, status)
        messages.info(request, f"{queryset.count()} volume(s) reset to {status}.")

    @admin.action(description="Reset status to available (forgets any attachment)")
    def reset_to_available(self, request, queryset) -> None:
        self._reset(request, queryset, "available")

    @admin.action(description="Reset status to error")
    def reset_to_error(self, request, queryset) -> None:
        self._reset(request, queryset, "error")
