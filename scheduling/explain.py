"""Why hosts were rejected: per-filter counts for NoValidHost, and a per-host verdict for
`manage.py explain_placement`.

Counting runs only when a decision failed (or on an operator's request). It never evaluates a
condition on every host when an index can answer: for each filter in order it counts the hosts
that pass every SQL condition so far (one `count(*)` the planner serves from the zone, free
resource and architecture indexes, and stops at the first that leaves none), so a filter
removed the difference. A filter that rejects few hosts through another table (ComputeFilter:
the services that are down or disabled) names those hosts once instead, and each count
subtracts them. The Python filters then run on the hosts every SQL condition kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction

from .candidates import adapt, rows, where_clause
from .context import Decision
from .filters.base import BaseFilter, Sql, in_list
from .host_state import SELECT_LIST, HostState

#: A filter's rejections (BaseFilter.rejection_sql) are counted, up to this many; beyond it,
#: the hosts it keeps are counted instead.
FEW_REJECTED = 1000

#: Beyond this many hosts rejected through another table, counting probes that table per
#: host instead (an IN list that long costs more than the probes).
MAX_NAMED_REJECTIONS = 5000


@dataclass(frozen=True)
class Removal:
    """`removed` of the `of` hosts that reached the filter were rejected by it."""

    name: str
    removed: int
    of: int

    def __str__(self) -> str:
        return f"{self.name} removed {self.removed} of {self.of}"


@contextmanager
def counting_transaction() -> Iterator[None]:
    """One snapshot for every count (so the removals add up while hosts change), and no JIT
    compilation on PostgreSQL: a count that does read many hosts has a planner cost above
    jit_above_cost, and compiling it took longer than running it."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET LOCAL jit = off")
        yield


def removals(decision: Decision, filters: Sequence[BaseFilter]) -> tuple[int, list[Removal]]:
    """How many hosts exist, and how many each filter removed, in filter order (SQL conditions
    first, then the Python checks on what SQL kept)."""
    with counting_transaction():
        return _removals(decision, filters)


def _count(conditions: Sequence[Sql], *, at_most: int | None = None) -> int:
    """How many hosts pass every one of the conditions (counting stops at ``at_most``)."""
    where = " AND ".join(f"({c.text})" for c in conditions) or "1 = 1"
    params = [adapt(p) for c in conditions for p in c.params]
    if at_most is None:
        return int(rows(f"SELECT COUNT(*) FROM hosts_computenode n WHERE {where}", params)[0][0])
    capped = f"SELECT COUNT(*) FROM (SELECT 1 FROM hosts_computenode n WHERE {where} LIMIT %s) AS found"
    return int(rows(capped, [*params, at_most])[0][0])


def _count_passing(prior: Sequence[Sql], prior_count: int, condition: Sql, rejection: Sql | None) -> int:
    """How many hosts pass ``prior`` (``prior_count`` of them) and ``condition``. When the
    filter can name its rejections by index and they are few, they are counted and subtracted:
    a condition most hosts pass (room for a small flavor) otherwise counts nearly every host."""
    if rejection is not None:
        rejected = _count([*prior, rejection], at_most=FEW_REJECTED)
        if rejected < FEW_REJECTED:
            return prior_count - rejected
    return _count([*prior, condition])


def _leading_passed(host_ids: set[int], conditions: Sequence[Sql]) -> dict[int, int]:
    """For each of these hosts, how many of the conditions it passes before the first it
    fails (one query, over these hosts only)."""
    if not host_ids:
        return {}
    first_failed = " ".join(f"WHEN ({c.text}) IS NOT TRUE THEN {i}" for i, c in enumerate(conditions))
    leading = f"CASE {first_failed} ELSE {len(conditions)} END" if conditions else "0"
    # PostgreSQL takes the ids as one array parameter (a thousand placeholders cost more to
    # parse than the query takes to run).
    among = (
        Sql("n.id = ANY(%s)", (sorted(host_ids),)) if connection.vendor == "postgresql" else in_list("n.id", host_ids)
    )
    params = [*(adapt(p) for c in conditions for p in c.params), *among.params]
    return dict(rows(f"SELECT n.id, {leading} FROM hosts_computenode n WHERE {among.text}", params))


