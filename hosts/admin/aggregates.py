"""Aggregates: their name, metadata (the key ``availability_zone`` makes one a zone) and host
membership, changed as os-aggregates changes them (hosts.services.aggregates): a zone change
under servers, a host in two zones or an unknown host is refused in Nova's words."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from core.principal import Caller
from novasite.admin_support import ServiceLayerAdmin, ServiceLayerInline

from ..models import ZONE_KEY, Aggregate, AggregateHost
from ..services import aggregates


class AggregateHostInline(ServiceLayerInline[AggregateHost, Aggregate]):
    model = AggregateHost
    extra = 1

    def service_add(self, caller: Caller, parent: Aggregate, row: AggregateHost) -> AggregateHost:
        aggregates.add_host(caller, parent.pk, row.host)
        return AggregateHost.objects.get(aggregate=parent, host=row.host)

    def service_remove(self, caller: Caller, parent: Aggregate, row: AggregateHost) -> None:
        aggregates.remove_host(caller, parent.pk, row.host)


def metadata_changes(old: dict[str, str], new: dict[str, str]) -> dict[str, str | None]:
    """set_metadata's argument turning ``old`` into ``new`` (None deletes a key)."""
    changes: dict[str, str | None] = {key: value for key, value in new.items() if old.get(key) != value}
    changes.update({key: None for key in old if key not in new})
    return changes


@admin.register(Aggregate)
class AggregateAdmin(ServiceLayerAdmin[Aggregate]):
    """`availability_zone` is derived from metadata["availability_zone"] in Aggregate.save."""

    list_display = ("name", "region", "availability_zone", "host_count", "other_metadata", "created_at")
    list_filter = ("availability_zone",)
    search_fields = ("name", "availability_zone", "hosts__host")
    ordering = ("name",)
    readonly_fields = ("uuid", "availability_zone", "created_at", "updated_at")
    inlines = (AggregateHostInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Aggregate]:
        return super().get_queryset(request).annotate(host_count=Count("hosts"))

    @admin.display(description="region")
    def region(self, obj: Aggregate) -> str:
        """The region this control plane serves: every aggregate in its database is one of
        that region's (ARCHITECTURE.md, "Regions")."""
        return str(settings.REGION_NAME)

    @admin.display(description="hosts", ordering="host_count")
    def host_count(self, obj: Any) -> int:
        count: int = obj.host_count
        return count

    @admin.display(description="metadata")
    def other_metadata(self, obj: Aggregate) -> str:
        """The metadata besides the zone (ratio overrides, properties filters match)."""
        return ", ".join(f"{key}={value}" for key, value in sorted((obj.metadata or {}).items()) if key != ZONE_KEY)

    def service_create(self, caller: Caller, form: Any) -> Aggregate:
        metadata = dict(form.cleaned_data.get("metadata") or {})
        aggregate = aggregates.create_aggregate(caller, form.cleaned_data["name"], metadata.pop(ZONE_KEY, None))
        return aggregates.set_metadata(caller, aggregate.pk, metadata) if metadata else aggregate

    def service_update(self, caller: Caller, obj: Aggregate, form: Any) -> Aggregate:
        if "name" in form.changed_data:
            aggregates.update_aggregate(caller, obj.pk, aggregates.AggregateUpdate(rename=True, name=obj.name))
        changes = metadata_changes(form.initial.get("metadata") or {}, obj.metadata or {})
        return aggregates.set_metadata(caller, obj.pk, changes) if changes else aggregates.get_aggregate(caller, obj.pk)

    def service_delete(self, caller: Caller, obj: Aggregate) -> None:
        aggregates.delete_aggregate(caller, obj.pk)


@admin.register(AggregateHost)
class AggregateHostAdmin(ServiceLayerAdmin[AggregateHost]):
    """A membership is added or removed (add_host, remove_host), never edited."""

    list_display = ("host", "aggregate", "zone")
    list_filter = ("aggregate__availability_zone",)
    list_select_related = ("aggregate",)
    search_fields = ("host", "aggregate__name")
    ordering = ("host", "aggregate__name")

    def has_change_permission(self, request: HttpRequest, obj: AggregateHost | None = None) -> bool:
        return False

    @admin.display(description="availability zone", ordering="aggregate__availability_zone")
    def zone(self, obj: AggregateHost) -> str | None:
        return obj.aggregate.availability_zone

    def service_create(self, caller: Caller, form: Any) -> AggregateHost:
        aggregate, host = form.cleaned_data["aggregate"], form.cleaned_data["host"]
        aggregates.add_host(caller, aggregate.pk, host)
        return AggregateHost.objects.get(aggregate=aggregate, host=host)

    def service_delete(self, caller: Caller, obj: AggregateHost) -> None:
        aggregates.remove_host(caller, obj.aggregate_id, obj.host)
