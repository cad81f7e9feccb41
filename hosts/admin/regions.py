"""Regions, as Keystone creates, re-parents and deletes them (hosts.services.regions)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.principal import Caller
from novasite.admin_support import ServiceLayerAdmin

from ..models import Region
from ..services import regions


@admin.register(Region)
class RegionAdmin(ServiceLayerAdmin[Region]):
    service = "/identity"  # Keystone owns regions
    list_display = ("id", "parent", "description")
    list_select_related = ("parent",)
    search_fields = ("id", "description")
    ordering = ("id",)

    def get_readonly_fields(self, request: HttpRequest, obj: Region | None = None) -> tuple[str, ...]:
        """The id is the region's name: set once (editing a primary key would copy the row)."""
        return ("id",) if obj else ()

    def service_create(self, caller: Caller, form: Any) -> Region:
        data = form.cleaned_data
        parent = data.get("parent")
        return regions.create_region(
            caller, data["id"], description=data.get("description", ""), parent_id=parent.pk if parent else None
        )

    def service_update(self, caller: Caller, obj: Region, form: Any) -> Region:
        return regions.update_region(caller, obj.pk, description=obj.description, parent_id=obj.parent_id)

    def service_delete(self, caller: Caller, obj: Region) -> None:
        regions.delete_region(caller, obj.pk)
