"""Admin for volumes, written as a Cinder client would: a change is PUT /volumes/{id} (name,
description, metadata: the same body reader, volumes.api.validation), a delete is DELETE
(refused while attached or busy), and the one repair is os-reset_status (to available or
error), each through volumes.services. Status, size, file and attachment belong to
volumes.store and are read-only; volumes are created through the API (a row without its file
would be a lie)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.principal import Caller
from novasite.admin_support import ServiceLayerAdmin

from . import (
    admin_snapshots,  # noqa: F401 (registers SnapshotAdmin: Django discovers admin.py only)
    services,
)
from .api import validation
from .models import Volume

EDITABLE = ("name", "description", "metadata")


@admin.register(Volume)
class VolumeAdmin(ServiceLayerAdmin[Volume]):
    service = "/volume"
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
        "volume_type",
        "availability_zone",
        "file_format",
        "attached_server_uuid",
        "attached_at",
        "created_at",
        "updated_at",
    )
    actions = ("reset_to_available", "reset_to_error")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def service_update(self, caller: Caller, obj: Volume, form: Any) -> Volume:
        body = {name: form.cleaned_data[name] for name in EDITABLE if name in form.changed_data}
        if not body:
            return obj
        return services.update_volume(caller, obj, validation.volume_changes({"volume": body}))

    def service_delete(self, caller: Caller, obj: Volume) -> None:
        services.delete_volume(caller, obj)

    def _reset(self, request: HttpRequest, queryset: QuerySet[Volume], status: str) -> None:
        def reset(caller: Caller, volume: Volume) -> None:
            services.reset_status(caller, volume, status)

        done = self.each_through_service(request, list(queryset), reset)
        if done:
            self.message_user(request, f"{done} volume(s) reset to {status}.", messages.INFO)

    @admin.action(description="Reset status to available (forgets any attachment)")
    def reset_to_available(self, request: HttpRequest, queryset: QuerySet[Volume]) -> None:
        self._reset(request, queryset, "available")

    @admin.action(description="Reset status to error")
    def reset_to_error(self, request: HttpRequest, queryset: QuerySet[Volume]) -> None:
        self._reset(request, queryset, "error")
