"""Cinder v3 documents: volume summary and detail, quota sets, version documents."""

from __future__ import annotations

import uuid
from typing import Any

from core.microversions import Microversion
from core.timestamps import micro
from volumes.models import Volume

MIN_VERSION = "3.0"
MAX_VERSION = "3.70"
VERSION_UPDATED = "2023-08-31T00:00:00Z"


def version_document(root: str) -> dict[str, Any]:
    """The v3 entry of Cinder's version list (`root` is the public base URL)."""
    return {
        "id": "v3.0",
        "status": "CURRENT",
        "version": MAX_VERSION,
        "min_version": MIN_VERSION,
        "updated": VERSION_UPDATED,
        "links": [
            {"rel": "describedby", "type": "text/html", "href": "https://docs.openstack.org/"},
            {"rel": "self", "href": f"{root}/volume/v3/"},
        ],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}],
    }


def links(root: str, volume: Volume) -> list[dict[str, Any]]:
    return [
        {"rel": "self", "href": f"{root}/volume/v3/{volume.project_id}/volumes/{volume.id}"},
        {"rel": "bookmark", "href": f"{root}/volume/{volume.project_id}/volumes/{volume.id}"},
    ]


def attachments(volume: Volume) -> list[dict[str, Any]]:
    """The one attachment a volume can have. Its id is derived from volume and server; the
    device is recorded by the servers app (VolumeAttachment), not here, so it is null."""
    if volume.attached_server_uuid is None or volume.status not in ("in-use", "detaching"):
        return []
    attachment_id = str(uuid.uuid5(volume.id, str(volume.attached_server_uuid)))
    return [
        {
            "id": str(volume.id),
            "attachment_id": attachment_id,
            "volume_id": str(volume.id),
            "server_id": str(volume.attached_server_uuid),
            "host_name": None,
            "device": None,
            "attached_at": micro(volume.attached_at),
        }
    ]


def summary(root: str, volume: Volume) -> dict[str, Any]:
    return {"id": str(volume.id), "name": volume.name, "links": links(root, volume)}


#: Fields later microversions added to a volume (Cinder's v3 view builder), and whether
#: only admins see them.
VERSIONED_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("3.13", "group_id", False),
    ("3.21", "provider_id", True),
    ("3.48", "service_uuid", False),
    ("3.48", "shared_targets", False),
    ("3.61", "cluster_name", True),
    ("3.65", "consumes_quota", False),
)


def detail(
    root: str, volume: Volume, *, admin: bool = False, version: Microversion | None = None, extended: bool = True
) -> dict[str, Any]:
    """Cinder's volume detail at ``version`` (None: the newest). ``extended`` adds what
    Cinder's extensions add to show and list (the project, the source image's metadata, and
    for admins host and migration attributes), which create and update responses lack."""
    body: dict[str, Any] = {
        "id": str(volume.id),
        "name": volume.name,
        "description": volume.description,
        "status": volume.status,
        "size": volume.size,
        "availability_zone": volume.availability_zone,
        "created_at": micro(volume.created_at),
        "updated_at": micro(volume.updated_at),
        "volume_type": volume.volume_type,
        "bootable": "true" if volume.bootable else "false",
        "encrypted": False,
        "multiattach": False,
        "metadata": dict(volume.metadata or {}),
        "attachments": attachments(volume),
        "links": links(root, volume),
        "user_id": volume.user_id,
        "snapshot_id": str(volume.snapshot_id) if volume.snapshot_id else None,
        "source_volid": None,
        "consistencygroup_id": None,
        "replication_status": None,
        "migration_status": None,
    }
    extra = {
        "group_id": None,
        "provider_id": None,
        "service_uuid": None,
        "shared_targets": False,
        "cluster_name": None,
        "consumes_quota": True,
    }
    for since, field, admin_only in VERSIONED_FIELDS:
        if (version is None or version >= Microversion.parse(since)) and (admin or not admin_only):
            body[field] = extra[field]
    if not extended:
        return body
    body["os-vol-tenant-attr:tenant_id"] = volume.project_id
    if volume.image_metadata:
        body["volume_image_metadata"] = dict(volume.image_metadata)
    if admin:
        body["os-vol-host-attr:host"] = None
        body["os-vol-mig-status-attr:migstat"] = None
        body["os-vol-mig-status-attr:name_id"] = None
        if volume.error_message:
            body["error_message"] = volume.error_message
    return body


def quota_set(target: str, limits: dict[str, int], usage: dict[str, int] | None = None) -> dict[str, Any]:
    """Cinder's quota_set: plain limits, or {limit, in_use, reserved, allocated} with usage."""
    body: dict[str, Any] = {"id": target}
    for resource, limit in limits.items():
        body[resource] = (
            limit
            if usage is None
            else {
                "limit": limit,
                "in_use": usage.get(resource, 0),
                "reserved": 0,
                "allocated": 0,
            }
        )
    for resource in ("volumes", "gigabytes", "snapshots"):
        typed = f"{resource}_{Volume.DEFAULT_TYPE}"
        body[typed] = (
            -1 if usage is None else {"limit": -1, "in_use": usage.get(resource, 0), "reserved": 0, "allocated": 0}
        )
    return body
