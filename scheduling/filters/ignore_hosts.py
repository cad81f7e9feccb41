"""IgnoreHostsFilter: never the hosts a request excludes (e.g. ones a build already failed on)."""
from __future__ import annotations

from django.db.models import QuerySet

from hosts.models import ComputeNode
from scheduling.request import RequestSpec

from .base import BaseFilter


class IgnoreHostsFilter(BaseFilter):
    name = "IgnoreHostsFilter"

    def narrow(self, candidates: QuerySet[ComputeNode], spec: RequestSpec) -> QuerySet[ComputeNode]:
        return candidates.exclude(host__in=spec.ignore_hosts) if spec.ignore_hosts else candidates