def _removals(decision: Decision, filters: Sequence[BaseFilter]) -> tuple[int, list[Removal]]:
    # Each filter is one step: a condition counted with the others, or the hosts it names.
    steps: list[tuple[BaseFilter, Sql | None, set[int]]] = []
    for host_filter in filters:
        named = host_filter.rejected_hosts_sql(decision)
        if named is not None:
            ids = {row[0] for row in rows(named.text, [adapt(p) for p in named.params])}
            if len(ids) <= MAX_NAMED_REJECTIONS:
                steps.append((host_filter, None, ids))
                continue
        condition = host_filter.sql(decision)
        if condition is not None:
            steps.append((host_filter, condition, set()))
    conditions = [condition for _, condition, _ in steps if condition is not None]
    leading = _leading_passed({i for *_, ids in steps for i in ids}, conditions)
    total = remaining = passing_conditions = _count([])
    applied, rejected = 0, set[int]()
    result: list[Removal] = []
    for host_filter, condition, ids in steps:
        if not remaining:
            break
        if condition is not None:
            passing_conditions = _count_passing(
                conditions[:applied], passing_conditions, condition, host_filter.rejection_sql(decision)
            )
            applied += 1
        rejected |= ids
        # The named hosts that the conditions so far would have kept are not kept.
        passing = passing_conditions - sum(1 for i in rejected if leading.get(i, -1) >= applied)
        if passing != remaining:
            result.append(Removal(host_filter.name, remaining - passing, remaining))
        remaining = passing
    python_filters = [f for f in filters if f.runs_in_python(decision)]
    if python_filters and remaining:
        where, where_params = where_clause(filters, decision)
        hosts = [
            HostState(row) for row in rows(f"SELECT {SELECT_LIST} FROM hosts_computenode n WHERE {where}", where_params)
        ]
        decision.pool = hosts
        for host_filter in python_filters:
            kept = [h for h in hosts if host_filter.host_passes(h, decision)]
            if len(kept) != len(hosts):
                result.append(Removal(host_filter.name, len(hosts) - len(kept), len(hosts)))
            hosts = kept
    return total, result


def summary(decision: Decision, filters: Sequence[BaseFilter]) -> str:
    """E.g. "ComputeFilter removed 2 of 42; ResourceFitFilter removed 40 of 40"."""
    total, found = removals(decision, filters)
    if not total:
        return "There are no compute hosts."
    return "; ".join(map(str, found))


@dataclass(frozen=True)
class Verdict:
    """One filter's opinion of one host."""

    name: str
    passed: bool
    reason: str = ""
    applies: bool = True  # False: the request does not ask for what this filter checks


def verdicts(
    decision: Decision, filters: Sequence[BaseFilter], host_name: str
) -> tuple[HostState | None, list[Verdict]]:
    """Every filter's verdict on `host_name` (each judged on its own, not only the first to
    reject), with the reason for each rejection."""
    conditions = [f.sql(decision) for f in filters]
    tests = [f"CASE WHEN ({c.text}) THEN 1 ELSE 0 END" if c else "1" for c in conditions]
    params = [adapt(p) for c in conditions if c for p in c.params]
    found = rows(
        f"SELECT {', '.join(tests)}, {SELECT_LIST} FROM hosts_computenode n WHERE n.host = %s", [*params, host_name]
    )
    if not found:
        return None, []
    row = found[0]
    host = HostState(row[len(filters) :])
    decision.pool = [host]
    result = []
    for index, host_filter in enumerate(filters):
        passed = bool(row[index])
        in_python = host_filter.runs_in_python(decision)
        if passed and in_python:
            passed = host_filter.host_passes(host, decision)
        reason = "" if passed else host_filter.why(host, decision)
        result.append(Verdict(host_filter.name, passed, reason, applies=conditions[index] is not None or in_python))
    return host, result
