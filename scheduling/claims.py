"""Atomic resource claims against compute nodes.

A claim is one conditional UPDATE (free = total x effective ratio - reserved - used must be at
least the request, checked by the database in the statement that adds the usage) plus the
Allocation row, atomically. Any number of schedulers or conductors may claim at once:
PostgreSQL re-checks the WHERE clause against the latest row version, so the loser simply
updates zero rows. Claims and releases are idempotent, because Celery may deliver a task twice.

On PostgreSQL the UPDATE and the INSERT are one statement (a data-modifying CTE): one round
trip, atomic by itself, and no transaction is held open across statements. Elsewhere (the
SQLite demo) they run in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from hosts.models import Allocation, ComputeNode

from .capacity import FREE_DISK_GB, FREE_RAM_MB, FREE_VCPUS, fits_sql, free

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resources:
    """What a consumer asks for on one host."""

    vcpus: int
    memory_mb: int
    disk_gb: int

    @classmethod
    def from_flavor(cls, flavor: Mapping[str, Any], *, is_bfv: bool = False) -> Resources:
        """What a server of the flavor asks of its host: the flavor's vCPUs and RAM, and its
        ephemeral + swap disk (GB, swap rounded up) plus the root disk unless the server is
        volume-backed (``is_bfv``: its root disk is a volume, not on the host; Nova's
        resources_from_request_spec). The one place a claim's disk is computed."""
        root = 0 if is_bfv else flavor.get("root_gb", 0)
        disk = root + flavor.get("ephemeral_gb", 0) + -(-flavor.get("swap", 0) // 1024)
        return cls(flavor["vcpus"], flavor["memory_mb"], disk)


_CLAIM_SQL = f"""
WITH node AS (
    UPDATE hosts_computenode AS n
       SET vcpus_used = n.vcpus_used + %s, memory_mb_used = n.memory_mb_used + %s,
           local_gb_used = n.local_gb_used + %s, running_vms = n.running_vms + 1
     WHERE n.id = %s AND {fits_sql("n")}
 RETURNING n.id
)
INSERT INTO hosts_allocation (consumer, compute_node_id, vcpus, memory_mb, disk_gb, project_id, user_id, created_at)
SELECT %s::uuid, node.id, %s, %s, %s, %s, %s, now() FROM node
RETURNING id
"""


# The scheduler's variant: no claim at all if the consumer already holds resources anywhere
# (a redelivered request keeps what it has), checked in the same statement.
_CLAIM_IF_NEW_SQL = _CLAIM_SQL.replace(
    "WHERE n.id = %s AND ",
    "WHERE n.id = %s AND NOT EXISTS (SELECT 1 FROM hosts_allocation h WHERE h.consumer = %s::uuid) AND ",
)


def _claim_in_one_statement(
    node_id: int, consumer: str, res: Resources, project_id: str, user_id: str, *, if_new: bool = False
) -> bool:
    """PostgreSQL: True when this statement made the claim. A duplicate (consumer, node) raises
    IntegrityError and undoes the UPDATE with it, so usage is never counted twice."""
    where = [node_id, str(consumer)] if if_new else [node_id]
    params = [
        res.vcpus,
        res.memory_mb,
        res.disk_gb,
        *where,
        res.vcpus,
        res.memory_mb,
        res.disk_gb,
        str(consumer),
        res.vcpus,
        res.memory_mb,
        res.disk_gb,
        project_id,
        user_id,
    ]
    sql = _CLAIM_IF_NEW_SQL if if_new else _CLAIM_SQL
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Inside a caller's transaction a failed statement would poison it: use a savepoint.
            with transaction.atomic():
                cursor.execute(sql, params)
                return cursor.fetchone() is not None
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def _claim_in_transaction(node_id: int, consumer: str, res: Resources, project_id: str, user_id: str) -> bool:
    """Other databases: conditional UPDATE then INSERT in one transaction."""
    table = ComputeNode._meta.db_table
    with transaction.atomic():
        updated = (
            ComputeNode.objects.filter(pk=node_id)
            .extra(
                where=[
                    f"{free(FREE_VCPUS, table)} >= %s",
                    f"{free(FREE_RAM_MB, table)} >= %s",
                    f"{free(FREE_DISK_GB, table)} >= %s",
                ],
                params=[res.vcpus, res.memory_mb, res.disk_gb],
            )
            .update(
                vcpus_used=F("vcpus_used") + res.vcpus,
                memory_mb_used=F("memory_mb_used") + res.memory_mb,
                local_gb_used=F("local_gb_used") + res.disk_gb,
                running_vms=F("running_vms") + 1,
            )
        )
        if not updated:
            return False
        Allocation.objects.create(
            consumer=consumer,
            compute_node_id=node_id,
            vcpus=res.vcpus,
            memory_mb=res.memory_mb,
            disk_gb=res.disk_gb,
            project_id=project_id,
            user_id=user_id,
        )
    return True


def claim(node_id: int, consumer: str, res: Resources, *, project_id: str, user_id: str) -> bool:
    """Claim `res` on the node for `consumer`. True when the consumer holds the claim (also
    when it already did); False when the node has no room left."""
    make = _claim_in_one_statement if connection.vendor == "postgresql" else _claim_in_transaction
    try:
        if make(node_id, consumer, res, project_id, user_id):
            return True
    except IntegrityError:
        # The consumer already holds this node (a duplicate delivery): it holds it once.
        return True
    # No room: unless the consumer already holds it (then the claim stands, idempotently).
    return Allocation.objects.filter(consumer=consumer, compute_node_id=node_id).exists()


def claim_unless_held(node_id: int, consumer: str, res: Resources, *, project_id: str, user_id: str) -> int | None:
    """The scheduler's claim: claim `res` on the node unless the consumer already holds
    resources somewhere (a redelivered request). Returns the id of the node the consumer now
    holds (this one, or the one it held already), or None when this node has no room."""
    if connection.vendor == "postgresql":
        try:
            if _claim_in_one_statement(node_id, consumer, res, project_id, user_id, if_new=True):
                return node_id
        except IntegrityError:
            return node_id
    else:
        held = held_node(consumer)
        if held is not None:
            return held
        if claim(node_id, consumer, res, project_id=project_id, user_id=user_id):
            return node_id
    # No room here, or already held: the allocation says which.
    return held_node(consumer)


def held_node(consumer: str) -> int | None:
    """The node a consumer holds resources on (any one of them), or None."""
    # No ORDER BY (as .first() would add): the planner might walk the primary key instead of
    # probing the consumer index, reading every allocation when the consumer has none.
    found = Allocation.objects.filter(consumer=consumer).order_by().values_list("compute_node_id", flat=True)[:1]
    return next(iter(found), None)


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
