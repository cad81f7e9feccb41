"""Cinder v3 snapshots' bodies as OpenAPI schemas, as ``snapshot_representation.py`` writes
them and ``snapshot_validation.py`` reads them. Views name these operations in their
``openapi`` attribute."""

from __future__ import annotations

from core.openapi.types import (
    BOOLEAN,
    INTEGER,
    STRING,
    STRING_MAP,
    TEXT_OR_NULL,
    UUID,
    Component,
    Operation,
    Query,
    array,
    envelope,
    nullable,
    obj,
    since,
)

from .openapi import LINKS

_EXTENSION = "os-extended-snapshot-attributes"
SNAPSHOT = Component(
    "Snapshot",
    obj(
        {
            "id": UUID,
            "created_at": STRING,
            "updated_at": TEXT_OR_NULL,
            "name": TEXT_OR_NULL,
            "description": TEXT_OR_NULL,
            "volume_id": UUID,
            "status": STRING,
            "size": INTEGER,
            "metadata": STRING_MAP,
            "group_snapshot_id": since("3.14", nullable(UUID)),
            "user_id": since("3.41", STRING),
            "consumes_quota": since("3.65", BOOLEAN),
            f"{_EXTENSION}:project_id": STRING,
            f"{_EXTENSION}:progress": STRING,
        },
        required=("id", "volume_id", "status", "size"),
    ),
)
_LIST_QUERY = (
    Query("limit", schema={"type": "integer", "minimum": 0}),
    Query("marker"),
    Query("sort", "key:dir,... (keys: id, name, status, size, created_at, updated_at)."),
    Query("name"),
    Query("status"),
    Query("volume_id"),
    Query("all_tenants", "Administrators: every project's snapshots."),
    Query("project_id", "Administrators, with all_tenants."),
)
SNAPSHOT_LIST = Operation(
    "List snapshots.", response=envelope("snapshots", array(SNAPSHOT), snapshots_links=LINKS), query=_LIST_QUERY
)
SNAPSHOT_DETAIL_LIST = Operation(
    "List snapshots with details.",
    response=envelope("snapshots", array(SNAPSHOT), snapshots_links=LINKS),
    query=_LIST_QUERY,
)
SNAPSHOT_CREATE = Operation(
    "Snapshot a volume (an in-use volume only with force, below 3.66).",
    request=envelope(
        "snapshot",
        obj(
            {
                "volume_id": UUID,
                "name": TEXT_OR_NULL,
                "description": TEXT_OR_NULL,
                "force": BOOLEAN,
                "metadata": STRING_MAP,
            },
            required=("volume_id",),
        ),
    ),
    response=envelope("snapshot", SNAPSHOT),
    status=202,
    errors=(400, 403, 404, 413),
)
SNAPSHOT_SHOW = Operation("Show a snapshot.", response=envelope("snapshot", SNAPSHOT))
SNAPSHOT_UPDATE = Operation(
    "Rename or describe a snapshot.",
    request=envelope("snapshot", obj({"name": TEXT_OR_NULL, "description": TEXT_OR_NULL}, required=())),
    response=envelope("snapshot", SNAPSHOT),
)
SNAPSHOT_DELETE = Operation("Delete a snapshot (available or error only).", status=202, errors=(400, 403, 404))
SNAPSHOT_ACTION = Operation(
    "Reset a snapshot's status or force its delete (administrators).",
    request={
        "oneOf": [
            envelope("os-reset_status", obj({"status": STRING})),
            envelope("os-force_delete", obj({}, required=())),
        ]
    },
    status=202,
    errors=(400, 403, 404),
)
_METADATA = envelope("metadata", STRING_MAP)
METADATA_SHOW = Operation("Show a snapshot's metadata.", response=_METADATA)
METADATA_MERGE = Operation("Add to a snapshot's metadata.", request=_METADATA, response=_METADATA)
METADATA_REPLACE = Operation("Replace a snapshot's metadata.", request=_METADATA, response=_METADATA)
_META = envelope("meta", STRING_MAP)
META_SHOW = Operation("Show one metadata item of a snapshot.", response=_META)
META_SET = Operation("Set one metadata item of a snapshot.", request=_META, response=_META)
META_DELETE = Operation("Delete one metadata item of a snapshot.", errors=(403, 404))
