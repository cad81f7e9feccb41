"""The weigher interface: a weigher returns one raw number per host; normalisation to [0, 1]
over the candidates and the multiplier are applied once, by the scheduler.

The multiplier is a setting (`multiplier_setting`), overridable per host by the metadata key
`metadata_key` of its aggregates (the smallest valid value wins, as in Nova).

`order_sql`, when set, is a SQL expression (alias `n`) that orders hosts as `raw` does and
that an index covers: the candidate query walks that index (descending for a positive
multiplier, ascending for a negative one) to return only the top candidates by this weigher,
instead of reading every host.

`column_sql`, when set, is a SQL expression (alias `n`, no parameters) the candidate query
returns for each candidate as `host.extras[name]`, sparing a query of its own.
"""

from __future__ import annotations

from django.conf import settings

from scheduling.context import Decision
from scheduling.host_state import HostState


class BaseWeigher:
    """Higher raw values are better when the multiplier is positive."""

    name = "BaseWeigher"
    multiplier_setting = ""
    metadata_key = ""
    order_sql: str | None = None
    column_sql: str | None = None

    def default_multiplier(self) -> float:
        return float(getattr(settings, self.multiplier_setting, 1.0))

    def active(self, decision: Decision) -> bool:
        """Whether this weigher can change the ranking of this request at all."""
        return self.default_multiplier() != 0 or decision.overridden(self.metadata_key)

    def raw(self, host: HostState, decision: Decision) -> float:
        raise NotImplementedError


def normalise(values: list[float]) -> list[float]:
    """Scale to [0, 1]; all-equal values become 0 (they cannot tell hosts apart)."""
    if not values:
        return []
    low, high = min(values), max(values)
    if high == low:
        return [0.0] * len(values)
    return [(value - low) / (high - low) for value in values]
