"""Server groups as the scheduler sees them: the policy, where the members already are, and
the lock that makes a hard policy hold under concurrent decisions.

Where a server is: its `host` column and the hosts of its allocations. The allocation counts
because the claim writes it in the same statement that takes the room, long before the
conductor writes `Server.host`; a decision that reads both sees every placement a finished
decision made, including ones still being built.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from core.ids import parse_uuid
from hosts.models import Allocation, ComputeNode
from servers.models import Server, ServerGroup

log = logging.getLogger(__name__)

HARD_POLICIES = ("affinity", "anti-affinity")
# First key of PostgreSQL's two-key advisory locks: "NvSG", so our locks never collide with
# another feature's; the second key is the group's id.
LOCK_NAMESPACE = int.from_bytes(b"NvSG", "big")


@dataclass
class GroupInfo:
    """The request's server group. `member_hosts` counts the group's other servers per host
    (filled by `load_members`, under the lock for hard policies)."""

    pk: int
    uuid: str
    policy: str
    max_server_per_host: int = 1
    member_hosts: Counter[str] = field(default_factory=Counter)

    @property
    def hard(self) -> bool:
        return self.policy in HARD_POLICIES


def _as_uuid(value: object) -> str | None:
    """`value` as a canonical UUID string, or None when it is not one."""
    parsed = parse_uuid(value)
    return str(parsed) if parsed is not None else None


def load_group(hints: Mapping[str, Any]) -> GroupInfo | None:
    """The group named by the `group` scheduler hint, if it exists."""
    group_uuid = _as_uuid(hints.get("group")) if hints.get("group") else None
    if group_uuid is None:
        return None
    row = next(
        iter(ServerGroup.objects.filter(uuid=group_uuid).order_by().values_list("pk", "policy", "rules")[:1]), None
    )
    if row is None:
        log.warning("scheduler hint names server group %s, which does not exist; ignored", group_uuid)
        return None
    pk, policy, rules = row
    try:
        limit = max(int((rules or {}).get("max_server_per_host", 1)), 1)
    except (TypeError, ValueError):
        limit = 1
    return GroupInfo(pk=pk, uuid=group_uuid, policy=policy, max_server_per_host=limit)


def hosts_of_servers(server_uuids: Iterable[str]) -> dict[str, set[str]]:
    """Every host each (non-deleted) server is on or holds resources on: two queries."""
    uuids = [u for u in map(_as_uuid, server_uuids) if u]
    if not uuids:
        return {}
    where: dict[str, set[str]] = {}
    for server_uuid, host in Server.objects.filter(uuid__in=uuids, deleted=False).values_list("uuid", "host"):
        where.setdefault(str(server_uuid), set())
        if host:
            where[str(server_uuid)].add(host)
    # The node's host by a scalar subquery: a primary-key probe per allocation, where a join
    # could read every compute node when statistics are off.
    node_host = ComputeNode.objects.filter(pk=OuterRef("compute_node_id")).values("host")[:1]
    allocations = Allocation.objects.filter(consumer__in=list(where)).order_by().annotate(node_host=Subquery(node_host))
    for consumer, host in allocations.values_list("consumer", "node_host"):
        where[str(consumer)].add(host)
    return where


def load_members(group: GroupInfo, exclude: Iterable[str]) -> None:
    """Fill `group.member_hosts` with the hosts of the group's servers other than `exclude`
    (the instances being placed now)."""
    excluded = {u for u in map(_as_uuid, exclude) if u}
    members = [
        str(u)
        for u in Server.objects.filter(group_membership__group_id=group.pk, deleted=False).values_list(
            "uuid", flat=True
        )
    ]
    counts: Counter[str] = Counter()
    for hosts in hosts_of_servers(u for u in members if u not in excluded).values():
        counts.update(hosts)
    group.member_hosts = counts


@contextmanager
def serialised(group: GroupInfo) -> Iterator[None]:
    """Hold the group's lock: one decision at a time for this group, across every scheduler
    worker and machine. Claims made while it is held are committed before it is released,
    so the next decision sees them.

    PostgreSQL: an advisory lock keyed by the group, so the decision's claims stay short
    autocommit statements (no node rows locked for the decision's duration, hence no
    deadlocks between groups). Inside a caller's transaction the transaction-level lock is
    used instead, released when that transaction commits with the claims. Other databases:
    one transaction that locks the group row (SQLite serialises writers anyway).
    """
    if connection.vendor == "postgresql":
        key = (LOCK_NAMESPACE, group.pk % 2**31)
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", key)
                yield
                return
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
            try:
                yield
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        return
    with transaction.atomic():
        list(ServerGroup.objects.select_for_update().filter(pk=group.pk).values_list("pk"))
        yield
