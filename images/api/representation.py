"""The Glance v2 image document: core fields plus additional properties at the top level."""

from __future__ import annotations

from typing import Any

from core.timestamps import seconds_z
from images.models import Image


def image_document(image: Image) -> dict[str, Any]:
    """Glance's image schema. Properties come first so a core field always wins."""
    return {
        **(image.properties or {}),
        "id": str(image.id),
        "name": image.name,
        "status": image.status,
        "visibility": image.visibility,
        "owner": image.owner,
        "disk_format": image.disk_format,
        "container_format": image.container_format,
        "size": image.size,
        "virtual_size": image.virtual_size,
        "checksum": image.checksum,
        "os_hash_algo": image.os_hash_algo,
        "os_hash_value": image.os_hash_value,
        "min_disk": image.min_disk,
        "min_ram": image.min_ram,
        "protected": image.protected,
        "os_hidden": False,
        "tags": list(image.tags or []),
        "created_at": seconds_z(image.created_at),
        "updated_at": seconds_z(image.updated_at),
        "self": f"/v2/images/{image.id}",
        "file": f"/v2/images/{image.id}/file",
        "schema": "/v2/schemas/image",
    }
