"""DifferentHostFilter: with the `different_host` scheduler hint (server uuids), never a host
that has one of those servers."""

from __future__ import annotations

from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseFilter, Sql, in_list


class DifferentHostFilter(BaseFilter):
    name = "DifferentHostFilter"

    def sql(self, decision: Decision) -> Sql | None:
        hosts = decision.different_host
        return in_list("n.host", hosts, negate=True) if hosts else None

    def why(self, host: HostState, decision: Decision) -> str:
        return f"{host.host} has one of the different_host servers"
