"""Admin for the service catalog: regions, services and endpoints, written through
identity.services (regions, catalog_services, endpoints) with Keystone's rules."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.principal import Caller
from novasite.admin_support import ServiceLayerAdmin

from .models import CatalogService, Endpoint, Region
from .services import catalog_services, endpoints, regions


@admin.register(Region)
class RegionAdmin(ServiceLayerAdmin[Region]):
    service = "/identity"
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


@admin.register(CatalogService)
class CatalogServiceAdmin(ServiceLayerAdmin[CatalogService]):
    service = "/identity"
    list_display = ("name", "type", "id", "enabled")
    list_filter = ("enabled", "type")
    search_fields = ("name", "type", "id")
    fields = ("type", "name", "description", "enabled")

    def service_create(self, caller: Caller, form: Any) -> CatalogService:
        data = form.cleaned_data
        return catalog_services.create_service(
            caller, data["type"], name=data["name"], description=data["description"], enabled=data["enabled"]
        )

    def service_update(self, caller: Caller, obj: CatalogService, form: Any) -> CatalogService:
        return catalog_services.update_service(
            caller, obj.pk, service_type=obj.type, name=obj.name, description=obj.description, enabled=obj.enabled
        )

    def service_delete(self, caller: Caller, obj: CatalogService) -> None:
        catalog_services.delete_service(caller, obj.pk)


@admin.register(Endpoint)
class EndpointAdmin(ServiceLayerAdmin[Endpoint]):
    service = "/identity"
    list_display = ("id", "service", "interface", "region", "url", "enabled")
    list_select_related = ("service", "region")
    list_filter = ("interface", "region", "enabled")
    search_fields = ("id", "url", "service__type", "service__name")
    fields = ("service", "interface", "region", "url", "enabled")

    def service_create(self, caller: Caller, form: Any) -> Endpoint:
        data = form.cleaned_data
        region = data.get("region")
        return endpoints.create_endpoint(
            caller,
            data["service"].pk,
            data["interface"],
            data["url"],
            region_id=region.pk if region else None,
            enabled=data["enabled"],
        )

    def service_update(self, caller: Caller, obj: Endpoint, form: Any) -> Endpoint:
        return endpoints.update_endpoint(
            caller,
            obj.pk,
            service_id=obj.service_id,
            interface=obj.interface,
            url=obj.url,
            region_id=obj.region_id,
            enabled=obj.enabled,
        )

    def service_delete(self, caller: Caller, obj: Endpoint) -> None:
        endpoints.delete_endpoint(caller, obj.pk)
