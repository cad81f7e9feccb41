"""DiskWeigher: prefer hosts with more free disk; a negative multiplier stacks."""

from __future__ import annotations

from scheduling.capacity import FREE_DISK_GB, free
from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseWeigher


class DiskWeigher(BaseWeigher):
    name = "DiskWeigher"
    multiplier_setting = "DISK_WEIGHT_MULTIPLIER"
    metadata_key = "disk_weight_multiplier"
    order_sql = free(FREE_DISK_GB)

    def raw(self, host: HostState, decision: Decision) -> float:
        return host.free_disk_gb
