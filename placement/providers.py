"""The placement view of the scheduler's books: each compute node is a resource provider (its
own tree's root, named after its hypervisor) with VCPU, MEMORY_MB and DISK_GB inventories
from its totals, reserved amounts and effective allocation ratios (an aggregate's override,
else the host's, as ``scheduling.capacity`` counts them); the allocations are the claims'
``hosts.models.Allocation`` rows, and a provider's usages their sums. This is a view, not a
second source of truth: nothing here writes.

Placement counts a provider's ``generation`` up on each change of it; the scheduler keeps no
such counter, and writes are not offered here, so every generation is 0."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet, Sum

from core import policy
from core.exceptions import NotFound
from core.principal import Caller
from hosts.models import AggregateHost, Allocation, ComputeNode
from servers.models import Migration

#: Placement's standard resource classes, each with the compute node's columns that give its
#: (total, reserved, used) and the allocation's column.
RESOURCE_CLASSES = ("VCPU", "MEMORY_MB", "DISK_GB")
ALLOCATION_COLUMNS = {"VCPU": "vcpus", "MEMORY_MB": "memory_mb", "DISK_GB": "disk_gb"}
GENERATION = 0


@dataclass(frozen=True)
class Inventory:
    """One resource class of a provider, as Placement's inventory describes it."""

    total: int
    reserved: int
    allocation_ratio: float
    min_unit: int = 1
    step_size: int = 1

    @property
    def max_unit(self) -> int:
        """The most one allocation may take: the whole total, as Nova's driver reports it."""
        return self.total


@dataclass(frozen=True)
class ProviderFilter:
    """GET /resource_providers' filters: by name, by uuid, and ``in_tree`` (the tree a
    provider roots: each compute node is alone in its own)."""

    name: str | None = None
    uuid: UUID | None = None
    in_tree: UUID | None = None


def list_providers(caller: Caller, found: ProviderFilter) -> QuerySet[ComputeNode]:
    """The resource providers, in the order the compute nodes were created."""
    policy.enforce(caller, policy.PLACEMENT_PROVIDERS_LIST)
    nodes = ComputeNode.objects.all()
    if found.name is not None:
        nodes = nodes.filter(hypervisor_hostname=found.name)
    for wanted in (found.uuid, found.in_tree):
        if wanted is not None:
            nodes = nodes.filter(uuid=wanted)
    return nodes


def _node(provider: UUID | None, raw: str) -> ComputeNode:
    node = None if provider is None else ComputeNode.objects.filter(uuid=provider).first()
    if node is None:
        raise NotFound(f"No resource provider with uuid {raw} found")
    return node


def get_provider(caller: Caller, provider: UUID | None, raw: str) -> ComputeNode:
    """One resource provider (``raw``: its uuid as the URL gave it, for the 404)."""
    policy.enforce(caller, policy.PLACEMENT_PROVIDERS_SHOW)
    return _node(provider, raw)


def inventories_of(node: ComputeNode) -> dict[str, Inventory]:
    """The node's inventories. Reserved disk is Nova's: the reserved MB rounded up to GB."""
    return {
        "VCPU": Inventory(node.vcpus, node.reserved_host_cpus, node.effective_cpu_allocation_ratio),
        "MEMORY_MB": Inventory(node.memory_mb, node.reserved_host_memory_mb, node.effective_ram_allocation_ratio),
        "DISK_GB": Inventory(
            node.local_gb, -(-node.reserved_host_disk_mb // 1024), node.effective_disk_allocation_ratio
        ),
    }


def inventories(caller: Caller, provider: UUID | None, raw: str) -> dict[str, Inventory]:
    """A provider's inventories (placement:resource_providers:inventories:list)."""
    policy.enforce(caller, policy.PLACEMENT_INVENTORIES_LIST)
    return inventories_of(_node(provider, raw))


def usages(caller: Caller, provider: UUID | None, raw: str) -> dict[str, int]:
    """What the allocations against a provider add up to, per resource class."""
    policy.enforce(caller, policy.PLACEMENT_USAGES)
    node = _node(provider, raw)
    sums = Allocation.objects.filter(compute_node=node).aggregate(
        **{name: Sum(column) for name, column in ALLOCATION_COLUMNS.items()}
    )
    return {name: sums[name] or 0 for name in RESOURCE_CLASSES}


def _amounts(row: Allocation) -> dict[str, int]:
    """An allocation's non-zero amounts by resource class (Placement stores no zero)."""
    return {name: getattr(row, column) for name, column in ALLOCATION_COLUMNS.items() if getattr(row, column)}


def provider_allocations(caller: Caller, provider: UUID | None, raw: str) -> dict[UUID, dict[str, int]]:
    """The allocations against a provider, by consumer."""
    policy.enforce(caller, policy.PLACEMENT_PROVIDER_ALLOCATIONS)
    node = _node(provider, raw)
    return {row.consumer: _amounts(row) for row in Allocation.objects.filter(compute_node=node).order_by("id")}


def provider_aggregates(caller: Caller, provider: UUID | None, raw: str) -> list[UUID]:
    """The aggregates a provider is in: its host's aggregates, whose uuids Nova mirrors into
    Placement as the provider's aggregates."""
    policy.enforce(caller, policy.PLACEMENT_PROVIDER_AGGREGATES)
    node = _node(provider, raw)
    return list(
        AggregateHost.objects.filter(host=node.host).order_by("aggregate_id").values_list("aggregate__uuid", flat=True)
    )


def provider_traits(caller: Caller, provider: UUID | None, raw: str) -> list[str]:
    """A provider's traits: none, as no scheduling rule here selects hosts by trait."""
    policy.enforce(caller, policy.PLACEMENT_PROVIDER_TRAITS)
    _node(provider, raw)
    return []


@dataclass(frozen=True)
class ConsumerAllocation:
    """What a consumer holds on one provider."""

    provider: UUID
    resources: dict[str, int]
    project_id: str
    user_id: str
    consumer_type: str


def consumer_allocations(caller: Caller, consumer: UUID | None) -> list[ConsumerAllocation]:
    """The allocations of a consumer (a server, or a migration during a move): one per
    provider; none for a consumer that holds nothing (or a malformed id: Placement answers
    an empty set for an unknown consumer)."""
    policy.enforce(caller, policy.PLACEMENT_ALLOCATIONS_LIST)
    if consumer is None:
        return []
    rows = Allocation.objects.filter(consumer=consumer).select_related("compute_node").order_by("id")
    if not rows:
        return []
    # A move holds the source's allocation under the migration's uuid (Placement's MIGRATION
    # consumer type); every other consumer is a server.
    kind = "MIGRATION" if Migration.objects.filter(uuid=consumer).exists() else "INSTANCE"
    return [
        ConsumerAllocation(
            row.compute_node.uuid,
            _amounts(row),
            row.project_id,
            row.user_id,
            kind,
        )
        for row in rows
    ]
