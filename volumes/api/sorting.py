"""Cinder's volume and snapshot list order: ``sort=key:dir,...`` or the deprecated single
``sort_key``/``sort_dir`` (cinder/api/common.py get_sort_params; a key without a direction is
desc), then created_at and id in the first direction (cinder/db/api.py process_sort_params).

Cinder sorts on any column; novasite accepts the keys it keeps an index on (key, created_at,
id) for (``volumes.models``), so a page after a marker is a keyset range (``core.paging``),
and answers Cinder's "Invalid sort key" for the others."""

from __future__ import annotations

from django.http import QueryDict

from core.exceptions import BadRequest
from core.paging import SortKey, with_tie_breakers

#: The sort keys of both lists (``name`` is Cinder's display_name).
SORT_KEYS = frozenset({"id", "name", "status", "size", "created_at", "updated_at"})
SORT_PARAMETERS = ("sort", "sort_key", "sort_dir")


def _requested(params: QueryDict) -> tuple[list[str], list[str]]:
    if "sort" in params and ("sort_key" in params or "sort_dir" in params):
        raise BadRequest(
            "The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter."
        )
    if "sort" in params:
        pairs = [item.partition(":") for item in str(params.get("sort", "")).strip().split(",")]
        return [key.strip() for key, _, _ in pairs], [(direction or "desc").strip() for _, _, direction in pairs]
    return [str(params.get("sort_key", "created_at")).strip()], [str(params.get("sort_dir", "desc")).strip()]


def cinder_order(params: QueryDict) -> tuple[SortKey, ...]:
    """The order a volume or snapshot list asks for (400 in Cinder's words otherwise)."""
    keys, dirs = _requested(params)
    for direction in dirs:
        if direction not in ("asc", "desc"):
            raise BadRequest("Invalid input received: Unknown sort direction, must be 'desc' or 'asc'.")
    for key in keys:
        if key not in SORT_KEYS:
            raise BadRequest("Invalid input received: Invalid sort key")
    requested = [SortKey(key, direction == "desc") for key, direction in zip(keys, dirs, strict=True)]
    return with_tie_breakers(requested, descending=dirs[0] == "desc")


def sort_parameters(params: QueryDict) -> dict[str, list[str]]:
    """The order's parameters as asked, for the next page's link."""
    return {name: params.getlist(name) for name in SORT_PARAMETERS if name in params}
