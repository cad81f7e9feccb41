"""ServerGroupSoftAffinityWeigher: for a `soft-affinity` group, prefer hosts with more of the
group's servers (counting this decision's own picks); never rejects a host."""

from __future__ import annotations

from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseWeigher


class ServerGroupSoftAffinityWeigher(BaseWeigher):
    name = "ServerGroupSoftAffinityWeigher"
    multiplier_setting = "SOFT_AFFINITY_WEIGHT_MULTIPLIER"
    metadata_key = "soft_affinity_weight_multiplier"
    policy = "soft-affinity"
    sign = 1.0

    def active(self, decision: Decision) -> bool:
        return decision.group is not None and decision.group.policy == self.policy and super().active(decision)

    def raw(self, host: HostState, decision: Decision) -> float:
        return self.sign * decision.group_counts()[host.host]
