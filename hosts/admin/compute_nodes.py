"""Compute nodes and their allocations. A node's totals come from its compute worker's reports
and its usage from claims; only its allocation ratios and reserved amounts are the
operator's (hosts.services.hypervisors.update_inventory). Nodes appear when a worker reports
and go with their Service record; allocations are the claims' alone.

The list shows, for each node, its usage against the capacity claims enforce (total x ratio -
reserved: scheduling.capacity's expression, computed by the list's one query through
hosts.usage), its running servers, its service's state and last heartbeat, and a link to the
"why not this host?" page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

from core.principal import Caller
from novasite.admin_support import ReadOnlyMixin, ServiceLayerAdmin
from novasite.bars import bar

from ..heartbeats import service_state
from ..models import Allocation, ComputeNode
from ..services import hypervisors
from ..usage import with_usage
from ..zones import zone_of_mirror
from .service_records import state_badge, state_title
from .why_not import why_not_view


def server_list_url(host: str) -> str:
    """The server list, filtered to the servers on ``host``."""
    return f"{reverse('admin:servers_server_changelist')}?{urlencode({'host': host, 'deleted__exact': '0'})}"


def why_not_url(host: str = "") -> str:
    """The "why not this host?" page, for ``host`` when given."""
    page = reverse("admin:hosts_computenode_why_not")
    return f"{page}?{urlencode({'host': host})}" if host else page


@admin.register(ComputeNode)
class ComputeNodeAdmin(ServiceLayerAdmin[ComputeNode]):
    """Totals come from the compute worker's reports and usage from claims; only allocation
    ratios and reserved amounts are the operator's. Nodes appear when a worker reports and
    go with their Service record."""

    list_display = (
        "host",
        "zone",
        "state",
        "last_heartbeat",
        "vcpus_usage",
        "memory_usage",
        "disk_usage",
        "running_servers",
        "load_percent",
        "why_not",
    )
    list_filter = ("availability_zone", "service__disabled", "hypervisor_type")
    list_select_related = ("service",)
    list_display_links = ("host",)
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[ComputeNode]:
        """Each node with its capacities and load, computed by the database."""
        return with_usage(super().get_queryset(request))

    def get_urls(self) -> list[URLPattern]:
        page = path(
            "why-not/",
            self.admin_site.admin_view(lambda request: why_not_view(self, request)),
            name="hosts_computenode_why_not",
        )
        return [page, *super().get_urls()]

    # --- columns ----------------------------------------------------------------------------

    @admin.display(description="zone", ordering="availability_zone")
    def zone(self, obj: ComputeNode) -> str:
        return zone_of_mirror(obj.availability_zone)

    @admin.display(description="state")
    def state(self, obj: ComputeNode) -> SafeString:
        if obj.service is None:
            return state_badge("down", "no service record")
        return state_badge(service_state(obj.service), state_title(obj.service))

    @admin.display(description="last heartbeat", ordering="service__last_seen_up")
    def last_heartbeat(self, obj: ComputeNode) -> SafeString | str:
        """How long ago the host's service reported (the instant as a tooltip)."""
        last = obj.service.last_seen_up if obj.service else None
        if last is None:
            return "never"
        return format_html('<span title="{}">{} ago</span>', last.isoformat(timespec="seconds"), timesince(last))

    @admin.display(description="vCPUs used / capacity", ordering="vcpus_used")
    def vcpus_usage(self, obj: Any) -> SafeString:
        return bar(obj.vcpus_used, obj.capacity_vcpus)

    @admin.display(description="RAM MB", ordering="memory_mb_used")
    def memory_usage(self, obj: Any) -> SafeString:
        return bar(obj.memory_mb_used, obj.capacity_memory_mb)

    @admin.display(description="disk GB", ordering="local_gb_used")
    def disk_usage(self, obj: Any) -> SafeString:
        return bar(obj.local_gb_used, obj.capacity_disk_gb)

    @admin.display(description="servers", ordering="running_vms")
    def running_servers(self, obj: ComputeNode) -> SafeString:
        return format_html('<a href="{}">{}</a>', server_list_url(obj.host), obj.running_vms)

    @admin.display(description="load", ordering="load")
    def load_percent(self, obj: Any) -> str:
        return f"{round(100 * obj.load)}%"

    @admin.display(description="")
    def why_not(self, obj: ComputeNode) -> SafeString:
        return format_html('<a href="{}">why not?</a>', why_not_url(obj.host))

    # --- writes -----------------------------------------------------------------------------

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

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(request, {"why_not_url": why_not_url(), **(extra_context or {})})


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Allocations are made and released only by claims and workflows."""

    list_display = ("consumer", "compute_node", "vcpus", "memory_mb", "disk_gb", "project_id", "user_id", "created_at")
    list_select_related = ("compute_node",)
    search_fields = ("consumer", "compute_node__host", "project_id", "user_id")
    ordering = ("-created_at",)
