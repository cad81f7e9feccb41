"""CPU time of the storm's processes, from /proc: utime + stime of each process and its
descendants (live ones read directly; reaped ones through their parent's cutime + cstime),
per Procfile name, beside PostgreSQL's and Redis's servers and the whole machine (which are
shared with anything else running, so they are context, not the cloud's own figure)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")


def _read(path: str) -> str:
    with open(path) as file:
        return file.read()


def _stat(pid: int) -> tuple[int, int, int] | None:
    """(ppid, own ticks, reaped children's ticks) of a process, None when it is gone."""
    try:
        text = _read(f"/proc/{pid}/stat")
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    # After the command: state ppid ... utime(12) stime(13) cutime(14) cstime(15), 0-based from state.
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def _all_stats() -> dict[int, tuple[int, int, int]]:
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                stats[int(entry)] = stat
    return stats


def _tree_ticks(root: int, stats: dict[int, tuple[int, int, int]]) -> int:
    """Ticks of `root` and all its live descendants, plus everything they reaped."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        if pid in stats:
            total += stats[pid][1] + stats[pid][2]
            stack.extend(children.get(pid, []))
    return total


def _by_name(name: str) -> list[int]:
    """Top-level processes (parent not of the same name) running program `name`."""
    pids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                comm = _read(f"/proc/{entry}/comm").strip()
                ppid = _stat(int(entry))
            except OSError:
                continue
            if ppid is not None:
                pids[int(entry)] = (comm, ppid[0])
    return [pid for pid, (comm, ppid) in pids.items() if comm == name and pids.get(ppid, ("", 0))[0] != name]


def _machine_ticks() -> int:
    """Busy ticks of every CPU since boot (all but idle and iowait), in per-CPU ticks."""
    values = [int(v) for v in _read("/proc/stat").splitlines()[0].split()[1:]]
    return sum(values) - values[3] - values[4]


@dataclass
class CpuFigures:
    """CPU milliseconds spent during the storm, by process name."""

    processes: dict[str, float]
    shared: dict[str, float]

    def table(self, boots: int) -> str:
        lines = [f"CPU ms per boot ({boots} boots), per process:"]
        for name, ms in sorted(self.processes.items()):
            lines.append(f"  {name:<12} {ms / boots:8.1f}")
        computes = sum(ms for name, ms in self.processes.items() if name.startswith("compute"))
        lines.append(f"  {'(computes)':<12} {computes / boots:8.1f}")
        lines.append(f"  {'cloud total':<12} {sum(self.processes.values()) / boots:8.1f}")
        lines.append(
            "servers (db server: the PostgreSQL server of this database, all its processes; postgres: every"
            " PostgreSQL server here; redis; the whole machine), shared with whatever else uses them:"
        )
        for name, ms in self.shared.items():
            lines.append(f"  {name:<12} {ms / boots:8.1f}")
        return "\n".join(lines)


class CpuMeter:
    """Reads CPU ticks at start() and stop(); `pids` names the cloud's live processes."""

    def __init__(self, pids: Callable[[], dict[str, int]], database_server: int | None = None) -> None:
        self.pids = pids
        self.database_server = database_server
        self._start: dict[str, int] = {}

    def _read(self) -> dict[str, int]:
        stats = _all_stats()
        ticks = {name: _tree_ticks(pid, stats) for name, pid in self.pids().items()}
        ticks["postgres"] = sum(_tree_ticks(pid, stats) for pid in _by_name("postgres"))
        if self.database_server is not None:
            ticks["db server"] = _tree_ticks(self.database_server, stats)
        ticks["redis"] = sum(_tree_ticks(pid, stats) for pid in _by_name("redis-server"))
        ticks["machine"] = _machine_ticks()
        return ticks

    def start(self) -> None:
        self._start = self._read()

    def stop(self) -> CpuFigures:
        """The ticks spent since start() in milliseconds. A process killed by a drill loses what
        it spent before the kill (its restarted self counts from zero)."""
        end = self._read()
        spent = {
            name: max(0, end[name] - self._start.get(name, 0)) * TICK_MS
            for name in end
            if name in self._start or name in self.pids()
        }
        servers: tuple[str, ...] = ("db server", "postgres", "redis", "machine")
        shared = {name: spent.pop(name) for name in servers if name in spent}
        return CpuFigures(spent, shared)
