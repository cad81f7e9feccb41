"""Glance's image list order: the classic ``sort_key=name&sort_dir=asc`` (repeated) or the new
``sort=name:asc,size:desc`` (glance/api/v2/images.py RequestDeserializer._get_sorting_params),
and the tie-breakers its database layer appends (created_at, then id, in the default
direction: desc, or the one sort_dir given for every key).

Every key Glance accepts has an index on (key, created_at, id) (``images.models.Image``), so
a page after a marker is a keyset range (``core.paging``) at any depth."""

from __future__ import annotations

from django.http import QueryDict

from core.exceptions import BadRequest
from core.paging import SortKey, with_tie_breakers

#: Glance's _available_sort_keys, in its order (its error message lists them so).
SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at")
DEFAULT_DIR = "desc"


def _key(value: str) -> str:
    key = value.strip()
    if key not in SORT_KEYS:
        raise BadRequest(f"Invalid sort key: {key}. It must be one of the following: {', '.join(SORT_KEYS)}.")
    return key


def _direction(value: str) -> str:
    direction = value.strip()
    if direction not in ("asc", "desc"):
        raise BadRequest(f"Invalid sort direction: {direction}")
    return direction


def _requested(params: QueryDict) -> tuple[list[str], list[str]]:
    """The keys and directions asked for, checked as Glance checks them."""
    if "sort" in params:
        if "sort_key" in params or "sort_dir" in params:
            raise BadRequest("Old and new sorting syntax cannot be combined")
        keys, dirs = [], []
        for item in str(params.get("sort", "")).strip().split(","):
            key, _, direction = item.partition(":")
            keys.append(_key(key))
            dirs.append(_direction(direction or DEFAULT_DIR))
        return keys, dirs
    keys = [_key(value) for value in params.getlist("sort_key")]
    dirs = [_direction(value) for value in params.getlist("sort_dir")]
    if len(dirs) > 1 and len(dirs) != len(keys):
        raise BadRequest("Number of sort dirs does not match the number of sort keys")
    return keys, dirs


def image_order(params: QueryDict) -> tuple[SortKey, ...]:
    """The order GET /v2/images asks for, ending in created_at and id as Glance's database
    layer ends it (400, in Glance's words, for a key or direction it does not know)."""
    keys, dirs = _requested(params)
    keys = keys or ["created_at"]
    default = DEFAULT_DIR
    if not dirs:
        dirs = [default] * len(keys)
    elif len(dirs) == 1:
        default = dirs[0]
        dirs = dirs * len(keys)
    requested = (SortKey(key, direction == "desc") for key, direction in zip(keys, dirs, strict=False))
    return with_tie_breakers(requested, descending=default == "desc")
