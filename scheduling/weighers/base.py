"""The weigher interface: a weigher returns one raw number per host; normalisation to [0, 1]
and the multiplier are applied once, here."""
from __future__ import annotations

from hosts.models import ComputeNode
from scheduling.request import RequestSpec


class BaseWeigher:
    """Higher raw values are better when the multiplier is positive."""

    name = "BaseWeigher"
    multiplier_setting = ""

    def raw(self, node: ComputeNode, spec: RequestSpec) -> float:
        raise NotImplementedError


def normalise(values: list[float]) -> list[float]:
    """Scale to [0, 1]; all-equal values become 0 (they cannot tell hosts apart)."""
    if not values:
        return []
    low, high = min(values), max(values)
    if high == low:
        return [0.0] * len(values)
    return [(value - low) / (high - low) for value in values]
