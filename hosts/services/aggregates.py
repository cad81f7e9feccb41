"""Host aggregates: list, show, create, rename and rezone, delete, host membership and
metadata (nova/compute/api.py AggregateAPI). Every function enforces its os-aggregates rule
first. The rules an aggregate or a membership must satisfy are their models' ``clean()``.

The compute-node mirrors of aggregate metadata (zone, ratio overrides) are refreshed by
scheduling.aggregates' model signals whenever an Aggregate or AggregateHost is saved or
deleted, so nothing here writes them directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import policy
from core.exceptions import BadRequest, Conflict, NotFound
from core.principal import Caller
from hosts.models import (
    ZONE_KEY,
    Aggregate,
    AggregateHost,
    host_is_known,
    validate_metadata,
    validate_name,
    validate_zone_for_hosts,
    zone_clash,
)
from servers.models import Server

from .validation import checked, clean

#: The largest id an aggregate can have (a 32-bit integer column, as Nova's).
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class AggregateUpdate:
    """What PUT /os-aggregates/{id} changes: the name when ``rename``, the zone (None: no
    zone) when ``rezone``."""

    rename: bool = False
    name: str | None = None
    rezone: bool = False
    availability_zone: str | None = None


def list_aggregates(caller: Caller) -> list[Aggregate]:
    """Every aggregate with its members, in id order."""
    policy.enforce(caller, policy.AGGREGATES_INDEX)
    return list(Aggregate.objects.prefetch_related("hosts").order_by("id"))


def _find(aggregate_id: int, *, lock: bool = False) -> Aggregate:
    rows = Aggregate.objects.select_for_update() if lock else Aggregate.objects.all()
    aggregate = rows.filter(pk=aggregate_id).first() if 0 <= aggregate_id <= MAX_ID else None
    if aggregate is None:
        raise NotFound(f"Aggregate {aggregate_id} could not be found.")
    return aggregate


def get_aggregate(caller: Caller, aggregate_id: int) -> Aggregate:
    """The aggregate with this id (404 if there is none)."""
    policy.enforce(caller, policy.AGGREGATES_SHOW)
    return _find(aggregate_id)


def _zone_metadata(metadata: Mapping[str, str], zone: str | None) -> dict[str, str]:
    """`metadata` naming `zone` (None: naming none)."""
    changed = {key: value for key, value in metadata.items() if key != ZONE_KEY}
    if zone is not None:
        changed[ZONE_KEY] = zone
    return changed


def _save(aggregate: Aggregate) -> None:
    """Save a cleaned aggregate; a name taken meanwhile (a concurrent create) is 409."""
    try:
        with transaction.atomic():
            aggregate.save()
    except IntegrityError:
        raise Conflict(f"Aggregate {aggregate.name} already exists.") from None


def _refuse_taken_name(name: str, aggregate: Aggregate | None = None) -> None:
    others = Aggregate.objects.filter(name=name)
    if aggregate is not None:
        others = others.exclude(pk=aggregate.pk)
    if others.exists():
        raise Conflict(f"Aggregate {name} already exists.")


def create_aggregate(caller: Caller, name: str, availability_zone: str | None = None) -> Aggregate:
    """A new aggregate, optionally naming a zone (409 if the name is taken)."""
    policy.enforce(caller, policy.AGGREGATES_CREATE)
    aggregate = Aggregate(name=name, metadata=_zone_metadata({}, availability_zone))
    clean(aggregate)
    _refuse_taken_name(name)
    _save(aggregate)
    return aggregate


def _refuse_empty_zone(aggregate: Aggregate, zone: str | None) -> None:
    """An aggregate's zone may be renamed, never emptied (Nova's is_safe_to_update_az: 400)."""
    if not zone:
        raise BadRequest(f"Aggregate {aggregate.name} does not support an empty availability zone name.")


def update_aggregate(caller: Caller, aggregate_id: int, changes: AggregateUpdate) -> Aggregate:
    """Rename and/or rezone an aggregate (409 if the new name is taken; a zone cannot be
    removed this way, 400)."""
    policy.enforce(caller, policy.AGGREGATES_UPDATE)
    with transaction.atomic():
        aggregate = _find(aggregate_id, lock=True)
        if changes.rezone:
            _refuse_empty_zone(aggregate, changes.availability_zone)
        if changes.rename:
            checked(validate_name, changes.name)
            _refuse_taken_name(str(changes.name), aggregate)
            aggregate.name = str(changes.name)
        if changes.rezone:
            aggregate.metadata = _zone_metadata(aggregate.metadata or {}, changes.availability_zone)
        clean(aggregate)
        _save(aggregate)
    return aggregate


def delete_aggregate(caller: Caller, aggregate_id: int) -> None:
    """Delete an empty aggregate (400 while hosts remain, as Nova)."""
    policy.enforce(caller, policy.AGGREGATES_DELETE)
    with transaction.atomic():
        aggregate = _find(aggregate_id, lock=True)
        if aggregate.hosts.exists():
            raise BadRequest(f"Cannot remove aggregate {aggregate.pk}: it still has hosts. Remove them first.")
        aggregate.delete()


def _touch(aggregate: Aggregate) -> Aggregate:
    """Stamp a membership change on the aggregate, and read it back."""
    Aggregate.objects.filter(pk=aggregate.pk).update(updated_at=timezone.now())
    return Aggregate.objects.get(pk=aggregate.pk)


def _zone_through_aggregates(host: str, excluding: Aggregate | None = None) -> str | None:
    """The zone `host`'s aggregates (but `excluding`) put it in; None when none names one."""
    rows = AggregateHost.objects.filter(host=host, aggregate__availability_zone__isnull=False)
    if excluding is not None:
        rows = rows.exclude(aggregate=excluding)
    zone: str | None = rows.order_by("aggregate_id").values_list("aggregate__availability_zone", flat=True).first()
    return zone


