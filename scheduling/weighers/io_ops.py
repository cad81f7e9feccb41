"""IoOpsWeigher: weigh by the servers on the host with a task in progress (building,
resizing, migrating, snapshotting...). The default multiplier is negative (-1.0, as Nova's):
busy hosts are avoided."""

from __future__ import annotations

from scheduling.context import Decision
from scheduling.host_state import HostState
from servers.models import Server

from .base import BaseWeigher


class IoOpsWeigher(BaseWeigher):
    name = "IoOpsWeigher"
    multiplier_setting = "IO_OPS_WEIGHT_MULTIPLIER"
    metadata_key = "io_ops_weight_multiplier"
    # Counted by the candidate query itself (an index probe on servers.host per candidate).
    column_sql = (
        f"(SELECT COUNT(*) FROM {Server._meta.db_table} s "
        "WHERE s.host = n.host AND s.task_state IS NOT NULL AND NOT s.deleted)"
    )

    def raw(self, host: HostState, decision: Decision) -> float:
        if self.name in host.extras:
            return float(host.extras[self.name])
        # A host read by another query (explanations): one query for the whole pool.
        return decision.io_ops(host)
