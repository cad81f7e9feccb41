"""What a run left behind: the inventory after the run (conformance.cloud inventory) less the
inventory taken right after seeding. Each inventory is {kind: ["id name", ...]}. What Tempest's
own tests leave behind whatever the cloud (conformance/tempest-leaks.txt) is reported apart and
does not fail the run."""

from __future__ import annotations

import re
from dataclasses import dataclass

Inventory = dict[str, list[str]]


def compare(before: Inventory, after: Inventory) -> Inventory:
    """kind -> what exists after the run and did not before (kinds with nothing left omitted)."""
    leaks = {}
    for kind, rows in after.items():
        new = sorted(set(rows) - set(before.get(kind, [])))
        if new:
            leaks[kind] = new
    return leaks


def describe(leaks: Inventory, shown: int = 5) -> list[str]:
    """Report lines: one per kind with its count and the first ``shown`` ids and names."""
    lines = []
    for kind, rows in sorted(leaks.items()):
        more = f", ... ({len(rows) - shown} more)" if len(rows) > shown else ""
        lines.append(f"  {kind}: {len(rows)} left: {'; '.join(rows[:shown])}{more}")
    return lines


@dataclass(frozen=True)
class KnownLeak:
    """A resource Tempest itself leaves behind (a test that registers no cleanup, which leaves
    the same resource behind on Nova): its kind, a regular expression on the "id name" entry,
    and the test and reason."""

    kind: str
    regex: str
    reason: str


def parse_known(text: str) -> list[KnownLeak]:
    """The entries of conformance/tempest-leaks.txt: `kind regex  # reason` per line; ValueError
    names a line without a reason or whose expression does not compile."""
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        body, _, reason = raw.partition("#")
        if not body.strip():
            continue
        kind, _, regex = body.strip().partition(" ")
        regex, reason = regex.strip(), reason.strip()
        if not regex or not reason:
            raise ValueError(f"line {number}: write 'kind regex  # the test that leaves it, and why'")
        try:
            re.compile(regex)
        except re.error as error:
            raise ValueError(f"line {number}: {regex!r} is not a regular expression: {error}") from None
        entries.append(KnownLeak(kind, regex, reason))
    return entries


def split_known(leaks: Inventory, known: list[KnownLeak]) -> tuple[Inventory, Inventory]:
    """(what no known entry explains, what a known entry explains), both by kind."""
    ours: Inventory = {}
    theirs: Inventory = {}
    for kind, rows in leaks.items():
        for row in rows:
            explained = any(entry.kind == kind and re.search(entry.regex, row) for entry in known)
            (theirs if explained else ours).setdefault(kind, []).append(row)
    return ours, theirs
