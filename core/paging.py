"""limit/marker keyset paging, newest first (the Glance and Cinder lists).

Rows are ordered by (created_at, id) descending, and the page after a marker is a keyset
query, so paging stays correct while rows are added. Callers emit a `next` link only when
`page()` says more rows follow (the SDK follows any link it is given)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from django.db.models import Q, QuerySet

from .params import parse_int


def parse_limit(value: str | None, *, default: int, maximum: int) -> int:
    """The `limit` query parameter: a non-negative integer, capped at `maximum`."""
    if value is None or value == "":
        return min(default, maximum)
    limit = parse_int(value, "limit", minimum=0, message="Invalid limit value: {value!r}; limit must be an integer.")
    return min(limit, maximum)


class Marker(Protocol):
    """The row a page starts after: its creation time and id order the rows."""

    created_at: datetime
    id: Any


def page(
    queryset: QuerySet[Any], *, limit: int, marker: Marker | None = None, ascending: bool = False
) -> tuple[list[Any], bool]:
    """The first `limit` rows after `marker` (newest first; oldest first when `ascending`),
    and whether more rows follow."""
    if ascending:
        rows = queryset.order_by("created_at", "id")
        after = (
            Q(created_at__gt=marker.created_at) | Q(created_at=marker.created_at, id__gt=marker.id) if marker else None
        )
    else:
        rows = queryset.order_by("-created_at", "-id")
        after = (
            Q(created_at__lt=marker.created_at) | Q(created_at=marker.created_at, id__lt=marker.id) if marker else None
        )
    if after is not None:
        rows = rows.filter(after)
    found = list(rows[: limit + 1])
    return found[:limit], len(found) > limit
