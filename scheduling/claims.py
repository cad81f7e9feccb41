"""Atomic resource claims against compute nodes.

A claim is one conditional UPDATE (used + requested <= total * ratio - reserved, checked by the
database in the same statement that adds the usage) plus the Allocation row, in one
transaction. Any number of schedulers or conductors may claim at once: PostgreSQL re-checks
the WHERE clause against the latest row version, so the loser simply updates zero rows.
Claims and releases are idempotent, because Celery may deliver a task twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from hosts.models import Allocation, ComputeNode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resources:
    """What a consumer asks for on one host."""

    vcpus: int
    memory_mb: int
    disk_gb: int

    @classmethod
    def from_flavor(cls, flavor: dict) -> "Resources":
        disk = flavor.get("root_gb", 0) + flavor.get("ephemeral_gb", 0) + -(-flavor.get("swap", 0) // 1024)
        return cls(flavor["vcpus"], flavor["memory_mb"], disk)


def fits_filter(res: Resources) -> dict:
    """Django filter kwargs: the node has room for `res` (used + res <= capacity)."""
    return {
        "vcpus_used__lte": F("vcpus") * F("cpu_allocation_ratio") - F("reserved_host_cpus") - res.vcpus,
        "memory_mb_used__lte": F("memory_mb") * F("ram_allocation_ratio") - F("reserved_host_memory_mb") - res.memory_mb,
        "local_gb_used__lte": F("local_gb") * F("disk_allocation_ratio") - F("reserved_host_disk_mb") / 1024.0 - res.disk_gb,
    }


def claim(node_id: int, consumer: str, res: Resources, *, project_id: str, user_id: str) -> bool:
    """Claim `res` on the node for `consumer`. True when the consumer holds the claim (also
    when it already did); False when the node has no room left."""
    if Allocation.objects.filter(consumer=consumer, compute_node_id=node_id).exists():
        return True
    try:
        with transaction.atomic():
            updated = ComputeNode.objects.filter(pk=node_id, **fits_filter(res)).update(
                vcpus_used=F("vcpus_used") + res.vcpus,
                memory_mb_used=F("memory_mb_used") + res.memory_mb,
                local_gb_used=F("local_gb_used") + res.disk_gb,
                running_vms=F("running_vms") + 1,
            )
            if not updated:
                return False
            Allocation.objects.create(
                consumer=consumer, compute_node_id=node_id, vcpus=res.vcpus,
                memory_mb=res.memory_mb, disk_gb=res.disk_gb, project_id=project_id, user_id=user_id,
            )
    except IntegrityError:
        # A duplicate delivery of the same claim won the race: the consumer holds it once.
        return True
    return True


def release(consumer: str, *, host: str | None = None) -> int:
    """Release the consumer's allocations (on `host` only, when given). Returns how many."""
    with transaction.atomic():
        allocations = Allocation.objects.select_for_update().filter(consumer=consumer)
        if host is not None:
            allocations = allocations.filter(compute_node__host=host)
        released = 0
        for allocation in allocations:
            ComputeNode.objects.filter(pk=allocation.compute_node_id).update(
                vcpus_used=F("vcpus_used") - allocation.vcpus,
                memory_mb_used=F("memory_mb_used") - allocation.memory_mb,
                local_gb_used=F("local_gb_used") - allocation.disk_gb,
                running_vms=F("running_vms") - 1,
            )
            allocation.delete()
            released += 1
    return released
