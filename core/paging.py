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

# Row comparisons ((a, b) <= (x, y)), which Django 5.2 made for composite primary keys.
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThanOrEqual, TupleLessThanOrEqual

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


def with_tie_breakers(
    keys: Iterable[SortKey], *, descending: bool, ties: Sequence[str] = ("created_at", "id")
) -> tuple[SortKey, ...]:
    """The order Nova, Glance and Cinder give a list: the requested ``keys``, each column once
    (its first occurrence decides), cut after ``id`` (unique: nothing after it decides), then
    the tie-breakers ``ties`` not yet among them, all in one direction."""
    order: list[SortKey] = []
    for key in keys:
        if any(known.column == key.column for known in order):
            continue
        order.append(key)
        if key.column == "id":
            return tuple(order)
    order += [SortKey(tie, descending) for tie in ties if all(known.column != tie for known in order)]
    return tuple(order)


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


def _bound(model: type[Model], keys: Sequence[SortKey], marker: Mapping[str, Any]) -> Q:
    """A row comparison, ``(k1, k2, …) >= (m1, m2, …)`` (``<=`` descending), over the longest
    leading run of keys that one comparison can bound: the direction of the first key, and a
    marker value that is not NULL. It is implied by the exact predicate (it only drops the
    NULLs of the first key, which come in a segment of their own), but written alone it is
    the index range that a B-tree scan starts from. A later nullable ascending key ends the
    run: its NULLs follow the marker, and a row comparison with NULL is not true."""
    run = [keys[0]]
    for key in keys[1:]:
        if key.descending != keys[0].descending or marker[key.column] is None:
            break
        if _nullable(model, key.column) and not key.descending:
            break
        run.append(key)
    columns = Tuple(*(F(key.column) for key in run))
    values = tuple(marker[key.column] for key in run)
    lookup = TupleLessThanOrEqual if keys[0].descending else TupleGreaterThanOrEqual
    return Q(lookup(columns, values))


def after(model: type[Model], keys: Sequence[SortKey], marker: Mapping[str, Any]) -> Q:
    """The rows that follow ``marker`` (its values by column) in the order of ``keys``: the
    exact predicate, as one OR of "equal on the keys before, beyond on this one"."""
    terms: list[Q] = []
    equal = Q()
    for key in keys:
        beyond = _beyond(model, key, marker[key.column])
        if beyond is not None:
            terms.append(equal & beyond)
        equal &= _equal(key.column, marker[key.column])
    return reduce(operator.or_, terms) if terms else Q(pk__in=[])


def segments(model: type[Model], keys: Sequence[SortKey], marker: Mapping[str, Any]) -> list[Q]:
    """The rows after ``marker`` as consecutive segments of the order, each one index range:
    a NULL on a sort key splits the order where the NULLs begin or end, which no single
    range over an index can span. Mostly one segment; two when the first key may be NULL."""
    if not keys:
        return []  # equal on every key: the marker itself, and nothing after it
    first = keys[0].column
    if marker[first] is None:
        # NULLs are last ascending, first descending (then the non-NULLs all follow).
        tied = [Q(**{f"{first}__isnull": True}) & segment for segment in segments(model, keys[1:], marker)]
        return [*tied, Q(**{f"{first}__isnull": False})] if keys[0].descending else tied
    within = _bound(model, keys, marker) & after(model, keys, marker)
    if _nullable(model, first) and not keys[0].descending:
        return [within, Q(**{f"{first}__isnull": True})]
    return [within]


def marker_values(rows: QuerySet[Any], keys: Sequence[SortKey], **lookup: Any) -> dict[str, Any] | None:
    """The sort-key values of the row ``lookup`` finds among ``rows`` (None: not there)."""
    return rows.filter(**lookup).values(*{key.column for key in keys}).first()


def keyset_page(
    rows: QuerySet[Any], keys: Sequence[SortKey], *, limit: int | None, marker: Mapping[str, Any] | None = None
) -> tuple[list[Any], bool]:
    """The first ``limit`` of ``rows`` (all of them when None) after ``marker`` in the order
    of ``keys``, whose last key must be unique, and whether more rows follow. One query, or
    one per segment (see ``segments``) until the page is full."""
    ordered = rows.order_by(*(key.order_by() for key in keys))
    parts = [ordered] if marker is None else [ordered.filter(part) for part in segments(rows.model, keys, marker)]
    found: list[Any] = []
    for part in parts:
        if limit is None:
            found += part
            continue
        found += part[: limit + 1 - len(found)]
        if len(found) > limit:
            return found[:limit], True
    return found, False


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
