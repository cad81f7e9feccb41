"""Neutron's paging and sorting on every network list: ``limit``, ``marker``, ``page_reverse``
and repeated ``sort_key``/``sort_dir`` pairs, with the ``<collection>_links`` Neutron emits
(neutron/api/api_common.py: get_limit_and_marker, get_sorts, get_pagination_links).

A page is a keyset page (``core.paging``): each list names the sort keys it accepts, each
one served by an index on (column, id), and any other key is refused as Neutron refuses a
key that is not a sort key. Neutron's rules, kept here:

- ``limit`` is capped at ``API_MAX_LIMIT``, which plays Neutron's ``pagination_max_limit``:
  absent or 0, it is that maximum (``min(max_limit, limit) or max_limit``), so no answer is
  unbounded; anything but an integer >= 0 is ``BadRequest`` "Bad limit request: ...".
- ``id`` ascending ends every order unless it is named (it is unique, so nothing after it
  counts); with no ``sort_key`` the list keeps its usual order.
- ``page_reverse=true`` gives the ``limit`` rows before the marker, still in the requested
  order.
- a marker the caller cannot see answers the resource's 404 (``NetworkNotFound`` ...), as
  Neutron's ``_get_marker_obj`` does.

The links are Neutron's (the request's own URL with the marker swapped in; ``next`` drops
``page_reverse``, ``previous`` sets it to True), but given only where rows lie: ``next``
only when more rows follow, ``previous`` only when rows precede. openstacksdk follows any
``next`` link it is given, so a link to an empty page would only cost it a request, and a
link that led back would loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict
from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import BadRequest, NotFound
from core.ids import parse_uuid
from core.paging import SortKey, keyset_page, marker_values
from networks.exceptions import L3BadRequest

from .base import Document, matches, requested_fields, select

ID = SortKey("id")


class SortError(BadRequest):
    """webob's HTTPBadRequest as Neutron's get_sorts raises it."""

    neutron_type = "HTTPBadRequest"


@dataclass(frozen=True)
class Sorting:
    """What one list may be sorted on: wire key → column (each with an index on
    (column, id)), and its order when no sort_key is given (ending in ``id``)."""

    keys: Mapping[str, str]
    default: tuple[SortKey, ...] = (ID,)


@dataclass(frozen=True)
class PageRequest:
    """A list request's paging: the order, the page size, the marker (an id, or None) and
    the direction."""

    order: tuple[SortKey, ...]
    limit: int
    marker: str | None
    reverse: bool


def _values(params: QueryDict, name: str) -> list[str]:
    return [value for value in params.getlist(name) if value]  # Neutron's list_args drops ""


def _limit(params: QueryDict) -> int:
    raw = params.get("limit", 0)
    try:
        limit = int(raw)
    except ValueError:
        limit = -1
    if limit < 0:
        raise L3BadRequest("limit", f"Limit must be an integer 0 or greater and not '{raw}'.")
    maximum = settings.API_MAX_LIMIT
    return min(maximum, limit) or maximum


def _order(params: QueryDict, sorting: Sorting) -> tuple[SortKey, ...]:
    keys, dirs = _values(params, "sort_key"), _values(params, "sort_dir")
    if len(keys) != len(dirs):
        raise SortError("The number of sort_keys and sort_dirs must be same")
    absent = [key for key in keys if key not in sorting.keys]
    if absent:
        raise SortError(f"{absent} is invalid attribute for sort_keys")
    invalid = [direction for direction in dirs if direction not in ("asc", "desc")]
    if invalid:
        raise SortError(f"{invalid} is invalid value for sort_dirs, valid value is 'asc' and 'desc'")
    if not keys:
        return sorting.default
    order: list[SortKey] = []
    for key, direction in zip(keys, dirs, strict=True):
        column = sorting.keys[key]
        if any(known.column == column for known in order):
            continue  # tenant_id after project_id adds nothing
        order.append(SortKey(column, direction == "desc"))
        if column == "id":
            return tuple(order)  # unique: later keys never decide
    return (*order, ID)


def page_request(params: QueryDict, sorting: Sorting) -> PageRequest:
    """The paging a list request asks for, checked as Neutron checks it (400 otherwise)."""
    order = _order(params, sorting)
    limit = _limit(params)
    return PageRequest(
        order=order,
        limit=limit,
        marker=params.get("marker") or None,
        reverse=str(params.get("page_reverse", "False")).lower() == "true",
    )


def _flipped(order: tuple[SortKey, ...]) -> tuple[SortKey, ...]:
    return tuple(SortKey(key.column, not key.descending) for key in order)


def _link(request: Request, rel: str, marker: str | None, *, reverse: bool) -> dict[str, str]:
    """Neutron's get_next_link / get_previous_link: the query with the marker replaced."""
    kept = [(key, values) for key, values in request.query_params.lists() if key not in ("marker", "page_reverse")]
    pairs = [(key, value) for key, values in kept for value in values]
    if marker is not None:
        pairs.append(("marker", marker))
    if reverse:
        pairs.append(("page_reverse", "True"))
    return {"rel": rel, "href": f"{request.build_absolute_uri(request.path)}?{urlencode(pairs)}"}


