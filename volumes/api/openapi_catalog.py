"""The OpenAPI description of the volume types, limits, os-services and transfers bodies, as
``catalog_views`` writes them."""

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
    obj,
)

VOLUME_TYPE = Component(
    "VolumeType",
    obj(
        {
            "id": UUID,
            "name": STRING,
            "description": TEXT_OR_NULL,
            "is_public": BOOLEAN,
            "os-volume-type-access:is_public": BOOLEAN,
            "extra_specs": STRING_MAP,
            "qos_specs_id": TEXT_OR_NULL,
        }
    ),
)
TYPE_LIST = Operation("List volume types.", response=envelope("volume_types", array(VOLUME_TYPE)))
TYPE_DEFAULT = Operation("Show the default volume type.", response=envelope("volume_type", VOLUME_TYPE))
TYPE_SHOW = Operation("Show a volume type (by id or name).", response=envelope("volume_type", VOLUME_TYPE))
ABSOLUTE_NAMES = (
    "maxTotalVolumes",
    "maxTotalSnapshots",
    "maxTotalVolumeGigabytes",
    "maxTotalBackups",
    "maxTotalBackupGigabytes",
    "totalVolumesUsed",
    "totalSnapshotsUsed",
    "totalGigabytesUsed",
    "totalBackupsUsed",
    "totalBackupGigabytesUsed",
)
ABSOLUTE = dict.fromkeys(ABSOLUTE_NAMES, INTEGER)
LIMITS = Operation(
    "The project's absolute limits and usage.",
    response=envelope("limits", obj({"rate": array({"type": "object"}), "absolute": obj(ABSOLUTE)})),
)
SERVICE = obj(
    {
        "binary": STRING,
        "host": STRING,
        "zone": STRING,
        "status": STRING,
        "state": STRING,
        "updated_at": TEXT_OR_NULL,
        "disabled_reason": TEXT_OR_NULL,
        "cluster": TEXT_OR_NULL,
        "backend_state": STRING,
    },
    required=("binary", "host", "zone", "status", "state", "updated_at", "disabled_reason"),
)
SERVICE_LIST = Operation(
    "List the block storage services (administrators only).",
    response=envelope("services", array(SERVICE)),
    query=(Query("binary"), Query("host")),
    errors=(403,),
)
TRANSFER_LIST = Operation(
    "List volume transfers (none are offered).", response=envelope("transfers", array({"type": "object"}))
)
