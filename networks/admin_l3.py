"""Read-only admin listings of routers and floating IPs: the operator sees what projects
made through the L3 API (gateway, interfaces, associations); changes go through that API,
whose rules (gateways, interfaces, reachability) the service layer keeps."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count
from django.http import HttpRequest

from .models import FloatingIP, Port, Router
from .services.routers import INTERFACE_OWNER


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listing and detail pages only: no add, change or delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RouterChangeList(ChangeList):
    """The routers' page, with each router's interface count read in one query for the page
    (interfaces are ports whose device_id is the router's id, as text)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        ids = [str(router.pk) for router in self.result_list]
        counts = dict(
            Port.objects.filter(device_owner=INTERFACE_OWNER, device_id__in=ids)
            .order_by()
            .values("device_id")
            .annotate(count=Count("id"))
            .values_list("device_id", "count")
        )
        for router in self.result_list:
            router.interface_count = counts.get(str(router.pk), 0)


@admin.register(Router)
class RouterAdmin(ReadOnlyAdmin):
    list_display = ("name", "id", "project_id", "status", "admin_state_up", "gateway", "interfaces", "created_at")
    list_filter = ("status", "admin_state_up")
    list_select_related = ("gateway_port__network",)
    search_fields = ("name", "=id", "project_id")
    ordering = ("project_id", "name")

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return RouterChangeList

    @admin.display(description="external gateway")
    def gateway(self, router: Router) -> str:
        port = router.gateway_port
        if port is None:
            return "-"
        addresses = ", ".join(entry["ip_address"] for entry in port.fixed_ips)
        return f"{port.network.name or port.network_id} ({addresses})"

    @admin.display(description="interfaces")
    def interfaces(self, router: Router) -> int:
        return getattr(router, "interface_count", 0)


@admin.register(FloatingIP)
class FloatingIPAdmin(ReadOnlyAdmin):
    list_display = (
        "floating_ip_address",
        "id",
        "project_id",
        "floating_network",
        "fixed_ip_address",
        "port",
        "router",
        "status",
    )
    list_select_related = ("floating_network", "port", "router")
    search_fields = ("floating_ip_address", "=id", "project_id", "fixed_ip_address")
    ordering = ("floating_network__name", "floating_ip_address")

    @admin.display(description="status")
    def status(self, fip: FloatingIP) -> str:
        return "ACTIVE" if fip.port_id else "DOWN"
