"""A read-only listing of the addresses ports hold (IPAM's allocation table): the operator
sees which port holds which address of which subnet; ports are made and deleted through the
port pages and the API, which keep this table."""

from __future__ import annotations

import ipaddress

from django.contrib import admin

from .admin_l3 import ReadOnlyAdmin
from .models import IPAllocation


@admin.register(IPAllocation)
class IPAllocationAdmin(ReadOnlyAdmin):
    list_display = ("ip_address", "subnet", "port", "device")
    list_select_related = ("subnet", "port")
    search_fields = ("=port__id", "=subnet__id", "subnet__cidr", "port__device_id")
    ordering = ("subnet", "address")

    @admin.display(description="IP address", ordering="address")
    def ip_address(self, row: IPAllocation) -> str:
        return str(ipaddress.IPv4Address(row.address))

    @admin.display(description="device")
    def device(self, row: IPAllocation) -> str:
        return row.port.device_id or "-"
