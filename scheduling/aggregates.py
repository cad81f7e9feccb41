"""Aggregate metadata as the scheduler reads it, and the compute-node mirrors it maintains.

Nova reads a host's aggregate metadata as one dict of sets: each aggregate's value is split on
commas and the values of all the host's aggregates are merged (`metadata_values`). Numeric
overrides (allocation ratios, weight multipliers) take the minimum valid value
(`min_float`).

The zone and the allocation-ratio overrides are mirrored onto ComputeNode
(`availability_zone`, `aggregate_*_allocation_ratio`) so that the candidate query and the
claim read them from the node's own row, which is what makes the claim enforce the same
effective ratio as the filter without a join. Model signals keep the mirrors current whenever
an aggregate, a membership or a compute node is saved or deleted; `sync_hosts()` recomputes
them from scratch (for bulk loads that bypass signals, such as the benchmark's).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from hosts.models import Aggregate, AggregateHost, ComputeNode

log = logging.getLogger(__name__)

#: An aggregate's metadata as stored (a JSON object: strings, unless written around the API).
Metadata = dict[str, Any]
#: A compute node's mirror columns: its zone, then each ratio override (MIRROR_COLUMNS).
Mirrors = tuple[str | float | None, ...]

# Aggregate metadata keys that override a host's allocation ratio, and the mirror column each
# one fills.
RATIO_COLUMNS = {
    "cpu_allocation_ratio": "aggregate_cpu_allocation_ratio",
    "ram_allocation_ratio": "aggregate_ram_allocation_ratio",
    "disk_allocation_ratio": "aggregate_disk_allocation_ratio",
}
MIRROR_COLUMNS = ("availability_zone", *RATIO_COLUMNS.values())
# PostgreSQL's two-key advisory lock of the mirrors ("NvAg", 0): see _serialise_with_writers.
LOCK_KEY = (int.from_bytes(b"NvAg", "big"), 0)


def split_values(value: object) -> set[str]:
    """One aggregate's value for a key as a set: "a, b" -> {"a", "b"} (Nova's rule)."""
    return {item.strip() for item in str(value).split(",")}


def metadata_values(metadatas: Iterable[Mapping[str, Any]], key: str) -> set[str]:
    """The merged values of `key` over several aggregates' metadata (empty if none has it)."""
    values: set[str] = set()
    for metadata in metadatas:
        if key in metadata:
            values |= split_values(metadata[key])
    return values


def min_float(values: Iterable[str], *, key: str = "") -> float | None:
    """The smallest value that parses as a float, or None; invalid values are logged and
    ignored, as Nova does, so one bad aggregate never breaks scheduling."""
    numbers = []
    for value in values:
        try:
            numbers.append(float(value))
        except ValueError:
            log.warning("ignoring aggregate metadata %s=%r: not a number", key, value)
    return min(numbers) if numbers else None


def mirrors_for(aggregates: list[Aggregate]) -> Mirrors:
    """The mirror column values for a host in `aggregates` (ordered by id): its zone (the
    first zoned aggregate's, as hosts.zones.zone_of_host) and each ratio override."""
    zone = next((a.availability_zone for a in aggregates if a.availability_zone), None)
    metadatas = [a.metadata or {} for a in aggregates]
    ratios = tuple(min_float(metadata_values(metadatas, key), key=key) for key in RATIO_COLUMNS)
    return (zone, *ratios)


def sync_hosts(hosts: Iterable[str] | None = None) -> int:
    """Recompute the mirrors of the given hosts' compute nodes (all nodes when None). Returns
    how many nodes changed. A few queries whatever the number of hosts: rows that end up
    with the same values are updated together."""
    nodes = ComputeNode.objects.all()
    memberships = AggregateHost.objects.all()
    if hosts is not None:
        hosts = list(hosts)
        if not hosts:
            return 0
        nodes = nodes.filter(host__in=hosts)
        memberships = memberships.filter(host__in=hosts)
    _serialise_with_writers()
    aggregates = {a.id: a for a in Aggregate.objects.only("id", "metadata", "availability_zone")}
    by_host: dict[str, list[Aggregate]] = {}
    for host, aggregate_id in memberships.order_by("aggregate_id").values_list("host", "aggregate_id"):
        by_host.setdefault(host, []).append(aggregates[aggregate_id])
    changes: dict[Mirrors, list[int]] = {}
    for pk, host, *current in nodes.values_list("pk", "host", *MIRROR_COLUMNS):
        wanted = mirrors_for(by_host.get(host, []))
        if tuple(current) != wanted:
            changes.setdefault(wanted, []).append(pk)
    for values, pks in changes.items():
        ComputeNode.objects.filter(pk__in=pks).update(**dict(zip(MIRROR_COLUMNS, values, strict=True)))
    return sum(len(pks) for pks in changes.values())


