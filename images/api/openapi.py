"""The Image API's (Glance v2) bodies as OpenAPI schemas, as ``representation.py`` writes
them and ``validation.py`` reads them. Views name these operations in ``openapi``."""

from __future__ import annotations

from core.openapi.types import (
    BOOLEAN,
    INTEGER,
    STRING,
    TEXT_OR_NULL,
    UUID,
    Component,
    Operation,
    Query,
    array,
    deleted,
    enum,
    envelope,
    nullable,
    obj,
)

from .validation import CONTAINER_FORMATS, DISK_FORMATS, MAX_TAGS, PATCH_OPS

VISIBILITY = enum("public", "private", "shared", "community")
IMAGE = Component(
    "Image",
    {
        **obj(
            {
                "id": UUID,
                "name": TEXT_OR_NULL,
                "status": enum("queued", "saving", "active", "killed", "deleted", "pending_delete"),
                "visibility": VISIBILITY,
                "owner": TEXT_OR_NULL,
                "disk_format": nullable(enum(*DISK_FORMATS)),
                "container_format": nullable(enum(*CONTAINER_FORMATS)),
                "size": nullable(INTEGER),
                "virtual_size": nullable(INTEGER),
                "checksum": TEXT_OR_NULL,
                "os_hash_algo": TEXT_OR_NULL,
                "os_hash_value": TEXT_OR_NULL,
                "min_disk": INTEGER,
                "min_ram": INTEGER,
                "protected": BOOLEAN,
                "os_hidden": BOOLEAN,
                "tags": array(STRING),
                "created_at": STRING,
                "updated_at": STRING,
                "self": STRING,
                "file": STRING,
                "schema": STRING,
            }
        ),
        "additionalProperties": {"type": "string"},
        "description": "Core attributes, and the image's additional properties at the top level.",
    },
)
NEW_IMAGE = {
    **obj(
        {
            "id": UUID,
            "name": {"type": "string", "maxLength": 255, "nullable": True},
            "visibility": VISIBILITY,
            "disk_format": enum(*DISK_FORMATS),
            "container_format": enum(*CONTAINER_FORMATS),
            "min_disk": {"type": "integer", "minimum": 0},
            "min_ram": {"type": "integer", "minimum": 0},
            "protected": BOOLEAN,
            "tags": {"type": "array", "items": STRING, "maxItems": MAX_TAGS},
            "owner": TEXT_OR_NULL,
        },
        required=(),
    ),
    "additionalProperties": {"type": "string", "maxLength": 65535},
    "description": "Any other key is an additional property (a string).",
}
IMAGE_LIST = Operation(
    "List images.",
    response=obj(
        {"images": array(IMAGE), "schema": STRING, "first": STRING, "next": STRING},
        required=("images", "schema", "first"),
    ),
    query=(
        Query("limit", schema={"type": "integer", "minimum": 0}),
        Query("marker"),
        *(
            Query(name)
            for name in ("name", "status", "visibility", "owner", "tag", "id", "sort_key", "sort_dir", "sort")
        ),
    ),
)
IMAGE_CREATE = Operation(
    "Create an image record (then upload its data with PUT /file).",
    request=NEW_IMAGE,
    response=IMAGE,
    status=201,
    errors=(400, 403, 409, 413),
    headers=("Location",),
)
IMAGE_SHOW = Operation("Show an image.", response=IMAGE)
IMAGE_UPDATE = Operation(
    "Change an image with a JSON patch (add, replace, remove).",
    request=array(
        obj(
            {"op": enum(*PATCH_OPS), "path": {"type": "string", "example": "/name"}, "value": {}},
            required=("op", "path"),
        )
    ),
    request_media="application/openstack-images-v2.1-json-patch",
    response=IMAGE,
    errors=(400, 403, 404, 409, 413, 415),
)
IMAGE_DELETE = deleted("Delete an image.", errors=(400, 403, 404, 409))
IMAGE_TASKS = Operation("The image's import tasks (none).", response=envelope("tasks", array({"type": "object"})))
BINARY = {"type": "string", "format": "binary"}
IMAGE_UPLOAD = Operation(
    "Upload the image's data.",
    request=BINARY,
    request_media="application/octet-stream",
    status=204,
    errors=(400, 403, 404, 409, 413, 415),
)
IMAGE_DOWNLOAD = Operation(
    "Download the image's data (204 when it has none).",
    response=BINARY,
    response_media="application/octet-stream",
    headers=("Content-MD5",),
    errors=(403, 404),
    also=((204, None),),
)
SCHEMA_SHOW = Operation(
    "One of Glance's JSON schemas: image, images, metadefs/namespace, metadefs/namespaces.",
    response={"type": "object", "properties": {"name": STRING, "properties": {"type": "object"}}},
    errors=(404,),
)
METADEF_NAMESPACE_LIST = Operation(
    "List metadata definitions namespaces (none are kept).",
    response=obj(
        {"namespaces": array({"type": "object"}), "first": STRING, "next": STRING, "schema": STRING},
        required=("namespaces", "first", "schema"),
    ),
    query=(Query("limit", schema={"type": "integer", "minimum": 0}), Query("marker"), Query("resource_types")),
)
