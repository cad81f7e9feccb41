"""ServerGroupAntiAffinityFilter: a server of an `anti-affinity` group avoids hosts that
already have `max_server_per_host` (rules, default 1) of the group's servers, counting the
decision's own earlier picks. Serialised per group by the scheduler's group lock."""

from __future__ import annotations

from scheduling.context import Decision
from scheduling.groups import GroupInfo
from scheduling.host_state import HostState

from .base import BaseFilter, Sql, in_list


def anti_affinity_group(decision: Decision) -> GroupInfo | None:
    """The request's server group when its policy is anti-affinity."""
    group = decision.group
    return group if group is not None and group.policy == "anti-affinity" else None


class ServerGroupAntiAffinityFilter(BaseFilter):
    name = "ServerGroupAntiAffinityFilter"

    def sql(self, decision: Decision) -> Sql | None:
        group = anti_affinity_group(decision)
        if group is None:
            return None
        full = {host for host, count in group.member_hosts.items() if count >= group.max_server_per_host}
        return in_list("n.host", full, negate=True) if full else None

    def runs_in_python(self, decision: Decision) -> bool:
        return anti_affinity_group(decision) is not None

    def host_passes(self, host: HostState, decision: Decision) -> bool:
        group = anti_affinity_group(decision)
        return group is None or decision.group_counts()[host.host] < group.max_server_per_host

    def why(self, host: HostState, decision: Decision) -> str:
        group = anti_affinity_group(decision)
        if group is None:
            return "the request names no anti-affinity group"
        count = decision.group_counts()[host.host]
        return (
            f"{host.host} already has {count} server(s) of anti-affinity group {group.uuid}"
            f" (at most {group.max_server_per_host})"
        )
