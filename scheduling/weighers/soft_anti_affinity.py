"""ServerGroupSoftAntiAffinityWeigher: for a `soft-anti-affinity` group, prefer hosts with
fewer of the group's servers (counting this decision's own picks); never rejects a host."""

from __future__ import annotations

from .soft_affinity import ServerGroupSoftAffinityWeigher


class ServerGroupSoftAntiAffinityWeigher(ServerGroupSoftAffinityWeigher):
    name = "ServerGroupSoftAntiAffinityWeigher"
    multiplier_setting = "SOFT_ANTI_AFFINITY_WEIGHT_MULTIPLIER"
    metadata_key = "soft_anti_affinity_weight_multiplier"
    policy = "soft-anti-affinity"
    sign = -1.0