def _refuse_moving_servers(aggregate: Aggregate, host: str, before: str | None, after: str | None) -> None:
    """A membership change must not move the servers of `host` to another zone: their zone
    is part of what they were booted with (Nova answers 409)."""
    if before != after and Server.objects.filter(host=host, deleted=False).exists():
        raise Conflict(
            f"Cannot change the membership of host {host} in aggregate {aggregate.pk}: its availability zone "
            f"would change from {before} to {after}, and servers run on it. Move them off the host first."
        )


def add_host(caller: Caller, aggregate_id: int, host: str) -> Aggregate:
    """Make `host` a member (404 unknown host; 409 already a member, or a zone that clashes
    with its other aggregates', or one that would move its servers)."""
    policy.enforce(caller, policy.AGGREGATES_ADD_HOST)
    checked(validate_name, host, "host")
    if not host_is_known(host):
        raise NotFound(f"Compute host {host} could not be found.")
    with transaction.atomic():
        aggregate = _find(aggregate_id, lock=True)
        zone = aggregate.zone_in_metadata
        clash = zone_clash(aggregate, [host], zone)
        if clash is not None:
            raise Conflict(
                f"Cannot add host {host} to aggregate {aggregate.pk}: it is already in availability zone "
                f"{clash[1]}, and this aggregate is zone {zone}."
            )
        if zone is not None:
            _refuse_moving_servers(aggregate, host, _zone_through_aggregates(host), zone)
        if aggregate.hosts.filter(host=host).exists():
            raise Conflict(f"Aggregate {aggregate.pk} already has host {host}.")
        AggregateHost.objects.create(aggregate=aggregate, host=host)
        return _touch(aggregate)


def preassign_host(caller: Caller, aggregate_id: int, host: str) -> Aggregate:
    """Make `host` a member before its compute service has ever reported (the demo cloud lays
    out its zones before its workers start, where add_host would answer 404). The zone rule
    still holds; a host that is already a member stays as it is."""
    policy.enforce(caller, policy.AGGREGATES_ADD_HOST)
    checked(validate_name, host, "host")
    with transaction.atomic():
        aggregate = _find(aggregate_id, lock=True)
        if aggregate.hosts.filter(host=host).exists():
            return aggregate
        checked(validate_zone_for_hosts, aggregate, [host], aggregate.zone_in_metadata)
        AggregateHost.objects.create(aggregate=aggregate, host=host)
        return _touch(aggregate)


def remove_host(caller: Caller, aggregate_id: int, host: str) -> Aggregate:
    """Remove a member (404 if the host is unknown or not a member, in Nova's one sentence;
    409 if leaving would move its servers to another zone)."""
    policy.enforce(caller, policy.AGGREGATES_REMOVE_HOST)
    checked(validate_name, host, "host")
    missing = NotFound(f"Cannot remove host {host} in aggregate {aggregate_id}")
    if not host_is_known(host) or not 0 <= aggregate_id <= MAX_ID:
        raise missing
    with transaction.atomic():
        aggregate = Aggregate.objects.select_for_update().filter(pk=aggregate_id).first()
        if aggregate is None:
            raise missing
        zone = aggregate.zone_in_metadata
        if zone is not None:
            _refuse_moving_servers(aggregate, host, zone, _zone_through_aggregates(host, excluding=aggregate))
        membership = aggregate.hosts.filter(host=host).first()
        if membership is None:
            raise missing
        membership.delete()
        return _touch(aggregate)


def set_metadata(caller: Caller, aggregate_id: int, changes: Mapping[str, str | None]) -> Aggregate:
    """Merge `changes` into the aggregate's metadata; a None value deletes the key. The key
    `availability_zone` renames the aggregate's zone; it cannot empty it (400, as Nova)."""
    policy.enforce(caller, policy.AGGREGATES_SET_METADATA)
    checked(validate_metadata, changes)
    with transaction.atomic():
        aggregate = _find(aggregate_id, lock=True)
        if ZONE_KEY in changes:
            _refuse_empty_zone(aggregate, changes[ZONE_KEY])
        merged = dict(aggregate.metadata or {})
        for key, value in changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        aggregate.metadata = merged
        clean(aggregate)
        aggregate.save()
    return aggregate
