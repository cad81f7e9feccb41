"""Why hosts were rejected: per-filter counts for NoValidHost, and a per-host verdict for
`manage.py explain_placement`.

Counting runs only when a decision failed (or on an operator's request), so it may read every
host: one SQL statement counts the hosts by the first filter condition they fail (each
filter's counting_sql: the services hash-joined rather than probed per host, and no JIT
compilation, which alone cost more than the scan); the Python filters then run on the hosts
every SQL condition kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction

from .candidates import adapt, rows, where_clause
from .context import Decision
from .filters.base import BaseFilter
from .host_state import SELECT_LIST, HostState


@dataclass(frozen=True)
class Removal:
    """`removed` of the `of` hosts that reached the filter were rejected by it."""

    name: str
    removed: int
    of: int

    def __str__(self) -> str:
        return f"{self.name} removed {self.removed} of {self.of}"


#: What the count scans: every host, with its service (filters' counting_sql may use `s`).
COUNTED = "hosts_computenode n LEFT JOIN hosts_service s ON s.id = n.service_id"


@contextmanager
def without_jit() -> Iterator[None]:
    """A transaction in which PostgreSQL does not JIT-compile: a scan of every host has a
    planner cost far above jit_above_cost, and compiling it took longer (0.9 s at 100,000
    hosts) than running it."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # And room to hash every host's service in memory rather than in batches on disk.
                cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '32MB'")
        yield


def removals(decision: Decision, filters: Sequence[BaseFilter]) -> tuple[int, list[Removal]]:
    """How many hosts exist, and how many each filter removed, in filter order (SQL conditions
    first, then the Python checks on what SQL kept). One scan: each host is counted against
    the first condition it fails, evaluating conditions only until then."""
    with without_jit():
        return _removals(decision, filters)


def _removals(decision: Decision, filters: Sequence[BaseFilter]) -> tuple[int, list[Removal]]:
    conditions = [(f, c) for f in filters if (c := f.counting_sql(decision)) is not None]
    first_failed = " ".join(f"WHEN ({c.text}) IS NOT TRUE THEN {i}" for i, (_, c) in enumerate(conditions, 1))
    params = [adapt(p) for _, c in conditions for p in c.params]
    # One aggregate per outcome (0: passed every condition) rather than GROUP BY, which the
    # planner, expecting as many groups as hosts, would answer with a sort of every host.
    counts = ", ".join(f"COUNT(*) FILTER (WHERE failed = {i})" for i in range(len(conditions) + 1))
    sql = f"SELECT {counts} FROM (SELECT CASE {first_failed} ELSE 0 END AS failed FROM {COUNTED}) AS judged"
    by_first_failed = (
        dict(enumerate(rows(sql, params)[0]))
        if conditions
        else dict(rows("SELECT 0, COUNT(*) FROM hosts_computenode n", []))
    )
    total = sum(by_first_failed.values())
    result, remaining = [], total
    for index, (host_filter, _) in enumerate(conditions, 1):
        removed = by_first_failed.get(index, 0)
        if removed:
            result.append(Removal(host_filter.name, removed, remaining))
        remaining -= removed
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
