"""CPUWeigher: prefer hosts with more free vCPUs; a negative multiplier stacks."""

from __future__ import annotations

from scheduling.capacity import FREE_VCPUS, free
from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseWeigher


class CPUWeigher(BaseWeigher):
    name = "CPUWeigher"
    multiplier_setting = "CPU_WEIGHT_MULTIPLIER"
    metadata_key = "cpu_weight_multiplier"
    order_sql = free(FREE_VCPUS)

    def raw(self, host: HostState, decision: Decision) -> float:
        return host.free_vcpus
