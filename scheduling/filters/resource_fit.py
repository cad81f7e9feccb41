"""ResourceFitFilter: only hosts with room for the flavor's vCPUs, RAM and disk, counting
allocation ratios and reserved resources (the same rule the claim enforces)."""
from __future__ import annotations

from django.db.models import QuerySet

from hosts.models import ComputeNode
from scheduling.claims import fits_filter
from scheduling.request import RequestSpec

from .base import BaseFilter


class ResourceFitFilter(BaseFilter):
    name = "ResourceFitFilter"

    def narrow(self, candidates: QuerySet[ComputeNode], spec: RequestSpec) -> QuerySet[ComputeNode]:
        return candidates.filter(**fits_filter(spec.resources))
