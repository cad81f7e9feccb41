"""Hypervisors (compute nodes) as os-hypervisors shows them: list (paged), show, search by
hostname, statistics (nova/api/openstack/compute/hypervisors.py), and the operator's
allocation ratios and reserves of a node (``update_inventory``). Every function enforces its
rule first. A listing costs a fixed number of queries whatever the number
of hypervisors: the servers and the workload of every listed host are read in one query each.

A hypervisor is named by its integer id or its UUID (the API decides which by microversion
and parses it)."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db.models import Count, QuerySet

from core import policy
from core.exceptions import BadRequest, NotFound, NotSupported
from core.paging import SortKey, keyset_page
from core.principal import Caller
from hosts.heartbeats import is_up
from hosts.models import ComputeNode
from servers.models import Server

BY_ID = (SortKey("id"),)

#: A hypervisor's id: its integer primary key, or its UUID.
NodeKey = int | uuid.UUID
#: Placement's bounds on an allocation ratio (a float column) and a reserve (an integer one).
MAX_RATIO = 3.40282e38
MAX_RESERVED = 2**31 - 1


@dataclass(frozen=True)
class ServerRef:
    """A server as a hypervisor listing names it."""

    uuid: str
    name: str


@dataclass
class Hypervisor:
    """A compute node with what a listing may add: the number of its servers with a task
    running (its workload), and its servers (None: not asked for)."""

    node: ComputeNode
    workload: int = 0
    servers: list[ServerRef] | None = None


@dataclass(frozen=True)
class Page:
    """From 2.33, a listing is paged: the hypervisors after ``marker`` (which must exist),
    at most ``limit`` of them (None: up to settings.API_MAX_LIMIT)."""

    marker: NodeKey | None = None
    limit: int | None = None


@dataclass
class Statistics:
    """Totals over every hypervisor (GET /os-hypervisors/statistics)."""

    count: int = 0
    vcpus: int = 0
    memory_mb: int = 0
    local_gb: int = 0
    vcpus_used: int = 0
    memory_mb_used: int = 0
    local_gb_used: int = 0
    free_ram_mb: int = 0
    free_disk_gb: int = 0
    current_workload: int = 0
    running_vms: int = 0
    disk_available_least: int = 0


def _nodes() -> QuerySet[ComputeNode]:
    """The compute nodes that have a Service record: one whose service was deleted is left out
    of listings and not found, as Nova does."""
    return ComputeNode.objects.filter(service__isnull=False).select_related("service").order_by("id")


def not_found(key: object) -> NotFound:
    """Nova's 404 for a hypervisor id that names none."""
    return NotFound(f"Hypervisor with ID '{key}' could not be found.")


def _by_key(rows: QuerySet[ComputeNode], key: NodeKey) -> ComputeNode | None:
    return rows.filter(uuid=key).first() if isinstance(key, uuid.UUID) else rows.filter(pk=key).first()


def servers_by_host(hosts: list[str]) -> dict[str, list[ServerRef]]:
    """The live servers on each host, oldest first (one query)."""
    found: dict[str, list[ServerRef]] = {}
    rows = Server.objects.filter(host__in=hosts, deleted=False).order_by("created_at", "id")
    for host, server_uuid, name in rows.values_list("host", "uuid", "name"):
        if host is not None:
            found.setdefault(host, []).append(ServerRef(str(server_uuid), name))
    return found


