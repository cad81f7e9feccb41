"""Availability zones: a host's zone is the `availability_zone` metadata of an aggregate it is
in; a compute host in no such aggregate is in settings.DEFAULT_AVAILABILITY_ZONE."""

from __future__ import annotations

from django.conf import settings

from .models import AggregateHost, Service


def zone_of_host(host: str) -> str:
    """The availability zone of a compute host."""
    zone = (
        AggregateHost.objects.filter(host=host, aggregate__availability_zone__isnull=False)
        .order_by("aggregate_id")
        .values_list("aggregate__availability_zone", flat=True)
        .first()
    )
    return zone or settings.DEFAULT_AVAILABILITY_ZONE


def zone_of_mirror(mirror: str | None) -> str:
    """A host's zone from its compute node's ``availability_zone`` (the mirror that
    scheduling.aggregates keeps of zone_of_host's answer; None: the default zone), for a
    caller that read the node already, e.g. the scheduler's candidates."""
    return mirror or settings.DEFAULT_AVAILABILITY_ZONE


def zones_by_host() -> dict[str, str]:
    """Every host that is in a zoned aggregate, with its zone (one query)."""
    rows = (
        AggregateHost.objects.filter(aggregate__availability_zone__isnull=False)
        .order_by("-aggregate_id")
        .values_list("host", "aggregate__availability_zone")
    )
    return {host: zone for host, zone in rows if zone}


def zone_of_service(service: Service, zones: dict[str, str]) -> str:
    """A compute service's zone is its host's (`zones`: zones_by_host()); control services
    are in the internal zone."""
    if service.binary == "nova-compute":
        return zones.get(service.host, settings.DEFAULT_AVAILABILITY_ZONE)
    return settings.INTERNAL_SERVICE_AVAILABILITY_ZONE
