"""Admin for hosts: regions, aggregates, services, compute nodes and (read-only) allocations."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .heartbeats import is_up
from .models import Aggregate, AggregateHost, Allocation, ComputeNode, Region, Service
from .zones import zones_by_host


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("id", "parent", "description")
    list_select_related = ("parent",)
    search_fields = ("id", "description")
    ordering = ("id",)

    def get_readonly_fields(self, request: HttpRequest, obj: Region | None = None) -> Sequence[str]:
        """The id is the region's name: set once (editing a primary key would copy the row)."""
        return ("id",) if obj else ()


class AggregateHostInline(admin.TabularInline):
    model = AggregateHost
    extra = 1


@admin.register(Aggregate)
class AggregateAdmin(admin.ModelAdmin):
    """`availability_zone` is derived from metadata["availability_zone"] in Aggregate.save."""

    list_display = ("name", "availability_zone", "host_count", "created_at")
    list_filter = ("availability_zone",)
    search_fields = ("name", "availability_zone", "hosts__host")
    ordering = ("name",)
    readonly_fields = ("uuid", "availability_zone", "created_at", "updated_at")
    inlines = (AggregateHostInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(host_count=Count("hosts"))

    @admin.display(description="hosts", ordering="host_count")
    def host_count(self, obj: Aggregate) -> int:
        return obj.host_count


@admin.register(AggregateHost)
class AggregateHostAdmin(admin.ModelAdmin):
    list_display = ("host", "aggregate", "zone")
    list_filter = ("aggregate__availability_zone",)
    list_select_related = ("aggregate",)
    search_fields = ("host", "aggregate__name")
    ordering = ("host", "aggregate__name")

    @admin.display(description="availability zone", ordering="aggregate__availability_zone")
    def zone(self, obj: AggregateHost) -> str | None:
        return obj.aggregate.availability_zone


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
class ServiceAdmin(admin.ModelAdmin):
    """Up/down is derived from the heartbeat; operators disable or force down."""

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
    readonly_fields = ("uuid", "state", "last_seen_up", "report_count", "version", "created_at", "updated_at")

    def get_list_display(self, request: HttpRequest) -> Sequence:
        """Swap the "zone" name for a per-request column that caches the zone map."""
        return tuple(zone_column() if name == "zone" else name for name in self.list_display)

    @admin.display(description="state")
    def state(self, obj: Service) -> str:
        return "up" if is_up(obj) else "down"

    @admin.display(description="zone")
    def zone(self, obj: Service) -> str:
        """Fallback for callers of list_display itself (one query per row)."""
        return zone_column()(obj)


@admin.register(ComputeNode)
class ComputeNodeAdmin(admin.ModelAdmin):
    """Totals come from the compute worker's reports and usage from claims; only allocation
    ratios and reserved amounts are the operator's. Nodes appear when a worker reports."""

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

    @admin.display(description="vCPUs used / total")
    def vcpus_usage(self, obj: ComputeNode) -> str:
        return f"{obj.vcpus_used} / {obj.vcpus}"

    @admin.display(description="RAM MB used / total")
    def memory_usage(self, obj: ComputeNode) -> str:
        return f"{obj.memory_mb_used} / {obj.memory_mb}"

    @admin.display(description="disk GB used / total")
    def disk_usage(self, obj: ComputeNode) -> str:
        return f"{obj.local_gb_used} / {obj.local_gb}"


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    """Allocations are made and released only by claims and workflows."""

    list_display = ("consumer", "compute_node", "vcpus", "memory_mb", "disk_gb", "project_id", "user_id", "created_at")
    list_select_related = ("compute_node",)
    search_fields = ("consumer", "compute_node__host", "project_id", "user_id")
    ordering = ("-created_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Allocation | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Allocation | None = None) -> bool:
        return False
