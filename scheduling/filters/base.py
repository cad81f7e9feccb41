"""The filter interface.

A filter says why a host is unfit in up to two ways:
- `sql(decision)`: a condition on the candidate query (alias `n` = hosts_computenode), so that
  the database drops unfit hosts before any row reaches Python. Most filters live here.
- `host_passes(host, decision)`: a Python check on each candidate the query returned, for what
  SQL cannot see (cpu_info, a multi-create's own earlier picks). It only runs when
  `runs_in_python(decision)` says so, so a filter costs nothing on requests it ignores.
`why(host, decision)` words the rejection for explanations (manage.py explain_placement).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from scheduling.context import Decision
from scheduling.host_state import HostState

#: What an IN list may hold: host names or aggregate ids.
Value = TypeVar("Value", str, int)


@dataclass(frozen=True)
class Sql:
    """A SQL condition with its parameters (%s placeholders)."""

    text: str
    params: tuple[Any, ...] = ()


NOTHING = Sql("1 = 0")  # no host can pass


def in_list(column: str, values: Iterable[Value], *, negate: bool = False) -> Sql:
    """`column [NOT] IN (...)` with one parameter per value (values must not be empty)."""
    ordered = sorted(values)
    placeholders = ", ".join(["%s"] * len(ordered))
    return Sql(f"{column} {'NOT IN' if negate else 'IN'} ({placeholders})", tuple(ordered))


def member_of(aggregate_ids: Iterable[int]) -> Sql:
    """The host is in one of these aggregates (an index probe per candidate row)."""
    inner = in_list("ah.aggregate_id", aggregate_ids)
    return Sql(f"EXISTS (SELECT 1 FROM hosts_aggregatehost ah WHERE ah.host = n.host AND {inner.text})", inner.params)


class BaseFilter:
    """One reason a host may be unfit. Subclasses set `name` and override the hooks they need."""

    name = "BaseFilter"

    def sql(self, decision: Decision) -> Sql | None:
        """This filter's condition on the candidate query, or None when it does not apply."""
        return None

    def rejected_hosts_sql(self, decision: Decision) -> Sql | None:
        """For the explanation's counts (scheduling.explain): a query of the ids of the hosts
        this filter rejects, for a filter that usually rejects few hosts through another
        table, so that counting subtracts them rather than evaluating `sql` on every host.
        Default None: the explanation counts with `sql`."""
        return None

    def rejection_sql(self, decision: Decision) -> Sql | None:
        """For the explanation's counts: the exact negation of `sql` (the hosts it is false
        for, never NULL), written so that an index can find them, for a condition most hosts
        pass. Counting the few hosts it rejects then replaces a count of nearly every host.
        Default None: the explanation counts with `sql`."""
        return None

    def runs_in_python(self, decision: Decision) -> bool:
        """Whether `host_passes` must run for this request."""
        return False

    def host_passes(self, host: HostState, decision: Decision) -> bool:
        """Python check on one candidate that survived the SQL conditions."""
        return True

    def why(self, host: HostState, decision: Decision) -> str:
        """Why this filter rejects `host`, in words."""
        return "rejected"
