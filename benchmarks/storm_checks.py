"""What benchmarks/storm.py reads from the database: when the storm has settled, and whether
the cloud is still right afterwards (no over-commit, allocations equal to servers, quota usage
equal to servers, nothing stuck)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import django
from django.apps import apps


@dataclass(frozen=True)
class Outcome:
    """One create request: when it started and ended (wall clock), its status and server."""

    started: float
    finished: float
    status: int
    server_id: str | None
    detail: str


@dataclass
class Settled:
    """The accepted servers once they settled (or the wait ran out)."""

    launched: dict[str, float] = field(default_factory=dict)  # ACTIVE server -> launched_at
    states: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    waited: float = 0.0

    def summary(self) -> str:
        states = ", ".join(f"{n} {state}" for state, n in sorted(self.states.items()))
        faults = "".join(f"\n  {n} x fault: {message}" for message, n in self.faults.most_common(5))
        return f"{states} (settled after {self.waited:.1f} s){faults}"


def _setup() -> None:
    if not apps.ready:
        django.setup()


def settle(server_ids: list[str], timeout: float) -> Settled:
    """Poll (4 times a second, one query) until every accepted server has no task_state and
    left BUILD, or `timeout` seconds passed."""
    _setup()
    from servers.models import Server
    from servers.states import VmState

    start = time.time()
    rows: list[tuple] = []
    while time.time() - start < timeout:
        rows = list(
            Server.objects.filter(uuid__in=server_ids).values_list(
                "uuid", "vm_state", "task_state", "launched_at", "deleted"
            )
        )
        if all(task is None and vm != VmState.BUILDING for _, vm, task, _, _ in rows):
            break
        time.sleep(0.25)
    result = Settled(waited=time.time() - start)
    for uuid, vm_state, task_state, launched_at, deleted in rows:
        result.states["deleted" if deleted else f"{vm_state}/{task_state}" if task_state else vm_state] += 1
        if vm_state == VmState.ACTIVE and task_state is None and launched_at is not None:
            result.launched[str(uuid)] = launched_at.timestamp()
    from servers.models import ServerFault

    errored = [uuid for uuid, vm, _, _, _ in rows if vm == VmState.ERROR]
    for message in ServerFault.objects.filter(server__uuid__in=errored).values_list("message", flat=True):
        result.faults[message[:160]] += 1
    return result


def check_cloud(server_ids: list[str], quota: int) -> list[str]:
    """Every problem found: a host beyond its capacity, usage columns that disagree with the
    allocations, an ACTIVE server without an allocation on its host or an allocation of no
    server on that host, quota usage that is not the servers', more servers than the quota, a
    task_state left, a server still in BUILD."""
    _setup()
    from django.db.models import Count, Sum

    from hosts.models import Allocation, ComputeNode
    from scheduling.capacity import fits_sql
    from servers.models import Server
    from servers.services.quotas import usage_for
    from servers.states import VmState

    problems = []
    table = ComputeNode._meta.db_table
    over = ComputeNode.objects.extra(where=[f"NOT ({fits_sql(table)})"], params=[0, 0, 0])
    problems += [f"host {node.host} is over-committed" for node in over]
    sums = Allocation.objects.values("compute_node__host").annotate(
        vcpus=Sum("vcpus"), memory_mb=Sum("memory_mb"), disk_gb=Sum("disk_gb"), count=Count("id")
    )
    by_host = {row["compute_node__host"]: row for row in sums}
    for node in ComputeNode.objects.all():
        row = by_host.get(node.host, {"vcpus": 0, "memory_mb": 0, "disk_gb": 0})
        if (node.vcpus_used, node.memory_mb_used, node.local_gb_used) != (
            row["vcpus"],
            row["memory_mb"],
            row["disk_gb"],
        ):
            problems.append(f"host {node.host}: usage columns disagree with its allocations")
    servers = Server.objects.filter(deleted=False)
    active = {(str(u), h) for u, h in servers.filter(vm_state=VmState.ACTIVE).values_list("uuid", "host")}
    # A server in ERROR on a host may keep its allocation until it is deleted, as in Nova.
    placed = {(str(u), h) for u, h in servers.exclude(host=None).values_list("uuid", "host")}
    held = {(str(c), h) for c, h in Allocation.objects.values_list("consumer", "compute_node__host")}
    if not active <= held <= placed:
        problems.append(
            f"allocations are not the servers': {len(held - placed)} without a server on that host, "
            f"{len(active - held)} ACTIVE servers without one"
        )
    stuck = servers.exclude(task_state=None).count()
    building = servers.filter(vm_state=VmState.BUILDING).count()
    if stuck:
        problems.append(f"{stuck} servers still have a task_state")
    if building:
        problems.append(f"{building} servers are still in BUILD")
    if len(server_ids) > quota:
        problems.append(f"{len(server_ids)} creates accepted against a quota of {quota}")
    for project, count in Counter(servers.values_list("project_id", flat=True)).items():
        usage = usage_for(project)
        if usage.get("instances", 0) != count:
            problems.append(f"project {project}: quota usage {usage.get('instances')} for {count} servers")
    return problems