def _documents(
    rows: QuerySet[Any],
    paging: PageRequest,
    document: Callable[[Any], Document],
    params: QueryDict,
    marker: Mapping[str, Any] | None,
) -> tuple[list[Document], bool]:
    """Up to ``limit`` documents that pass the document filters (``base.matches``), after
    ``marker`` in ``paging``'s direction, and whether more follow. Filters on columns ran in
    SQL already, so this is one keyset page unless a filter on a derived attribute drops
    rows; then it reads further pages until the page is full or the rows end."""
    order = _flipped(paging.order) if paging.reverse else paging.order
    wanted = paging.limit + 1  # one more tells whether more follow
    found: list[Document] = []
    while True:
        batch, more = keyset_page(rows, order, limit=wanted - len(found), marker=marker)
        found += [doc for doc in map(document, batch) if matches(doc, params)]
        if not more or len(found) >= wanted:
            break
        marker = {key.column: getattr(batch[-1], key.column) for key in order}
    return found[: paging.limit], len(found) > paging.limit


def paged_listing(
    request: Request,
    collection: str,
    rows: QuerySet[Any],
    document: Callable[[Any], Document],
    sorting: Sorting,
    not_found: Callable[[str], NotFound],
    visible: QuerySet[Any] | None = None,
) -> Response:
    """A Neutron list response: ``{collection: [...]}`` ordered, filtered and paged as the
    query asks, with ``<collection>_links`` when a page lies before or after it. The marker
    is looked up among ``visible`` (the rows the caller sees, before the filters; default
    ``rows``), as Neutron fetches it by id alone."""
    params = request.query_params
    paging = page_request(params, sorting)
    marker = None
    if paging.marker is not None:
        key = parse_uuid(paging.marker)
        marker = marker_values(rows if visible is None else visible, paging.order, id=key) if key else None
        if marker is None:
            raise not_found(paging.marker)
    documents, more = _documents(rows, paging, document, params, marker)
    if paging.reverse:
        documents.reverse()
    fields = requested_fields(params)
    body: dict[str, Any] = {collection: [select(doc, fields) for doc in documents]}
    links = _links(request, documents, paging, more)
    if links:  # Neutron leaves an empty list of links out
        body[f"{collection}_links"] = links
    return Response(body)


def _links(request: Request, documents: list[Document], paging: PageRequest, more: bool) -> list[dict[str, str]]:
    """``next`` when rows follow the page, ``previous`` when rows precede it: reading forward,
    more rows follow when the query said so and precede when there was a marker; reading
    backward (page_reverse), the other way round."""
    follow, precede = (paging.marker is not None, more) if paging.reverse else (more, paging.marker is not None)
    first = documents[0]["id"] if documents else None  # Neutron's links drop the marker then
    last = documents[-1]["id"] if documents else None
    links = []
    if follow:
        links.append(_link(request, "next", last, reverse=False))
    if precede:
        links.append(_link(request, "previous", first, reverse=True))
    return links


def sortable(*names: str, **renamed: str) -> dict[str, str]:
    """A Sorting's keys: ``names`` are their own columns; ``id``, and ``tenant_id`` as
    ``project_id``, are added when ``project_id`` is one."""
    keys = {"id": "id", **{name: name for name in names}, **renamed}
    if "project_id" in keys:
        keys["tenant_id"] = "project_id"
    return keys
