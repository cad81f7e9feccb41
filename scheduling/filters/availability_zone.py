"""AvailabilityZoneFilter: only hosts in the requested availability zone."""
from __future__ import annotations

from django.db.models import QuerySet

from hosts.models import ComputeNode
from hosts.zones import restrict_to_zone
from scheduling.request import RequestSpec

from .base import BaseFilter


class AvailabilityZoneFilter(BaseFilter):
    name = "AvailabilityZoneFilter"

    def narrow(self, candidates: QuerySet[ComputeNode], spec: RequestSpec) -> QuerySet[ComputeNode]:
        if not spec.availability_zone:
            return candidates
        return restrict_to_zone(candidates, spec.availability_zone)
