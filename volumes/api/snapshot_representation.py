"""Cinder v3 snapshot documents (cinder/api/views/snapshots.py and its v3 subclass, plus the
os-extended-snapshot-attributes extension on show and detail)."""

from __future__ import annotations

from typing import Any

from core.microversions import Microversion
from core.timestamps import micro
from volumes.models import Snapshot

#: Fields later microversions added to a snapshot's detail (cinder/api/v3/views/snapshots.py).
VERSIONED_FIELDS: tuple[tuple[str, str], ...] = (
    ("3.14", "group_snapshot_id"),
    ("3.41", "user_id"),
    ("3.65", "consumes_quota"),
)
EXTENSION = "os-extended-snapshot-attributes"


def summary(snapshot: Snapshot) -> dict[str, Any]:
    """The snapshot in a summary list (GET /snapshots): the base fields only."""
    return {
        "id": str(snapshot.id),
        "created_at": micro(snapshot.created_at),
        "updated_at": micro(snapshot.updated_at),
        "name": snapshot.name,
        "description": snapshot.description,
        "volume_id": str(snapshot.volume_id),
        "status": snapshot.status,
        "size": snapshot.size,
        "metadata": dict(snapshot.metadata or {}),
    }


def detail(snapshot: Snapshot, *, version: Microversion | None = None, extended: bool = True) -> dict[str, Any]:
    """The snapshot's detail at ``version`` (None: the newest). ``extended`` adds what the
    os-extended-snapshot-attributes extension adds to show and detail lists (the project and
    the progress); create and update answers lack it, as in Cinder."""
    body = summary(snapshot)
    extra = {"group_snapshot_id": None, "user_id": snapshot.user_id, "consumes_quota": True}
    for since, field in VERSIONED_FIELDS:
        if version is None or version >= Microversion.parse(since):
            body[field] = extra[field]
    if extended:
        body[f"{EXTENSION}:project_id"] = snapshot.project_id
        body[f"{EXTENSION}:progress"] = snapshot.progress
    return body
