"""Admin writes on hosts: aggregates (create, rename, zone, membership, metadata) and compute
services (enable/disable, forced_down, delete). The API, the admin and management commands
call these functions; every refusal is a core.exceptions error carrying its HTTP status.

The compute-node mirrors of aggregate metadata (zone, ratio overrides) are refreshed by
scheduling.aggregates' model signals whenever an Aggregate or AggregateHost is saved or
deleted, so nothing here writes them directly.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import BadRequest, Conflict, NotFound

from .models import Aggregate, AggregateHost, ComputeNode, Service

ZONE_KEY = "availability_zone"
MAX_NAME = 255


# --- validation helpers ----------------------------------------------------------------------
def clean_name(value: object, what: str = "name") -> str:
    """A 1-255 character string that is not only whitespace (Nova's name rule)."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME or "\x00" in value:
        raise BadRequest(
            f"Invalid input for field/attribute {what}. Value: {value!r}. "
            f"It must be a non-blank string of at most {MAX_NAME} characters."
        )
    return value


def clean_zone(value: object) -> str | None:
    """An availability zone name, or None for "no zone"."""
    if value is None:
        return None
    name = clean_name(value, "availability_zone")
    if name == settings.INTERNAL_SERVICE_AVAILABILITY_ZONE:
        raise BadRequest(f"Aggregates may not use the internal availability zone '{name}'.")
    return name


def host_is_known(host: str) -> bool:
    """A host exists when it runs a nova-compute service or has a compute node."""
    return (
        Service.objects.filter(host=host, binary="nova-compute").exists()
        or ComputeNode.objects.filter(host=host).exists()
    )


def get_aggregate(aggregate_id: object) -> Aggregate:
    """The aggregate with this integer id (400 if not an integer, as Nova; 404 if absent)."""
    text = str(aggregate_id)
    if not text.isascii() or not text.isdigit():
        raise BadRequest(f"Invalid aggregate id: {aggregate_id!r} is not an integer.")
    aggregate = Aggregate.objects.filter(pk=int(text)).first() if len(text) <= 10 and int(text) < 2**31 else None
    if aggregate is None:
        raise NotFound(f"Aggregate {aggregate_id} could not be found.")
    return aggregate


def _check_zone_for_hosts(aggregate: Aggregate, hosts: list[str], zone: str | None) -> None:
    """Refuse a zone for `hosts` (as members of `aggregate`) that would put any of them in two
    zones: another aggregate of theirs already names a different zone."""
    if zone is None or not hosts:
        return
    clash = (
        AggregateHost.objects.filter(host__in=hosts, aggregate__availability_zone__isnull=False)
        .exclude(aggregate=aggregate)
        .exclude(aggregate__availability_zone=zone)
        .values_list("host", "aggregate__availability_zone")
        .first()
    )
    if clash is not None:
        raise BadRequest(
            f"Cannot put host {clash[0]} in availability zone {zone} with aggregate "
            f"{aggregate.name}: it is already in availability zone {clash[1]} through another aggregate."
        )


def _check_zone_change_without_servers(aggregate: Aggregate, zone: str | None) -> None:
    """Refuse to change the zone of an aggregate whose hosts have servers (Nova: 400), since
    those servers' zone would silently change under them."""
    from servers.models import Server

    if zone == aggregate.availability_zone:
        return
    hosts = list(aggregate.hosts.values_list("host", flat=True))
    if hosts and Server.objects.filter(host__in=hosts, deleted=False).exists():
        raise BadRequest(
            f"Cannot update the availability zone of aggregate {aggregate.name}: "
            "one or more of its hosts contain instances in this zone."
        )


# --- aggregates ------------------------------------------------------------------------------
def create_aggregate(name: object, availability_zone: object = None) -> Aggregate:
    """A new aggregate, optionally naming a zone (409 if the name is taken)."""
    name = clean_name(name)
    zone = clean_zone(availability_zone)
    if Aggregate.objects.filter(name=name).exists():
        raise Conflict(f"Aggregate {name} already exists.")
    metadata = {ZONE_KEY: zone} if zone else {}
    try:
        with transaction.atomic():
            return Aggregate.objects.create(name=name, metadata=metadata)
    except IntegrityError:
        raise Conflict(f"Aggregate {name} already exists.") from None


def update_aggregate(aggregate: Aggregate, changes: dict) -> Aggregate:
    """Rename and/or rezone an aggregate; `changes` holds `name` and/or `availability_zone`."""
    with transaction.atomic():
        aggregate = Aggregate.objects.select_for_update().get(pk=aggregate.pk)
        if "name" in changes:
            name = clean_name(changes["name"])
            if Aggregate.objects.filter(name=name).exclude(pk=aggregate.pk).exists():
                raise Conflict(f"Aggregate {name} already exists.")
            aggregate.name = name
        if ZONE_KEY in changes:
            zone = clean_zone(changes[ZONE_KEY])
            _check_zone_for_hosts(aggregate, list(aggregate.hosts.values_list("host", flat=True)), zone)
            _check_zone_change_without_servers(aggregate, zone)
            metadata = dict(aggregate.metadata or {})
            if zone:
                metadata[ZONE_KEY] = zone
            else:
                metadata.pop(ZONE_KEY, None)
            aggregate.metadata = metadata
        try:
            with transaction.atomic():
                aggregate.save()
        except IntegrityError:
            raise Conflict(f"Aggregate {aggregate.name} already exists.") from None
    return aggregate


def delete_aggregate(aggregate: Aggregate) -> None:
    """Delete an empty aggregate (400 while hosts remain, as Nova)."""
    with transaction.atomic():
        aggregate = Aggregate.objects.select_for_update().get(pk=aggregate.pk)
        if aggregate.hosts.exists():
            raise BadRequest(f"Cannot remove aggregate {aggregate.pk}: it still has hosts. Remove them first.")
        aggregate.delete()


def add_host(aggregate: Aggregate, host: object) -> Aggregate:
    """Make `host` a member (404 unknown host, 409 already a member, 400 zone clash)."""
    host = clean_name(host, "host")
    if not host_is_known(host):
        raise NotFound(f"Compute host {host} could not be found.")
    with transaction.atomic():
        aggregate = Aggregate.objects.select_for_update().get(pk=aggregate.pk)
        if aggregate.hosts.filter(host=host).exists():
            raise Conflict(f"Aggregate {aggregate.pk} already has host {host}.")
        _check_zone_for_hosts(aggregate, [host], aggregate.availability_zone)
        AggregateHost.objects.create(aggregate=aggregate, host=host)
        Aggregate.objects.filter(pk=aggregate.pk).update(updated_at=timezone.now())
    return Aggregate.objects.get(pk=aggregate.pk)


def remove_host(aggregate: Aggregate, host: object) -> Aggregate:
    """Remove a member (404 if the host is unknown or not a member)."""
    host = clean_name(host, "host")
    with transaction.atomic():
        aggregate = Aggregate.objects.select_for_update().get(pk=aggregate.pk)
        membership = aggregate.hosts.filter(host=host).first()
        if membership is None:
            if not host_is_known(host):
                raise NotFound(f"Compute host {host} could not be found.")
            raise NotFound(f"Cannot remove host {host} from aggregate {aggregate.pk}: it is not a member.")
        membership.delete()
        Aggregate.objects.filter(pk=aggregate.pk).update(updated_at=timezone.now())
    return Aggregate.objects.get(pk=aggregate.pk)


def clean_metadata(metadata: object) -> dict[str, str | None]:
    """set_metadata's `metadata`: keys 1-255 characters, values strings (<= 255) or null."""
    if not isinstance(metadata, dict):
        raise BadRequest("Invalid input for field/attribute metadata: it must be an object.")
    for key, value in metadata.items():
        if not key or len(key) > MAX_NAME or "\x00" in key:
            raise BadRequest(f"Invalid metadata key {key!r}: it must have 1 to {MAX_NAME} characters.")
        if value is not None and (not isinstance(value, str) or len(value) > MAX_NAME or "\x00" in value):
            raise BadRequest(
                f"Invalid value for metadata key {key!r}: a string of at most {MAX_NAME} characters or null."
            )
    return metadata


def set_metadata(aggregate: Aggregate, metadata: object) -> Aggregate:
    """Merge `metadata` into the aggregate's; a null value deletes the key. The key
    `availability_zone` renames (or, null, removes) the aggregate's zone."""
    changes = clean_metadata(metadata)
    with transaction.atomic():
        aggregate = Aggregate.objects.select_for_update().get(pk=aggregate.pk)
        merged = dict(aggregate.metadata or {})
        for key, value in changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        if ZONE_KEY in changes:
            zone = clean_zone(changes[ZONE_KEY])
            _check_zone_for_hosts(aggregate, list(aggregate.hosts.values_list("host", flat=True)), zone)
            _check_zone_change_without_servers(aggregate, zone)
        aggregate.metadata = merged
        aggregate.save()
    return aggregate


# --- services --------------------------------------------------------------------------------
def find_service(host: object, binary: object) -> Service:
    """The service `binary` on `host` (404 if there is none)."""
    if not isinstance(host, str) or not isinstance(binary, str):
        raise BadRequest("Invalid input: 'host' and 'binary' must be strings.")
    service = Service.objects.filter(host=host, binary=binary).first()
    if service is None:
        raise NotFound(f"Service {binary} on host {host} could not be found.")
    return service


def set_service_status(service: Service, enabled: bool, reason: str | None = None) -> Service:
    """Enable (clearing any reason) or disable (with an optional reason) a service."""
    if reason is not None:
        clean_name(reason, "disabled_reason")
    service.disabled = not enabled
    service.disabled_reason = None if enabled else reason
    service.save(update_fields=["disabled", "disabled_reason", "updated_at"])
    return service


def set_forced_down(service: Service, forced_down: bool) -> Service:
    """Fence (True) or unfence a compute service: forced down means down at once."""
    if not isinstance(forced_down, bool):
        raise BadRequest("Invalid input for field/attribute forced_down: it must be a boolean.")
    service.forced_down = forced_down
    service.save(update_fields=["forced_down", "updated_at"])
    return service


def delete_service(service: Service) -> None:
    """Delete a service record. A compute service that still hosts servers is refused (409);
    otherwise its host leaves its aggregates and its compute node goes too (if it holds no
    allocations)."""
    from servers.models import Server

    with transaction.atomic():
        if service.binary == "nova-compute":
            if Server.objects.filter(host=service.host, deleted=False).exists():
                raise Conflict(f"Unable to delete compute service that is in use: servers are on host {service.host}.")
            for membership in AggregateHost.objects.filter(host=service.host):
                membership.delete()
            ComputeNode.objects.filter(host=service.host, allocations__isnull=True).delete()
        service.delete()
