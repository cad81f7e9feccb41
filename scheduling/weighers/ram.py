"""RAMWeigher: prefer hosts with more free RAM (spreading); a negative multiplier stacks."""
from __future__ import annotations

from hosts.models import ComputeNode
from scheduling.request import RequestSpec

from .base import BaseWeigher


class RAMWeigher(BaseWeigher):
    name = "RAMWeigher"
    multiplier_setting = "RAM_WEIGHT_MULTIPLIER"

    def raw(self, node: ComputeNode, spec: RequestSpec) -> float:
        return node.memory_mb_capacity - node.memory_mb_used
