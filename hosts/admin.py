"""Admin for hosts: regions, aggregates and their hosts, Nova's Service records, compute nodes
and (read-only) allocations. Every write is a hosts.services call (novasite.admin_support);
the rules a row must satisfy are its model's clean(), which the forms run first.

Service records appear when a worker reports (operators disable, fence or delete them);
compute nodes come and go with their service (operators set ratios and reserves);
allocations are the claims' alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from core.principal import Caller
from novasite.admin_support import ReadOnlyMixin, ServiceLayerAdmin, ServiceLayerInline

from .heartbeats import is_up
from .models import ZONE_KEY, Aggregate, AggregateHost, Allocation, ComputeNode, Region, Service
from .services import aggregates, hypervisors, regions, service_records
from .zones import zones_by_host


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

    list_display = ("name", "availability_zone", "host_count", "created_at")
    list_filter = ("availability_zone",)
    search_fields = ("name", "availability_zone", "hosts__host")
    ordering = ("name",)
    readonly_fields = ("uuid", "availability_zone", "created_at", "updated_at")
    inlines = (AggregateHostInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Aggregate]:
        return super().get_queryset(request).annotate(host_count=Count("hosts"))

    @admin.display(description="hosts", ordering="host_count")
    def host_count(self, obj: Any) -> int:
        count: int = obj.host_count
        return count

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


def zone_column() -> Callable[[Service], str]:
    """A "zone" column for one changelist: zones_by_host() runs once, on the first compute row."""
    cache: list[dict[str, str]] = []

    @admin.display(description="zone")
    def zone(obj: Service) -> str:
        if obj.binary != "nova-compute":
            return settings.INTERNAL_SERVICE_AVAILABILITY_ZONE
        if not cache:
            cache.append(zones_by_host())
        return cache[0].get(obj.host, settings.DEFAULT_AVAILABILITY_ZONE)

    return zone


@admin.register(Service)
class ServiceRecordAdmin(ServiceLayerAdmin[Service]):
    """Up/down is derived from the heartbeat; operators disable, force down or delete
    (os-services), and records appear only when a worker reports."""

    list_display = (
        "host",
        "binary",
        "state",
        "zone",
        "disabled",
        "disabled_reason",
        "forced_down",
        "last_seen_up",
        "report_count",
        "version",
    )
    list_filter = ("binary", "disabled", "forced_down")
    search_fields = ("host", "binary", "disabled_reason")
    ordering = ("host", "binary")
    readonly_fields = (
        "uuid",
        "host",
        "binary",
        "topic",
        "state",
        "last_seen_up",
        "report_count",
        "version",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_list_display(self, request: HttpRequest) -> Any:
        """Swap the "zone" name for a per-request column that caches the zone map."""
        return tuple(zone_column() if name == "zone" else name for name in self.list_display)

    @admin.display(description="state")
    def state(self, obj: Service) -> str:
        return "up" if is_up(obj) else "down"

    @admin.display(description="zone")
    def zone(self, obj: Service) -> str:
        """Fallback for callers of list_display itself (one query per row)."""
        return zone_column()(obj)

    def service_update(self, caller: Caller, obj: Service, form: Any) -> Service:
        """As PUT /os-services/{id}: a status change (enabling clears the reason), a new reason
        (only with a disable), fencing."""
        changed = set(form.changed_data)
        return service_records.update_service(
            caller,
            obj.pk,
            enabled=not obj.disabled if {"disabled", "disabled_reason"} & changed else None,
            disabled_reason=(obj.disabled_reason or None) if "disabled_reason" in changed else None,
            forced_down=obj.forced_down if "forced_down" in changed else None,
        )

    def service_delete(self, caller: Caller, obj: Service) -> None:
        service_records.delete_service(caller, obj.pk)


@admin.register(ComputeNode)
class ComputeNodeAdmin(ServiceLayerAdmin[ComputeNode]):
    """Totals come from the compute worker's reports and usage from claims; only allocation
    ratios and reserved amounts are the operator's. Nodes appear when a worker reports and
    go with their Service record."""

    list_display = (
        "hypervisor_hostname",
        "host",
        "hypervisor_type",
        "vcpus_usage",
        "memory_usage",
        "disk_usage",
        "running_vms",
        "cpu_allocation_ratio",
        "ram_allocation_ratio",
        "disk_allocation_ratio",
        "service",
    )
    list_filter = ("hypervisor_type",)
    list_select_related = ("service",)
    search_fields = ("hypervisor_hostname", "host", "host_ip")
    ordering = ("host",)
    readonly_fields = (
        "uuid",
        "host",
        "service",
        "hypervisor_hostname",
        "hypervisor_type",
        "hypervisor_version",
        "host_ip",
        "cpu_info",
        "migration_uri",
        "capabilities",
        "vcpus",
        "memory_mb",
        "local_gb",
        "vcpus_used",
        "memory_mb_used",
        "local_gb_used",
        "running_vms",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ComputeNode | None = None) -> bool:
        return False

    @admin.display(description="vCPUs used / total")
    def vcpus_usage(self, obj: ComputeNode) -> str:
        return f"{obj.vcpus_used} / {obj.vcpus}"

    @admin.display(description="RAM MB used / total")
    def memory_usage(self, obj: ComputeNode) -> str:
        return f"{obj.memory_mb_used} / {obj.memory_mb}"

    @admin.display(description="disk GB used / total")
    def disk_usage(self, obj: ComputeNode) -> str:
        return f"{obj.local_gb_used} / {obj.local_gb}"

    def service_update(self, caller: Caller, obj: ComputeNode, form: Any) -> ComputeNode:
        inventory = hypervisors.NodeInventory(
            cpu_allocation_ratio=obj.cpu_allocation_ratio,
            ram_allocation_ratio=obj.ram_allocation_ratio,
            disk_allocation_ratio=obj.disk_allocation_ratio,
            reserved_host_cpus=obj.reserved_host_cpus,
            reserved_host_memory_mb=obj.reserved_host_memory_mb,
            reserved_host_disk_mb=obj.reserved_host_disk_mb,
        )
        return hypervisors.update_inventory(caller, obj.pk, inventory)


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Allocations are made and released only by claims and workflows."""

    list_display = ("consumer", "compute_node", "vcpus", "memory_mb", "disk_gb", "project_id", "user_id", "created_at")
    list_select_related = ("compute_node",)
    search_fields = ("consumer", "compute_node__host", "project_id", "user_id")
    ordering = ("-created_at",)
