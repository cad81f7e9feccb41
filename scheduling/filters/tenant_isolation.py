"""AggregateMultiTenancyIsolation: a host in an aggregate whose metadata has
`filter_tenant_id` (or any key starting with it, values comma-separated) only takes servers
of those projects; hosts in no such aggregate take anyone's (Nova's rule: the project must be
among the values of all the host's such aggregates together)."""

from __future__ import annotations

from hosts.models import AggregateHost
from scheduling.aggregates import metadata_values, split_values
from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseFilter, Sql, member_of

KEY = "filter_tenant_id"


class AggregateMultiTenancyIsolation(BaseFilter):
    name = "AggregateMultiTenancyIsolation"

    def sql(self, decision: Decision) -> Sql | None:
        restricted = decision.aggregates_with(lambda key: key.startswith(KEY))
        if not restricted:
            return None
        project = decision.spec.project_id
        allowing = {
            pk
            for pk, metadata in restricted.items()
            if any(project in split_values(value) for key, value in metadata.items() if key.startswith(KEY))
        }
        outside = member_of(set(restricted))
        if not allowing:
            return Sql(f"NOT {outside.text}", outside.params)
        inside = member_of(allowing)
        return Sql(f"(NOT {outside.text} OR {inside.text})", outside.params + inside.params)

    def why(self, host: HostState, decision: Decision) -> str:
        mine = AggregateHost.objects.filter(host=host.host).values_list("aggregate_id", flat=True)
        metadatas = [decision.aggregates.get(pk, {}) for pk in mine]
        tenants = set()
        for metadata in metadatas:
            for key in metadata:
                if key.startswith(KEY):
                    tenants |= metadata_values([metadata], key)
        return f"{host.host} is reserved for projects {', '.join(sorted(tenants))}; not {decision.spec.project_id}"
