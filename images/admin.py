"""Admin for images. Status, size and checksums belong to the upload workflow; deleting goes
through images.store (file removed, row tombstoned, protected images kept)."""

from __future__ import annotations

from django.contrib import admin, messages

from . import store
from .models import Image


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "id",
        "status",
        "visibility",
        "owner",
        "disk_format",
        "container_format",
        "size",
        "protected",
        "created_at",
    )
    list_filter = ("status", "visibility", "disk_format", "protected")
    search_fields = ("name", "=id", "owner")
    ordering = ("-created_at", "id")
    readonly_fields = (
        "id",
        "status",
        "size",
        "virtual_size",
        "checksum",
        "os_hash_algo",
        "os_hash_value",
        "created_at",
        "updated_at",
    )

    def delete_model(self, request, obj: Image) -> None:
        if not store.delete_image(obj):
            messages.warning(request, f"Image {obj.id} is protected and was kept.")

    def delete_queryset(self, request, queryset) -> None:
        kept = [str(image.id) for image in queryset if not store.delete_image(image)]
        if kept:
            messages.warning(request, f"Protected images kept: {', '.join(kept)}")
