"""SameHostFilter: with the `same_host` scheduler hint (server uuids), only a host that has one
of those servers."""

from __future__ import annotations

from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import NOTHING, BaseFilter, Sql, in_list


class SameHostFilter(BaseFilter):
    name = "SameHostFilter"

    def sql(self, decision: Decision) -> Sql | None:
        hosts = decision.same_host
        if hosts is None:
            return None
        return in_list("n.host", hosts) if hosts else NOTHING  # the servers are nowhere (yet)

    def why(self, host: HostState, decision: Decision) -> str:
        return f"the same_host servers are on {', '.join(sorted(decision.same_host or ())) or 'no host'}"
