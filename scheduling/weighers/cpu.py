"""CPUWeigher: prefer hosts with more free vCPUs."""
from __future__ import annotations

from hosts.models import ComputeNode
from scheduling.request import RequestSpec

from .base import BaseWeigher


class CPUWeigher(BaseWeigher):
    name = "CPUWeigher"
    multiplier_setting = "CPU_WEIGHT_MULTIPLIER"

    def raw(self, node: ComputeNode, spec: RequestSpec) -> float:
        return node.vcpus_capacity - node.vcpus_used
