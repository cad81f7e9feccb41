"""os-availability-zone: the zones that have enabled services (any authenticated caller; the
internal zone of control services is hidden), and for admins /detail with each host's
services: {"nova-compute": {"available", "active", "updated_at"}} (policy enforced by
hosts.services.zones)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.timestamps import micro
from hosts.heartbeats import is_up
from hosts.services.zones import Zone, availability_zones

from . import openapi as doc
from .base import HostsView


def hosts_body(zone: Zone) -> dict[str, dict[str, dict[str, Any]]]:
    """{host: {binary: {available, active, updated_at}}} of a zone's enabled services."""
    hosts: dict[str, dict[str, dict[str, Any]]] = {}
    for service in zone.services:
        hosts.setdefault(service.host, {})[service.binary] = {
            "available": is_up(service),
            "active": not service.disabled,
            "updated_at": micro(service.updated_at),
        }
    return hosts


class AvailabilityZonesView(HostsView):
    """GET /os-availability-zone (and, `detail`, /os-availability-zone/detail)."""

    openapi = {"get": doc.ZONE_LIST}

    detail = False

    def get(self, request: Request) -> Response:
        self.strict_query(mv.QUERY_PARAMS_RESTRICTED)
        info = [
            {
                "zoneName": zone.name,
                "zoneState": {"available": zone.available},
                "hosts": hosts_body(zone) if self.detail and zone.available else None,
            }
            for zone in availability_zones(self.caller, detail=self.detail)
        ]
        return Response({"availabilityZoneInfo": info})
