"""Admin for networks, subnets, ports and network quota overrides. Port addresses and bindings belong to IPAM and the
server workflows, so ports are created through the network API, not here."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import Network, NetworkQuota, Port, Subnet

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class SubnetCount(TypedDict):
    subnet_count: int


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "id",
        "project_id",
        "shared",
        "external",
        "admin_state_up",
        "status",
        "mtu",
        "subnet_count",
    )
    list_filter = ("shared", "external", "admin_state_up", "status")
    search_fields = ("name", "=id", "project_id", "description")
    ordering = ("name", "id")
    readonly_fields = ("id", "created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(subnet_count=Count("subnets"))

    @admin.display(description="subnets", ordering="subnet_count")
    def subnet_count(self, obj: WithAnnotations[Network, SubnetCount]) -> int:
        return obj.subnet_count


@admin.register(Subnet)
class SubnetAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "network", "cidr", "gateway_ip", "enable_dhcp", "project_id")
    list_filter = ("enable_dhcp", "ip_version")
    list_select_related = ("network",)
    search_fields = ("name", "=id", "cidr", "network__name", "project_id")
    ordering = ("network__name", "cidr")
    readonly_fields = ("id", "created_at", "updated_at")


@admin.register(Port)
class PortAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "name",
        "network",
        "mac_address",
        "addresses",
        "device_id",
        "device_owner",
        "status",
        "admin_state_up",
    )
    list_filter = ("status", "admin_state_up", "device_owner")
    list_select_related = ("network",)
    search_fields = ("=id", "name", "mac_address", "device_id", "project_id", "network__name")
    ordering = ("-created_at", "id")
    readonly_fields = (
        "id",
        "network",
        "mac_address",
        "fixed_ips",
        "device_id",
        "device_owner",
        "status",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="fixed IPs")
    def addresses(self, obj: Port) -> str:
        return ", ".join(ip.get("ip_address", "") for ip in obj.fixed_ips or [])


@admin.register(NetworkQuota)
class NetworkQuotaAdmin(admin.ModelAdmin):
    """Per-project Neutron quota overrides (what PUT /network/v2.0/quotas/{project} stores)."""

    list_display = ("project_id", "limits", "updated_at")
    search_fields = ("=project_id",)
    ordering = ("project_id",)
    readonly_fields = ("updated_at",)
