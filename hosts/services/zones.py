"""Availability zones as os-availability-zone lists them
(nova/api/openstack/compute/availability_zone.py): the zones that have an enabled service,
then the zones whose services are all disabled. Anyone may list them; the detail (each host's
services, and the internal zone of the control services) is for admins."""

from __future__ import annotations

from dataclasses import dataclass, field

from core import policy
from core.principal import Caller
from hosts.models import Service
from hosts.zones import zone_of_service, zones_by_host


@dataclass
class Zone:
    """A zone: available when one of its services is enabled. ``services`` (detail only)
    lists its enabled services by host and binary."""

    name: str
    available: bool
    services: list[Service] = field(default_factory=list)


def availability_zones(caller: Caller, *, detail: bool = False) -> list[Zone]:
    """The available zones in name order, then the unavailable ones. Control services (the
    internal zone) count only in the `detail` listing."""
    policy.enforce(caller, policy.AVAILABILITY_ZONE_DETAIL if detail else policy.AVAILABILITY_ZONE_LIST)
    zones = zones_by_host()
    available: dict[str, list[Service]] = {}
    unavailable: set[str] = set()
    services = Service.objects.order_by("host", "binary")
    if not detail:
        services = services.filter(binary="nova-compute")
    for service in services:
        zone = zone_of_service(service, zones)
        if service.disabled:
            unavailable.add(zone)
        else:
            available.setdefault(zone, []).append(service)
    listing = [Zone(name, True, available[name] if detail else []) for name in sorted(available)]
    return listing + [Zone(name, False) for name in sorted(unavailable - set(available))]
