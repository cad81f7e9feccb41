"""CPUWeigher: prefer hosts with more free vCPUs; a negative multiplier stacks."""

from __future__ import annotations

from scheduling.capacity import FREE_VCPUS, free

from .base import BaseWeigher


class CPUWeigher(BaseWeigher):
    name = "CPUWeigher"
    multiplier_setting = "CPU_WEIGHT_MULTIPLIER"
    metadata_key = "cpu_weight_multiplier"
    order_sql = free(FREE_VCPUS)

    def raw(self, host, decision) -> float:
        return host.free_vcpus
