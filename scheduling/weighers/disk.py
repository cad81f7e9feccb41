"""DiskWeigher: prefer hosts with more free disk."""
from __future__ import annotations

from hosts.models import ComputeNode
from scheduling.request import RequestSpec

from .base import BaseWeigher


class DiskWeigher(BaseWeigher):
    name = "DiskWeigher"
    multiplier_setting = "DISK_WEIGHT_MULTIPLIER"

    def raw(self, node: ComputeNode, spec: RequestSpec) -> float:
        return node.local_gb_capacity - node.local_gb_used
