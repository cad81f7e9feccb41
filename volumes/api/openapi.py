"""The Volume API's (Cinder v3) bodies as OpenAPI schemas, as ``representation.py`` writes
them (fields later microversions add say which) and ``validation.py`` reads them. Views name
these operations in their ``openapi`` attribute."""

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

LINKS = array(obj({"rel": STRING, "href": STRING}))
ATTACHMENT = obj(
    {
        "id": UUID,
        "attachment_id": UUID,
        "volume_id": UUID,
        "server_id": UUID,
        "host_name": TEXT_OR_NULL,
        "device": TEXT_OR_NULL,
        "attached_at": TEXT_OR_NULL,
    }
)
_ADMIN = "Administrators only."
VOLUME = Component(
    "Volume",
    obj(
        {
            "id": UUID,
            "name": TEXT_OR_NULL,
            "description": TEXT_OR_NULL,
            "status": STRING,
            "size": INTEGER,
            "availability_zone": STRING,
            "created_at": STRING,
            "updated_at": TEXT_OR_NULL,
            "volume_type": STRING,
            "bootable": {"type": "string", "enum": ["true", "false"]},
            "encrypted": BOOLEAN,
            "multiattach": BOOLEAN,
            "metadata": STRING_MAP,
            "attachments": array(ATTACHMENT),
            "links": LINKS,
            "user_id": STRING,
            "snapshot_id": nullable(UUID),
            "source_volid": nullable(UUID),
            "consistencygroup_id": nullable(UUID),
            "replication_status": TEXT_OR_NULL,
            "migration_status": TEXT_OR_NULL,
            "group_id": since("3.13", nullable(UUID)),
            "provider_id": since("3.21", TEXT_OR_NULL, _ADMIN),
            "service_uuid": since("3.48", TEXT_OR_NULL),
            "shared_targets": since("3.48", BOOLEAN),
            "cluster_name": since("3.61", TEXT_OR_NULL, _ADMIN),
            "consumes_quota": since("3.65", BOOLEAN),
            "os-vol-tenant-attr:tenant_id": {**STRING, "description": "Show and list only."},
            "volume_image_metadata": {**STRING_MAP, "description": "A volume made from an image."},
            "os-vol-host-attr:host": {**TEXT_OR_NULL, "description": _ADMIN},
            "os-vol-mig-status-attr:migstat": {**TEXT_OR_NULL, "description": _ADMIN},
            "os-vol-mig-status-attr:name_id": {**TEXT_OR_NULL, "description": _ADMIN},
            "error_message": {**STRING, "description": "Administrators, for a volume in error."},
        },
        required=("id", "name", "status", "size", "availability_zone", "created_at", "links"),
    ),
)
VOLUME_BRIEF = Component("VolumeBrief", obj({"id": UUID, "name": TEXT_OR_NULL, "links": LINKS}))
_LIST_QUERY = (
    Query("limit", schema={"type": "integer", "minimum": 0}),
    Query("marker"),
    Query("sort", "key:dir,... (keys: id, name, status, size, created_at, updated_at)."),
    Query("name"),
    Query("status"),
    Query("all_tenants", "Administrators: every project's volumes."),
    Query("project_id", "Administrators, with all_tenants."),
)
VOLUME_LIST = Operation(
    "List volumes (id, name, links).",
    response=envelope("volumes", array(VOLUME_BRIEF), volumes_links=LINKS),
    query=_LIST_QUERY,
)
VOLUME_DETAIL_LIST = Operation(
    "List volumes with details.", response=envelope("volumes", array(VOLUME), volumes_links=LINKS), query=_LIST_QUERY
)
VOLUME_CREATE = Operation(
    "Create a volume (empty, or from an image); it is creating until the volume is made.",
    request=envelope(
        "volume",
        obj(
            {
                "size": {"type": "integer", "minimum": 1},
                "name": TEXT_OR_NULL,
                "description": TEXT_OR_NULL,
                "availability_zone": TEXT_OR_NULL,
                "volume_type": TEXT_OR_NULL,
                "imageRef": UUID,
                "metadata": STRING_MAP,
            },
            required=("size",),
        ),
    ),
    response=envelope("volume", VOLUME),
    status=202,
    errors=(400, 403, 404, 413),
)
VOLUME_SHOW = Operation("Show a volume.", response=envelope("volume", VOLUME))
VOLUME_UPDATE = Operation(
    "Rename or describe a volume, or replace its metadata.",
    request=envelope(
        "volume", obj({"name": TEXT_OR_NULL, "description": TEXT_OR_NULL, "metadata": STRING_MAP}, required=())
    ),
    response=envelope("volume", VOLUME),
)
VOLUME_DELETE = Operation("Delete a volume (not while attached).", status=202, errors=(400, 403, 404))
VOLUME_ACTION = Operation(
    "Extend a volume, set it bootable, or reset its status (administrators).",
    request={
        "oneOf": [
            envelope("os-extend", obj({"new_size": {"type": "integer", "minimum": 1}})),
            envelope("os-set_bootable", obj({"bootable": BOOLEAN})),
            envelope("os-reset_status", obj({"status": STRING})),
        ]
    },
    status=202,
    errors=(400, 403, 404, 409, 413),
    description="os-set_bootable answers 200.",
)
_RESOURCES = ("volumes", "gigabytes", "snapshots", "backups", "backup_gigabytes", "per_volume_gigabytes", "groups")
_USAGE = obj({"limit": INTEGER, "in_use": INTEGER, "reserved": INTEGER, "allocated": INTEGER})
QUOTA_SET = Component(
    "VolumeQuotaSet",
    {
        **obj({"id": STRING, **{name: {"anyOf": [INTEGER, _USAGE]} for name in _RESOURCES}}, required=("id",)),
        "additionalProperties": {"anyOf": [INTEGER, _USAGE]},
        "description": "Limits; with ?usage=true each is {limit, in_use, reserved, allocated}. "
        "Per-type limits (volumes_<type>...) too.",
    },
)
QUOTA_SHOW = Operation(
    "Show a project's volume quotas.", response=envelope("quota_set", QUOTA_SET), query=(Query("usage"),)
)
