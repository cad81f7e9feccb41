"""A changelist paginator that stops counting: the admin at a million rows.

Django's changelist counts every row its filters and search match (``SELECT COUNT(*)``), for
the "N servers" line and the page links. Over a million servers that count reads the whole
table (or every row of a filter such as "status: error") on every page view, and costs more
than the page itself. :class:`CappedCountPaginator` counts at most ``cap`` + 1 rows instead
(``SELECT COUNT(*) FROM (… LIMIT cap + 1)``): below the cap the count is exact, above it the
page says "more than 10,000" and the page links stop at the cap, where a search or a filter
narrows the list. The pages themselves stay OFFSET pages of the changelist's order."""

from __future__ import annotations

from functools import cached_property
from typing import cast

from django.core.paginator import Paginator
from django.db.models import QuerySet

#: The most rows a changelist counts; past it, the page says "more than" this.
COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """A Paginator whose ``count`` reads at most ``COUNT_CAP`` + 1 rows."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        """The number of rows, or ``cap`` + 1 when there are more than ``cap``."""
        # Only the admin's changelists use it: its object list is always a QuerySet.
        return cast(QuerySet, self.object_list)[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        """Whether more rows match than were counted."""
        return self.count > self.cap

    @property
    def count_label(self) -> str:
        """The count as the page shows it: "1,234", or "more than 10,000"."""
        return f"more than {self.cap:,}" if self.capped else f"{self.count:,}"
