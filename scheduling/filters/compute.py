"""ComputeFilter: only hosts whose compute service is enabled and up."""
from __future__ import annotations

import logging

from django.db.models import QuerySet

from hosts.models import ComputeNode
from hosts.services import is_up, up_q
from scheduling.request import RequestSpec

from .base import BaseFilter

log = logging.getLogger(__name__)


class ComputeFilter(BaseFilter):
    name = "ComputeFilter"

    def narrow(self, candidates: QuerySet[ComputeNode], spec: RequestSpec) -> QuerySet[ComputeNode]:
        return candidates.filter(up_q("service__"), service__disabled=False)

    def host_passes(self, node: ComputeNode, spec: RequestSpec) -> bool:
        # The SQL already checked this; re-check because time passed since the query ran.
        service = node.service
        if service is None or service.disabled or not is_up(service):
            log.debug("%s: %s is disabled or down", self.name, node.host)
            return False
        return True
