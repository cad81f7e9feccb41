"""RequestedDestinationFilter: only the host (and hypervisor) a create names (2.74), as Nova
restricts placement to a RequestSpec's requested_destination. The other filters still apply:
a named host that cannot take the server is NoValidHost, never an over-commit."""

from __future__ import annotations

from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseFilter, Sql


class RequestedDestinationFilter(BaseFilter):
    name = "RequestedDestinationFilter"

    def sql(self, decision: Decision) -> Sql | None:
        conditions, params = [], []
        if decision.spec.requested_host:
            conditions.append("n.host = %s")
            params.append(decision.spec.requested_host)
        if decision.spec.requested_node:
            conditions.append("n.hypervisor_hostname = %s")
            params.append(decision.spec.requested_node)
        return Sql(" AND ".join(conditions), tuple(params)) if conditions else None

    def why(self, host: HostState, decision: Decision) -> str:
        wanted = decision.spec.requested_host or decision.spec.requested_node
        return f"the request names {wanted}"
