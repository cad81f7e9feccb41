"""RAMWeigher: prefer hosts with more free RAM (spreading); a negative multiplier stacks."""

from __future__ import annotations

from scheduling.capacity import FREE_RAM_MB, free
from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseWeigher


class RAMWeigher(BaseWeigher):
    name = "RAMWeigher"
    multiplier_setting = "RAM_WEIGHT_MULTIPLIER"
    metadata_key = "ram_weight_multiplier"
    order_sql = free(FREE_RAM_MB)

    def raw(self, host: HostState, decision: Decision) -> float:
        return host.free_ram_mb
