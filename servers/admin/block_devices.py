"""Block device mappings in the operator console: what each server was created with, read
only (the create and the build write them)."""

from __future__ import annotations

from django.contrib import admin

from novasite.admin_support import ReadOnlyMixin

from ..models import BlockDeviceMapping


@admin.register(BlockDeviceMapping)
class BlockDeviceMappingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Mappings change only through create and the build workflow."""

    list_display = (
        "server",
        "source_type",
        "destination_type",
        "boot_index",
        "volume_id",
        "volume_size",
        "device_name",
        "delete_on_termination",
    )
    list_filter = ("source_type", "destination_type")
    search_fields = ("=volume_id", "=image_id", "server__name", "=server__uuid")
    list_select_related = ("server",)