def _serialise_with_writers() -> None:
    """Hold the mirrors' lock until the current transaction ends. A membership added to a host
    while that host's first report creates its node: each transaction's sync runs before the
    other commits, so neither sees the other's row and the node keeps no zone. With the lock,
    the second sync waits for the first transaction to commit and then sees both rows.
    Writes that change mirrors are rare (a node's first report, an aggregate change), so one
    lock for all of them costs nothing. SQLite serialises writers already; outside a
    transaction the write being synced has committed, so the later sync sees both."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", LOCK_KEY)


# --- signals ---------------------------------------------------------------------------------
# Deleting an aggregate cascades to its memberships; their own handlers stand aside and the
# aggregate's post_delete resyncs all its hosts at once instead of one by one. What a pre_*
# handler learns for its post_* handler is kept per thread: the hosts of each aggregate being
# deleted (by aggregate id), and the host a membership had before a save (by object).
_state = threading.local()


def _deleting() -> dict[int, list[str]]:
    """Aggregates being deleted by this thread, with their hosts."""
    if not hasattr(_state, "deleting"):
        _state.deleting = {}
    deleting: dict[int, list[str]] = _state.deleting
    return deleting


def _old_hosts() -> dict[int, str | None]:
    """The host each membership being saved by this thread had (by id() of the object)."""
    if not hasattr(_state, "old_hosts"):
        _state.old_hosts = {}
    old_hosts: dict[int, str | None] = _state.old_hosts
    return old_hosts


def _aggregate_saved(sender: type, instance: Aggregate, **kwargs: object) -> None:
    sync_hosts(AggregateHost.objects.filter(aggregate_id=instance.pk).values_list("host", flat=True))


def _aggregate_deleting(sender: type, instance: Aggregate, **kwargs: object) -> None:
    _deleting()[instance.pk] = list(instance.hosts.values_list("host", flat=True))


def _aggregate_deleted(sender: type, instance: Aggregate, **kwargs: object) -> None:
    sync_hosts(_deleting().pop(instance.pk, []))


def _membership_saving(sender: type, instance: AggregateHost, **kwargs: object) -> None:
    # A membership moved to another host: the old host must be resynced too.
    if instance.pk and not kwargs.get("raw"):
        old = AggregateHost.objects.filter(pk=instance.pk).values_list("host", flat=True).first()
        _old_hosts()[id(instance)] = old


def _membership_changed(sender: type, instance: AggregateHost, **kwargs: object) -> None:
    old = _old_hosts().pop(id(instance), None)
    if instance.aggregate_id in _deleting():
        return
    sync_hosts({instance.host, old or instance.host})


def _node_saved(sender: type, instance: ComputeNode, created: bool = False, **kwargs: object) -> None:
    if created:
        sync_hosts([instance.host])


def connect() -> None:
    """Register the handlers (SchedulingConfig.ready)."""
    post_save.connect(_aggregate_saved, sender=Aggregate, dispatch_uid="scheduling.aggregate_saved")
    pre_delete.connect(_aggregate_deleting, sender=Aggregate, dispatch_uid="scheduling.aggregate_deleting")
    post_delete.connect(_aggregate_deleted, sender=Aggregate, dispatch_uid="scheduling.aggregate_deleted")
    pre_save.connect(_membership_saving, sender=AggregateHost, dispatch_uid="scheduling.membership_saving")
    post_save.connect(_membership_changed, sender=AggregateHost, dispatch_uid="scheduling.membership_saved")
    post_delete.connect(_membership_changed, sender=AggregateHost, dispatch_uid="scheduling.membership_deleted")
    post_save.connect(_node_saved, sender=ComputeNode, dispatch_uid="scheduling.node_saved")
