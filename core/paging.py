"""limit/marker keyset paging: every list that accepts a marker pages here.

A list is ordered by sort keys that end in a unique column (``id``, or a unique name), and
the page after a marker is a keyset query: ``WHERE (k1, k2, …, id) > (the marker's values)``,
written out as ORs so that each key may have its own direction and may be NULL, plus a
redundant bound on the first key that an index on (k1, k2, …) turns into a range scan. A
page then costs the same at any depth, and paging stays correct while rows are added.

NULLs sort as PostgreSQL sorts them by default (last ascending, first descending), spelt out
in the ORDER BY so that SQLite agrees and PostgreSQL still walks a plain index. Callers emit
a ``next`` link only when a page says more rows follow (the SDK follows any link it is given).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Any, Protocol

from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import OrderBy

from .params import parse_int


def parse_limit(value: str | None, *, default: int, maximum: int) -> int:
    """The `limit` query parameter: a non-negative integer, capped at `maximum`."""
    if value is None or value == "":
        return min(default, maximum)
    limit = parse_int(value, "limit", minimum=0, message="Invalid limit value: {value!r}; limit must be an integer.")
    return min(limit, maximum)


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order, and its direction."""

    column: str
    descending: bool = False

    def order_by(self) -> OrderBy:
        """This key in an ORDER BY, NULLs where PostgreSQL puts them by default."""
        field = F(self.column)
        return field.desc(nulls_first=True) if self.descending else field.asc(nulls_last=True)


NEWEST_FIRST = (SortKey("created_at", True), SortKey("id", True))
OLDEST_FIRST = (SortKey("created_at"), SortKey("id"))


def sort_keys(columns: Iterable[str], *, descending: bool) -> tuple[SortKey, ...]:
    """``columns`` all in one direction."""
    return tuple(SortKey(column, descending) for column in columns)


def _nullable(model: type[Model], column: str) -> bool:
    return bool(model._meta.get_field(column).null)


def _equal(column: str, value: Any) -> Q:
    return Q(**{f"{column}__isnull": True}) if value is None else Q(**{column: value})


def _beyond(model: type[Model], key: SortKey, value: Any) -> Q | None:
    """Rows strictly after ``value`` in ``key``'s order (None: there are none)."""
    nulls = _nullable(model, key.column)
    if value is None:
        # NULLs are last ascending (nothing follows them) and first descending.
        return Q(**{f"{key.column}__isnull": False}) if key.descending else None
    beyond = Q(**{f"{key.column}__lt" if key.descending else f"{key.column}__gt": value})
    return beyond | Q(**{f"{key.column}__isnull": True}) if nulls and not key.descending else beyond


def _bound(model: type[Model], key: SortKey, value: Any) -> Q:
    """Rows at or after ``value`` in ``key``'s order: implied by the full predicate, but
    written alone it is the index range the scan starts from."""
    if value is None:
        return Q() if key.descending else Q(**{f"{key.column}__isnull": True})
    bound = Q(**{f"{key.column}__lte" if key.descending else f"{key.column}__gte": value})
    if _nullable(model, key.column) and not key.descending:
        bound |= Q(**{f"{key.column}__isnull": True})
    return bound


def after(model: type[Model], keys: Sequence[SortKey], marker: Mapping[str, Any]) -> Q:
    """The rows that follow ``marker`` (its values by column) in the order of ``keys``."""
    terms: list[Q] = []
    equal = Q()
    for key in keys:
        beyond = _beyond(model, key, marker[key.column])
        if beyond is not None:
            terms.append(equal & beyond)
        equal &= _equal(key.column, marker[key.column])
    if not terms:
        return Q(pk__in=[])  # the marker is the last row there can be
    return _bound(model, keys[0], marker[keys[0].column]) & reduce(operator.or_, terms)


def marker_values(rows: QuerySet[Any], keys: Sequence[SortKey], **lookup: Any) -> dict[str, Any] | None:
    """The sort-key values of the row ``lookup`` finds among ``rows`` (None: not there)."""
    return rows.filter(**lookup).values(*{key.column for key in keys}).first()


def keyset_page(
    rows: QuerySet[Any], keys: Sequence[SortKey], *, limit: int | None, marker: Mapping[str, Any] | None = None
) -> tuple[list[Any], bool]:
    """The first ``limit`` of ``rows`` (all of them when None) after ``marker`` in the order
    of ``keys``, whose last key must be unique, and whether more rows follow."""
    ordered = rows.order_by(*(key.order_by() for key in keys))
    if marker is not None:
        ordered = ordered.filter(after(rows.model, keys, marker))
    if limit is None:
        return list(ordered), False
    found = list(ordered[: limit + 1])
    return found[:limit], len(found) > limit


class Marker(Protocol):
    """The row a newest-first page starts after: its creation time and id order the rows."""

    created_at: datetime
    id: Any


def page(
    queryset: QuerySet[Any], *, limit: int, marker: Marker | None = None, ascending: bool = False
) -> tuple[list[Any], bool]:
    """The first `limit` rows after `marker` (newest first; oldest first when `ascending`),
    and whether more rows follow (the Glance and Cinder lists)."""
    values = {"created_at": marker.created_at, "id": marker.id} if marker is not None else None
    return keyset_page(queryset, OLDEST_FIRST if ascending else NEWEST_FIRST, limit=limit, marker=values)
