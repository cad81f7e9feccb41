"""What a run left behind: the inventory after the run (conformance.cloud inventory) less the
inventory taken right after seeding. Each inventory is {kind: ["id name", ...]}."""

from __future__ import annotations

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
