"""os-availability-zone: the zones that have enabled services (any authenticated caller; the
internal zone of control services is hidden), and for admins /detail with each host's
services: {"nova-compute": {"available", "active", "updated_at"}}."""

from __future__ import annotations

from rest_framework.response import Response

from core.views import ComputeView
from hosts.heartbeats import is_up
from hosts.models import Service
from hosts.zones import zones_by_host
from identity.authentication import IsAdmin

from .representation import iso, service_zone


def zone_state(detail: bool) -> tuple[dict[str, dict], set[str]]:
    """Zones with an enabled service -> {host: {binary: state}}, and the zones whose services
    are all disabled. Control services count in the internal zone only when `detail`."""
    zones = zones_by_host()
    available: dict[str, dict] = {}
    unavailable: set[str] = set()
    services = Service.objects.order_by("host", "binary")
    if not detail:
        services = services.filter(binary="nova-compute")
    for service in services:
        zone = service_zone(service, zones)
        if service.disabled:
            unavailable.add(zone)
            continue
        hosts = available.setdefault(zone, {})
        hosts.setdefault(service.host, {})[service.binary] = {
            "available": is_up(service),
            "active": not service.disabled,
            "updated_at": iso(service.updated_at),
        }
    return available, unavailable - set(available)


def zone_info(detail: bool) -> list[dict]:
    available, unavailable = zone_state(detail)
    info = [
        {"zoneName": zone, "zoneState": {"available": True}, "hosts": available[zone] if detail else None}
        for zone in sorted(available)
    ]
    info += [{"zoneName": zone, "zoneState": {"available": False}, "hosts": None} for zone in sorted(unavailable)]
    return info


class AvailabilityZonesView(ComputeView):
    """GET /os-availability-zone."""

    def get(self, request):
        return Response({"availabilityZoneInfo": zone_info(detail=False)})


class AvailabilityZonesDetailView(ComputeView):
    """GET /os-availability-zone/detail (admin)."""

    permission_classes = [IsAdmin]

    def get(self, request):
        return Response({"availabilityZoneInfo": zone_info(detail=True)})
