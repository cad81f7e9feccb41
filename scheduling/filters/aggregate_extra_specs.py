"""AggregateInstanceExtraSpecsFilter: a flavor's extra specs scoped
`aggregate_instance_extra_specs:` (or unscoped) must be matched by the metadata of one of the
host's aggregates (Nova's operators apply: "<in> ssd", ">= 2", "<or> a <or> b"...).

Aggregates are few: the matching aggregates are found in Python once per decision, and the
database keeps the hosts that are members of one of them for every requirement.
"""

from __future__ import annotations

from hosts.models import AggregateHost
from scheduling.aggregates import split_values
from scheduling.context import Decision
from scheduling.extra_specs_ops import match
from scheduling.host_state import HostState

from .base import NOTHING, BaseFilter, Sql, member_of

SCOPE = "aggregate_instance_extra_specs"


def requirements(extra_specs: dict[str, str]) -> dict[str, str]:
    """The extra specs this filter enforces, by metadata key."""
    wanted = {}
    for key, requirement in extra_specs.items():
        scope = key.split(":", 1)
        if len(scope) > 1:
            if scope[0] != SCOPE:
                continue  # another filter's (or the hypervisor's) business
            key = scope[1]
        wanted[key] = requirement
    return wanted


class AggregateInstanceExtraSpecsFilter(BaseFilter):
    name = "AggregateInstanceExtraSpecsFilter"

    def matching_aggregates(self, decision: Decision, key: str, requirement: str) -> set[int]:
        return {
            pk
            for pk, metadata in decision.aggregates.items()
            if key in metadata and any(match(value, requirement) for value in split_values(metadata[key]))
        }

    def sql(self, decision: Decision) -> Sql | None:
        wanted = requirements(decision.extra_specs)
        if not wanted:
            return None
        parts = []
        for key, requirement in sorted(wanted.items()):
            aggregates = self.matching_aggregates(decision, key, requirement)
            if not aggregates:
                return NOTHING
            parts.append(member_of(aggregates))
        return Sql(" AND ".join(p.text for p in parts), tuple(v for p in parts for v in p.params))

    def why(self, host: HostState, decision: Decision) -> str:
        mine = set(AggregateHost.objects.filter(host=host.host).values_list("aggregate_id", flat=True))
        unmet = []
        for key, requirement in sorted(requirements(decision.extra_specs).items()):
            if not mine & self.matching_aggregates(decision, key, requirement):
                values = sorted(
                    v for pk in mine for v in split_values(decision.aggregates.get(pk, {}).get(key, "")) if v
                )
                unmet.append(f"{key}={requirement!r} not met by its aggregates ({', '.join(values) or 'key not set'})")
        return "; ".join(unmet)
