"""The filter interface. A filter narrows the SQL candidate query where it can (`narrow`) and
checks what SQL cannot in Python (`host_passes`); both default to "keep everything"."""
from __future__ import annotations

from django.db.models import QuerySet

from hosts.models import ComputeNode
from scheduling.request import RequestSpec


class BaseFilter:
    """One reason a host may be unfit. Subclasses set `name` and override one or both hooks."""

    name = "BaseFilter"

    def narrow(self, candidates: QuerySet[ComputeNode], spec: RequestSpec) -> QuerySet[ComputeNode]:
        """Add this filter's condition to the candidate query (one indexed SQL query in all)."""
        return candidates

    def host_passes(self, node: ComputeNode, spec: RequestSpec) -> bool:
        """Python check on one candidate that survived the SQL prefilter."""
        return True
