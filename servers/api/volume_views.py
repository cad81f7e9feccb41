"""The compute API's volume proxy (Nova's volumes.py): GET /os-volumes, /os-volumes/detail,
POST /os-volumes, GET and DELETE /os-volumes/{id}, up to 2.35 (404 from 2.36, as Nova).
Volumes in Nova's wire format (displayName, availabilityZone, createdAt ...). Thin views
over servers.services.volume_proxy."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core.bodies import unwrap
from core.exceptions import BadRequest, NotFound
from core.params import optional_int
from core.timestamps import micro
from identity.catalog import base_url
from servers.services import volume_proxy
from volumes.api import validation as cinder
from volumes.models import Volume
from volumes.services import NewVolume

from . import openapi_proxies as doc
from .attachment_views import device_path
from .image_views import ProxyView

CREATE_FIELDS = frozenset(
    {"volume_type", "metadata", "snapshot_id", "size", "availability_zone", "display_name", "display_description"}
)
BAD_PAGE = "Invalid input for query parameters {name}. Value: {value}. Expected a non-negative integer."


def volume_body(volume: Volume, devices: dict[str, str | None]) -> dict[str, Any]:
    """Nova's volume view (summary and detail are the same)."""
    attachment: dict[str, Any] = {}
    if volume.attach_status == "attached" and volume.attached_server_uuid is not None:
        attachment = {"id": str(volume.id), "volumeId": str(volume.id), "serverId": str(volume.attached_server_uuid)}
        device = device_path(devices.get(str(volume.id)))
        if device:
            attachment["device"] = device
    return {
        "id": str(volume.id),
        "status": volume.status,
        "size": volume.size,
        "availabilityZone": volume.availability_zone,
        "createdAt": micro(volume.created_at),
        "attachments": [attachment],
        "displayName": volume.name,
        "displayDescription": volume.description,
        "volumeType": volume.volume_type,
        "snapshotId": None,
        "metadata": dict(volume.metadata or {}),
    }


def _string(data: dict[str, Any], field: str) -> str | None:
    value = data.get(field)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"Invalid input for field/attribute {field}. Value: {value}. It must be a string.")
    return value


def new_volume(body: object) -> NewVolume:
    """Nova's os-volumes create schema: size required (an integer or a string of digits,
    at least 1); display_name, display_description, volume_type, availability_zone strings;
    metadata an object of strings; nothing else. A snapshot_id names a snapshot, and this
    cloud has none (404)."""
    data = unwrap(body, "volume")
    unknown = sorted(set(data) - CREATE_FIELDS)
    if unknown:
        raise BadRequest(f"Additional properties are not allowed ({', '.join(map(repr, unknown))} was unexpected)")
    if "size" not in data:
        raise BadRequest("Invalid input for field/attribute volume. Value: 'size' is a required property.")
    snapshot = _string(data, "snapshot_id")
    if snapshot is not None:
        raise NotFound(f"Snapshot {snapshot} could not be found.")
    volume_type = _string(data, "volume_type")
    if volume_type is not None and volume_type != Volume.DEFAULT_TYPE:
        raise BadRequest(f"Volume type with name {volume_type} could not be found.")
    zone = _string(data, "availability_zone")
    if zone is not None and zone != settings.DEFAULT_AVAILABILITY_ZONE:
        raise BadRequest(f"Availability zone '{zone}' is invalid.")
    return NewVolume(
        size=cinder.size(data["size"]),
        name=_string(data, "display_name"),
        description=_string(data, "display_description"),
        metadata=cinder.metadata(data),
        availability_zone=zone,
    )


class VolumesView(ProxyView):
    """GET /os-volumes and /os-volumes/detail (``offset``, ``limit``), POST /os-volumes."""

    openapi = {"get": doc.VOLUME_LIST, "post": doc.VOLUME_CREATE}

    def get(self, request: Request) -> Response:
        params = request.query_params
        offset = optional_int(params.get("offset"), "offset", minimum=0, message=BAD_PAGE, below_minimum=BAD_PAGE)
        limit = optional_int(params.get("limit"), "limit", minimum=0, message=BAD_PAGE, below_minimum=BAD_PAGE)
        rows = volume_proxy.list_volumes(
            self.caller, offset=offset or 0, limit=min(limit or settings.API_MAX_LIMIT, settings.API_MAX_LIMIT)
        )
        devices = volume_proxy.devices(rows)
        return Response({"volumes": [volume_body(volume, devices) for volume in rows]})

    def post(self, request: Request) -> Response:
        volume = volume_proxy.create_volume(self.caller, new_volume(request.data))
        response = Response({"volume": volume_body(volume, {})})
        response["Location"] = f"{base_url(request)}/compute/v2.1/os-volumes/{volume.id}"
        return response


class VolumesDetailView(VolumesView):
    """GET /os-volumes/detail (no POST there, as in Nova's routes)."""

    openapi = {"get": doc.VOLUME_LIST}
    http_method_names = ["get", "head", "options"]


class VolumeView(ProxyView):
    """GET and DELETE (202) /os-volumes/{id}."""

    openapi = {"get": doc.VOLUME_SHOW, "delete": doc.VOLUME_DELETE}

    def get(self, request: Request, volume_id: str) -> Response:
        volume = volume_proxy.get_volume(self.caller, volume_id)
        return Response({"volume": volume_body(volume, volume_proxy.devices([volume]))})

    def delete(self, request: Request, volume_id: str) -> Response:
        volume_proxy.delete_volume(self.caller, volume_id)
        return Response(status=status.HTTP_202_ACCEPTED)
