"""ServerGroupAffinityFilter: a server of an `affinity` group goes where the group's other
servers are. The group's existing hosts are a SQL condition; the decision's own earlier picks
(a multi-create into a new group) are checked in Python. The scheduler holds the group's lock
from reading the members to claiming, so concurrent decisions cannot split the group."""

from __future__ import annotations

from scheduling.context import Decision
from scheduling.groups import GroupInfo
from scheduling.host_state import HostState

from .base import BaseFilter, Sql, in_list


def affinity_group(decision: Decision) -> GroupInfo | None:
    """The request's server group when its policy is affinity."""
    group = decision.group
    return group if group is not None and group.policy == "affinity" else None


class ServerGroupAffinityFilter(BaseFilter):
    name = "ServerGroupAffinityFilter"

    def sql(self, decision: Decision) -> Sql | None:
        group = affinity_group(decision)
        if group is None or not group.member_hosts:
            return None
        return in_list("n.host", set(group.member_hosts))

    def runs_in_python(self, decision: Decision) -> bool:
        return affinity_group(decision) is not None

    def host_passes(self, host: HostState, decision: Decision) -> bool:
        counts = decision.group_counts()
        return not counts or host.host in counts

    def why(self, host: HostState, decision: Decision) -> str:
        group = affinity_group(decision)
        if group is None:
            return "the request names no affinity group"
        return f"affinity group {group.uuid} is on {', '.join(sorted(decision.group_counts()))}"
