"""The operator's dashboard on the admin's index: what is up, what is full, what failed, what
is in flight. Server-side, and a fixed number of queries whatever the size of the cloud: each
panel is one aggregate query (GROUP BY, or an ordered LIMIT), so 1,000 hosts cost what 2 do
(tests/admin/test_dashboard.py pins the count; benchmarks/admin_dashboard.py times it).

Each panel reads its rule from its one home: up/down/disabled from hosts.heartbeats, status
from servers.states, capacity from scheduling.capacity (through hosts.usage)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from hosts.heartbeats import STATES, service_state, state_conditions
from hosts.models import Aggregate, ComputeNode, Service
from hosts.usage import Usage, usage_sums, usages, with_usage
from servers.models import InstanceActionEvent, Server, ServerFault
from servers.states.status import status_for

#: How many of the most loaded hosts get a bar (the full list is the compute node page).
TOP_HOSTS = 20
#: How many of the latest failed actions, and of the latest faults, are listed.
LATEST = 10
#: The result an instance action event records when its step failed (servers.lifecycle).
FAILED = "Error"


@dataclass(frozen=True)
class Zone:
    """One availability zone's compute capacity, and the aggregates that make it a zone."""

    name: str
    hosts: int
    usages: list[Usage]
    aggregates: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadedHost:
    """One of the most loaded compute nodes."""

    node: ComputeNode
    state: str
    load: float
    usages: list[Usage]

    @property
    def load_percent(self) -> int:
        return round(100 * self.load)


@dataclass(frozen=True)
class TaskGroup:
    """The servers busy with one task_state, and the one that has been at it longest."""

    task_state: str
    count: int
    since: datetime
    oldest_id: int
    oldest_name: str


@dataclass
class Dashboard:
    """Everything the dashboard shows, read at one instant (``now``)."""

    now: datetime
    #: The region this control plane serves (REGION_NAME): its zones, aggregates and hosts.
    region: str = ""
    hosts: dict[str, int] = field(default_factory=dict)
    servers: list[tuple[str, int]] = field(default_factory=list)
    zones: list[Zone] = field(default_factory=list)
    busiest: list[LoadedHost] = field(default_factory=list)
    tasks: list[TaskGroup] = field(default_factory=list)
    failed: list[InstanceActionEvent] = field(default_factory=list)
    faults: list[ServerFault] = field(default_factory=list)

    @property
    def host_total(self) -> int:
        return sum(self.hosts.values())

    @property
    def server_total(self) -> int:
        return sum(count for _, count in self.servers)

    @property
    def node_total(self) -> int:
        return sum(zone.hosts for zone in self.zones)


def host_states(now: datetime) -> dict[str, int]:
    """How many compute services are up, down and disabled (one query)."""
    counts = Service.objects.filter(binary="nova-compute").aggregate(
        **{state: Count("pk", filter=condition) for state, condition in state_conditions(now).items()}
    )
    return {state: counts[state] for state in STATES}


def servers_by_status() -> list[tuple[str, int]]:
    """The servers that are not deleted, counted by API status, the most common first (one
    query, grouped by (vm_state, task_state), which decide the status)."""
    pairs = (
        Server.objects.filter(deleted=False)
        .values_list("vm_state", "task_state")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts: Counter[str] = Counter()
    for vm_state, task_state, count in pairs:
        counts[status_for(vm_state, task_state)] += count
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def zones() -> list[Zone]:
    """Each zone's hosts and usage against capacity (one query, grouped by the nodes' zone
    mirror; no zone is the default zone), with the aggregates naming it (a second query)."""
    rows = ComputeNode.objects.values("availability_zone").annotate(hosts=Count("pk"), **usage_sums()).order_by()
    named: dict[str, list[str]] = {}
    zoned = Aggregate.objects.filter(availability_zone__isnull=False).values_list("availability_zone", "name")
    for zone, aggregate in zoned:
        named.setdefault(zone or "", []).append(aggregate)
    found = []
    for row in rows:
        name = row["availability_zone"] or settings.DEFAULT_AVAILABILITY_ZONE
        found.append(Zone(name, row["hosts"], usages(row), tuple(sorted(named.get(name, ())))))
    return sorted(found, key=lambda zone: zone.name)


def busiest(now: datetime, limit: int | None = None) -> list[LoadedHost]:
    """The ``limit`` (default TOP_HOSTS) most loaded nodes (by their fullest resource), with
    their service's state (one query)."""
    limit = TOP_HOSTS if limit is None else limit
    nodes = with_usage(ComputeNode.objects.select_related("service")).order_by("-load", "host")[:limit]
    return [
        LoadedHost(node, service_state(node.service, now) if node.service else "down", node.load, usages(node))
        for node in nodes
    ]


def tasks_in_flight() -> list[TaskGroup]:
    """The servers with a task_state, by task_state, the longest-running group first; each
    with its oldest server (by the last change of its row, which the task_state's
    compare-and-swap stamps). One query: window functions count each group and rank its
    servers, and only each group's first is read."""
    rows = (
        Server.objects.filter(deleted=False, task_state__isnull=False)
        .annotate(
            rank=Window(RowNumber(), partition_by=F("task_state"), order_by=(F("updated_at").asc(), F("id").asc())),
            count=Window(Count("pk"), partition_by=F("task_state")),
        )
        .filter(rank=1)
        .order_by("updated_at", "task_state")
        .values_list("task_state", "count", "updated_at", "pk", "name")
    )
    return [TaskGroup(str(task_state), *rest) for task_state, *rest in rows]


def failed_events(limit: int | None = None) -> list[InstanceActionEvent]:
    """The latest (default LATEST) failed steps of instance actions, with their action and
    server (one query)."""
    limit = LATEST if limit is None else limit
    events = (
        InstanceActionEvent.objects.filter(result=FAILED)
        .select_related("action__server")
        .only("start_time", "event", "host", "action__action", "action__request_id", "action__server__name")
    )
    return list(events.order_by("-start_time", "-id")[:limit])


def latest_faults(limit: int | None = None) -> list[ServerFault]:
    """The latest (default LATEST) server faults, with their server (one query)."""
    limit = LATEST if limit is None else limit
    faults = ServerFault.objects.select_related("server").only("created_at", "code", "message", "server__name")
    return list(faults.order_by("-created_at", "-id")[:limit])


def collect(now: datetime | None = None) -> Dashboard:
    """The whole dashboard: eight queries."""
    now = now or timezone.now()
    return Dashboard(
        now=now,
        region=settings.REGION_NAME,
        hosts=host_states(now),
        servers=servers_by_status(),
        zones=zones(),
        busiest=busiest(now),
        tasks=tasks_in_flight(),
        failed=failed_events(),
        faults=latest_faults(),
    )


def context() -> dict[str, Any]:
    """The dashboard template's context."""
    return {"dashboard": collect()}
