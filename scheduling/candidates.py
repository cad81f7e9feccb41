"""The candidate query and the candidate pool of one decision.

The database does the heavy lifting in one statement: every filter's SQL condition
(enabled and up, zone, room by the claim's own rule, aggregates, groups, hints...) and the top
SCHEDULER_CANDIDATE_LIMIT hosts in the order of the indexed weigher (free RAM, vCPUs or disk)
with the largest multiplier, walked from its expression index; SCHEDULER_CANDIDATE_KEYS > 1
adds the next weighers' top hosts too (UNION ALL of one branch each). At 10,000 hosts the
database reads a few dozen index entries rather than every row, and Python builds a few dozen
HostStates rather than 10,000 ORM objects. Python filters and the normalised weighers (all of
them, over the candidates) then rank that pool: like Nova's max_placement_results, the pool is
a cut, but the best hosts by the main weigher rather than arbitrary ones.

If the Python filters (or lost claim races) leave nothing and a branch was cut by its LIMIT,
the pool grows fourfold and is read again; at worst it ends up holding every candidate.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection

from .context import Decision
from .filters.base import BaseFilter, in_list
from .host_state import SELECT_LIST, HostState
from .weighers.base import BaseWeigher, normalise

log = logging.getLogger(__name__)


def adapt(value: object) -> object:
    """Parameters as the backend stores them (SQLite keeps datetimes as text)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def where_clause(filters: Sequence[BaseFilter], decision: Decision) -> tuple[str, list[Any]]:
    """Every applicable filter's SQL condition, ANDed, with their parameters."""
    conditions = [c for c in (f.sql(decision) for f in filters) if c is not None]
    text = " AND ".join(f"({c.text})" for c in conditions) or "1 = 1"
    return text, [adapt(p) for c in conditions for p in c.params]


def rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run a query; its rows as the database returns them."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found: list[tuple[Any, ...]] = cursor.fetchall()
        return found


def weigh(hosts: list[HostState], weighers: Sequence[BaseWeigher], decision: Decision) -> list[HostState]:
    """Hosts best first: the sum over weighers of multiplier x raw weight normalised over these
    hosts; ties broken by host name so that the order is stable."""
    if len(hosts) < 2:
        return list(hosts)
    totals = [0.0] * len(hosts)
    for weigher in weighers:
        if not weigher.active(decision):
            continue
        values = normalise([weigher.raw(host, decision) for host in hosts])
        if decision.overridden(weigher.metadata_key):
            for index, value in enumerate(values):
                totals[index] += value * decision.multiplier(
                    weigher.multiplier_setting, weigher.metadata_key, hosts[index]
                )
        else:
            multiplier = weigher.default_multiplier()
            for index, value in enumerate(values):
                totals[index] += multiplier * value
    order = sorted(range(len(hosts)), key=lambda i: (-totals[i], hosts[i].host))
    return [hosts[i] for i in order]


class CandidatePool:
    """The hosts one decision considers, fetched by the candidate query."""

    def __init__(self, decision: Decision, filters: Sequence[BaseFilter], weighers: Sequence[BaseWeigher]) -> None:
        self.decision = decision
        self.filters = filters
        self.weighers = weighers
        self.python_filters = [f for f in filters if f.runs_in_python(decision)]
        self.where, self.params = where_clause(filters, decision)
        # The indexed weighers that count most each contribute one ordered branch.
        indexed = sorted(
            (w for w in weighers if w.order_sql and w.default_multiplier() != 0),
            key=lambda w: -abs(w.default_multiplier()),
        )[: max(settings.SCHEDULER_CANDIDATE_KEYS, 1)]
        self.keys = [(w.order_sql, "DESC" if w.default_multiplier() > 0 else "ASC") for w in indexed]
        wanted = len(decision.spec.instance_uuids) + settings.MAX_ATTEMPTS + settings.SCHEDULER_HOST_SUBSET_SIZE
        self.limit = max(settings.SCHEDULER_CANDIDATE_LIMIT, wanted)
        self.extras = [(w.name, w.column_sql) for w in weighers if w.column_sql and w.active(decision)]
        self.extra_names = tuple(name for name, _ in self.extras)
        self.truncated = False
        self.hosts: list[HostState] = []
        self.fetch()

    def _branches(self) -> list[tuple[str, list[Any]]]:
        columns = "".join(f", {sql} AS extra{i}" for i, (_, sql) in enumerate(self.extras))
        base = f"SELECT {SELECT_LIST}{columns} FROM hosts_computenode n WHERE {self.where}"
        if not self.keys:
            return [(base, self.params)]  # nothing to walk: every candidate, exactly
        branches = [
            (f"{base} ORDER BY {key} {direction} LIMIT {self.limit}", self.params) for key, direction in self.keys
        ]
        group = self.decision.group
        if group is not None and group.policy == "soft-affinity" and group.member_hosts:
            # The members' hosts may rank low on free resources; soft affinity must see them.
            members = in_list("n.host", set(group.member_hosts))
            branches.append((f"{base} AND {members.text}", self.params + list(members.params)))
        return branches

    def fetch(self) -> None:
        """(Re)read the pool from the database: fresh usage, including this decision's claims."""
        branches = self._branches()
        if len(branches) == 1:
            sql, params = branches[0]
            found = [(*row, 0) for row in rows(sql, params)]
        else:
            sql = " UNION ALL ".join(
                f"SELECT b{i}.*, {i} FROM ({text}) AS b{i}" for i, (text, _) in enumerate(branches)
            )
            found = rows(sql, [p for _, params in branches for p in params])
        per_branch = [0] * len(branches)
        hosts: dict[int, HostState] = {}
        for row in found:
            per_branch[row[-1]] += 1
            if row[0] not in hosts:
                hosts[row[0]] = HostState(row[:-1], self.extra_names)
        self.truncated = bool(self.keys) and any(count >= self.limit for count in per_branch[: len(self.keys)])
        self.hosts = list(hosts.values())
        self.decision.pool = self.hosts

    def grow(self) -> bool:
        """Read a four times larger pool; False when the pool already held every candidate."""
        if not self.truncated:
            return False
        self.limit *= 4
        log.debug("candidate pool exhausted; reading up to %d per branch", self.limit)
        self.fetch()
        return True

    def discard(self, host: HostState) -> None:
        """Forget a host (a claim on it just failed: it has no room for this flavor)."""
        self.hosts = [h for h in self.hosts if h.id != host.id]
        self.decision.pool = self.hosts

    def by_id(self, node_id: int) -> HostState | None:
        """A host of the pool, or read from the database whatever the filters say (a
        redelivered request keeps the host it already holds)."""
        for host in self.hosts:
            if host.id == node_id:
                return host
        found = rows(f"SELECT {SELECT_LIST} FROM hosts_computenode n WHERE n.id = %s", [node_id])
        return HostState(found[0]) if found else None

    def ranked(self) -> list[HostState]:
        """The pool's hosts that pass the Python filters, best first."""
        hosts = self.hosts
        for host_filter in self.python_filters:
            hosts = [h for h in hosts if host_filter.host_passes(h, self.decision)]
        return weigh(hosts, self.weighers, self.decision)
