"""IgnoreHostsFilter: never the hosts a request excludes (e.g. a move's source host)."""

from __future__ import annotations

from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseFilter, Sql, in_list


class IgnoreHostsFilter(BaseFilter):
    name = "IgnoreHostsFilter"

    def sql(self, decision: Decision) -> Sql | None:
        hosts = [h for h in decision.spec.ignore_hosts if h]
        return in_list("n.host", hosts, negate=True) if hosts else None

    def why(self, host: HostState, decision: Decision) -> str:
        return f"the request excludes {host.host}"
