"""DifferentHostFilter: with the `different_host` scheduler hint (server uuids), never a host
that has one of those servers."""

from __future__ import annotations

from .base import BaseFilter, Sql, in_list


class DifferentHostFilter(BaseFilter):
    name = "DifferentHostFilter"

    def sql(self, decision) -> Sql | None:
        hosts = decision.different_host
        return in_list("n.host", hosts, negate=True) if hosts else None

    def why(self, host, decision) -> str:
        return f"{host.host} has one of the different_host servers"
