"""Admin for images, written as a Glance client would: an add is POST /v2/images (a queued
record, the data comes through the API), a change is the JSON-patch document PATCH would
send, a delete is DELETE (the data goes, the row stays as a tombstone, a protected image is
refused). Each goes through the image API's own readers (images.api.validation) and
images.services, so the admin refuses what Glance refuses in its words. Status, size and
checksums belong to the upload workflow and are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from core.exceptions import BadRequest
from core.principal import Caller
from novasite.admin_support import ServiceLayerAdmin

from . import services
from .api import validation
from .models import Image

#: The core attributes the form edits, by their Glance names (the model's).
ATTRIBUTES = (
    "name",
    "visibility",
    "owner",
    "disk_format",
    "container_format",
    "min_disk",
    "min_ram",
    "protected",
    "tags",
)


def attribute(form: Any, name: str) -> Any:
    """A core attribute as a Glance body carries it: an empty text is null."""
    value = form.cleaned_data.get(name)
    return None if value == "" else value


def pointer(key: str) -> str:
    """The JSON pointer of an attribute (RFC 6901 escapes)."""
    return "/" + key.replace("~", "~0").replace("/", "~1")


def patch_document(form: Any, old_properties: dict[str, str], new_properties: object) -> list[dict[str, Any]]:
    """The JSON-patch PATCH /v2/images/{id} would send for what the operator changed."""
    document = [
        {"op": "replace", "path": pointer(name), "value": attribute(form, name)}
        for name in ATTRIBUTES
        if name in form.changed_data
    ]
    if "properties" in form.changed_data:
        if not isinstance(new_properties, dict):
            raise BadRequest("Invalid value for properties: expected an object.")
        for key, value in new_properties.items():
            if old_properties.get(key) != value:
                document.append(
                    {"op": "replace" if key in old_properties else "add", "path": pointer(key), "value": value}
                )
        document += [{"op": "remove", "path": pointer(key)} for key in old_properties if key not in new_properties]
    return document


@admin.register(Image)
class ImageAdmin(ServiceLayerAdmin[Image]):
    service = "/image"
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

    def service_create(self, caller: Caller, form: Any) -> Image:
        """POST /v2/images: the attributes, and the additional properties beside them."""
        properties = form.cleaned_data.get("properties") or {}
        if not isinstance(properties, dict):
            raise BadRequest("Invalid value for properties: expected an object.")
        body = {**properties, **{name: attribute(form, name) for name in ATTRIBUTES}}
        return services.create_image(caller, validation.new_image(body))

    def service_update(self, caller: Caller, obj: Image, form: Any) -> Image:
        document = patch_document(form, form.initial.get("properties") or {}, obj.properties)
        return services.update_image(caller, str(obj.pk), validation.patch_operations(document))

    def service_delete(self, caller: Caller, obj: Image) -> None:
        services.delete_image(caller, str(obj.pk))
