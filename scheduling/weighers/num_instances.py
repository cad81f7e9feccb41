"""NumInstancesWeigher: weigh by the number of instances on the host. A positive multiplier
packs (more instances is better), a negative one spreads; Nova's default is 0 (off)."""

from __future__ import annotations

from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseWeigher


class NumInstancesWeigher(BaseWeigher):
    name = "NumInstancesWeigher"
    multiplier_setting = "NUM_INSTANCES_WEIGHT_MULTIPLIER"
    metadata_key = "num_instances_weight_multiplier"

    def raw(self, host: HostState, decision: Decision) -> float:
        return host.running_vms