def workloads(hosts: list[str]) -> dict[str, int]:
    """How many servers with a task running each host has (one query)."""
    rows = (
        Server.objects.filter(host__in=hosts, deleted=False, task_state__isnull=False)
        .values_list("host")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {host: count for host, count in rows if host is not None}


def _described(nodes: list[ComputeNode], *, with_servers: bool, with_workload: bool) -> list[Hypervisor]:
    hosts = [node.host for node in nodes]
    busy = workloads(hosts) if with_workload else {}
    servers = servers_by_host(hosts) if with_servers else None
    return [
        Hypervisor(node, busy.get(node.host, 0), servers.get(node.host, []) if servers is not None else None)
        for node in nodes
    ]


def _page(rows: QuerySet[ComputeNode], page: Page | None) -> list[ComputeNode]:
    if page is None:
        return list(rows)
    marker = None
    if page.marker is not None:
        anchor = _by_key(ComputeNode.objects.all(), page.marker)
        if anchor is None:
            raise BadRequest(f"marker [{page.marker}] not found")
        marker = {"id": anchor.pk}
    limit = settings.API_MAX_LIMIT if page.limit is None else min(page.limit, settings.API_MAX_LIMIT)
    return keyset_page(rows, BY_ID, limit=limit, marker=marker)[0]


def list_hypervisors(
    caller: Caller,
    *,
    detail: bool = False,
    hostname_pattern: str | None = None,
    page: Page | None = None,
    with_servers: bool = False,
    with_workload: bool = False,
) -> list[Hypervisor]:
    """The hypervisors, one page of them when `page` is given; or (no paging then: 400) those
    whose hostname contains `hostname_pattern` (404 if none). `detail` is GET
    /os-hypervisors/detail (its own rule)."""
    policy.enforce(caller, policy.HYPERVISORS_LIST_DETAIL if detail else policy.HYPERVISORS_LIST)
    rows = _nodes()
    if hostname_pattern is not None:
        if page is not None and (page.limit is not None or page.marker is not None):
            raise BadRequest(
                "Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported."
            )
        nodes = _matching(hostname_pattern)
        return _described(nodes, with_servers=with_servers, with_workload=with_workload)
    return _described(_page(rows, page), with_servers=with_servers, with_workload=with_workload)


def _matching(pattern: str) -> list[ComputeNode]:
    """The hypervisors whose hostname contains `pattern`; none is a 404, as in Nova."""
    nodes = [] if "\x00" in pattern else list(_nodes().filter(hypervisor_hostname__icontains=pattern))
    if not nodes:
        raise NotFound(f"No hypervisor matching '{pattern}' could be found.")
    return nodes


def show_hypervisor(
    caller: Caller, key: NodeKey, *, with_servers: bool = False, with_workload: bool = False
) -> Hypervisor:
    """One hypervisor (404 if there is none)."""
    policy.enforce(caller, policy.HYPERVISORS_SHOW)
    node = _by_key(_nodes(), key)
    if node is None:
        raise not_found(key)
    return _described([node], with_servers=with_servers, with_workload=with_workload)[0]


def uptime(caller: Caller, key: NodeKey) -> Hypervisor:
    """One hypervisor, for its uptime (GET /os-hypervisors/{id}/uptime): 404 if there is none,
    400 while its compute service is down, 501 if its worker never reported an uptime."""
    policy.enforce(caller, policy.HYPERVISORS_UPTIME)
    node = _by_key(_nodes(), key)
    if node is None or node.service is None:
        raise not_found(key)
    if not is_up(node.service):
        raise BadRequest(f"Compute service of {node.host} is unavailable at this time.")
    if not node.uptime:
        raise NotSupported("The requested functionality is not supported.")
    return Hypervisor(node)


def current_uptime(node: ComputeNode) -> str | None:
    """What the detail view shows from 2.88: the reported uptime of a host that is up, else
    None (Nova's, when the host cannot be asked)."""
    return (node.uptime or None) if node.service is not None and is_up(node.service) else None


def search_hypervisors(caller: Caller, pattern: str, *, with_servers: bool = False) -> list[Hypervisor]:
    """The hypervisors whose hostname contains `pattern` (404 if none): GET
    /os-hypervisors/{pattern}/search, or /servers with `with_servers` (each its own rule)."""
    policy.enforce(caller, policy.HYPERVISORS_SERVERS if with_servers else policy.HYPERVISORS_SEARCH)
    return _described(_matching(pattern), with_servers=with_servers, with_workload=False)


def statistics(caller: Caller) -> Statistics:
    """Totals over the hypervisors of enabled compute services, as Nova sums them (free disk
    is counted as disk_available_least too)."""
    policy.enforce(caller, policy.HYPERVISORS_STATISTICS)
    nodes = list(ComputeNode.objects.filter(service__disabled=False, service__binary="nova-compute"))
    busy = workloads([node.host for node in nodes])
    totals = Statistics()
    for node in nodes:
        free_disk = node.local_gb - node.local_gb_used
        totals.count += 1
        totals.vcpus += node.vcpus
        totals.memory_mb += node.memory_mb
        totals.local_gb += node.local_gb
        totals.vcpus_used += node.vcpus_used
        totals.memory_mb_used += node.memory_mb_used
        totals.local_gb_used += node.local_gb_used
        totals.free_ram_mb += node.memory_mb - node.memory_mb_used
        totals.free_disk_gb += free_disk
        totals.current_workload += busy.get(node.host, 0)
        totals.running_vms += node.running_vms
        totals.disk_available_least += free_disk
    return totals


@dataclass(frozen=True)
class NodeInventory:
    """What an operator sets on a compute node (its inventory in Placement's terms): the
    allocation ratios and the amounts kept back for the host itself. Totals and usage are the
    compute worker's and the claims'."""

    cpu_allocation_ratio: float
    ram_allocation_ratio: float
    disk_allocation_ratio: float
    reserved_host_cpus: int
    reserved_host_memory_mb: int
    reserved_host_disk_mb: int


def _check_inventory(inventory: NodeInventory) -> None:
    """Placement's inventory schema (placement/schemas/inventory.py): a ratio is a number
    above 0, a reserve an integer of at least 0."""
    for name in ("cpu_allocation_ratio", "ram_allocation_ratio", "disk_allocation_ratio"):
        value = getattr(inventory, name)
        if not 0 < value <= MAX_RATIO:
            raise BadRequest(f"Invalid input for field/attribute {name}. Value: {value}. It must be greater than 0.")
    for name in ("reserved_host_cpus", "reserved_host_memory_mb", "reserved_host_disk_mb"):
        value = getattr(inventory, name)
        if not 0 <= value <= MAX_RESERVED:
            raise BadRequest(
                f"Invalid input for field/attribute {name}. Value: {value}. It must be between 0 and {MAX_RESERVED}."
            )


def update_inventory(caller: Caller, key: NodeKey, inventory: NodeInventory) -> ComputeNode:
    """Set a compute node's allocation ratios and reserves
    (placement:resource_providers:inventories:update). As Placement does, a capacity below
    what is already claimed is allowed: new claims fail until usage falls under it."""
    policy.enforce(caller, policy.NODE_INVENTORY_UPDATE)
    _check_inventory(inventory)
    node = _by_key(ComputeNode.objects.all(), key)
    if node is None:
        raise not_found(key)
    fields = list(asdict(inventory))
    for name in fields:
        setattr(node, name, getattr(inventory, name))
    node.save(update_fields=[*fields, "updated_at"])
    return node
