"""AvailabilityZoneFilter: only hosts in the requested availability zone. A host's zone is
mirrored on its compute node (scheduling.aggregates); no zoned aggregate means the default
zone."""

from __future__ import annotations

from django.conf import settings

from hosts.zones import zone_of_mirror
from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseFilter, Sql


class AvailabilityZoneFilter(BaseFilter):
    name = "AvailabilityZoneFilter"

    def sql(self, decision: Decision) -> Sql | None:
        zone = decision.spec.availability_zone
        if not zone:
            return None
        if zone == settings.DEFAULT_AVAILABILITY_ZONE:
            return Sql("(n.availability_zone = %s OR n.availability_zone IS NULL)", (zone,))
        return Sql("n.availability_zone = %s", (zone,))

    def why(self, host: HostState, decision: Decision) -> str:
        zone = zone_of_mirror(host.availability_zone)
        return f"{host.host} is in zone {zone}, not {decision.spec.availability_zone}"
