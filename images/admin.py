"""Admin for images. Status, size and checksums belong to the upload workflow."""
from __future__ import annotations

from django.contrib import admin

from .models import Image


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = (
        "name", "id", "status", "visibility", "owner", "disk_format", "container_format",
        "size", "protected", "created_at",
    )
    list_filter = ("status", "visibility", "disk_format", "protected")
    search_fields = ("name", "=id", "owner")
    ordering = ("-created_at", "id")
    readonly_fields = (
        "id", "status", "size", "checksum", "os_hash_algo", "os_hash_value", "created_at", "updated_at",
    )
