"""Reading Cinder request bodies and query parameters into the service layer's arguments
(volumes.services). Any malformed input is a BadRequest (400, Cinder's badRequest body);
nothing here touches the database."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from core.bodies import unwrap
from core.exceptions import BadRequest, NotFound
from core.params import parse_bool, parse_int
from core.unset import UNSET, Unset
from images.api.validation import reject_nul
from volumes.models import Volume
from volumes.services import NewVolume, VolumeChanges

MAX_TEXT = 255
MAX_SIZE = 2**31 - 1
UNSUPPORTED_SOURCES = ("source_volid", "backup_id", "consistencygroup_id", "group_id", "source_replica")
MISSING_ELEMENT = "Missing required element '{key}' in request body."
BAD_SIZE = (
    f"Invalid input for field/attribute {{name}}. Value: {{value!r}}. It must be an integer from 1 to {MAX_SIZE}."
)


def size(value: object, name: str = "size") -> int:
    """A size in GiB: a positive integer (or a string of digits, as Cinder accepts)."""
    return parse_int(value, name, minimum=1, maximum=MAX_SIZE, message=BAD_SIZE, below_minimum=BAD_SIZE)


def text(data: dict[str, Any], field: str) -> str | None:
    value = data.get(field)
    if value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT):
        raise BadRequest(f"Invalid input for field/attribute {field}: a string of at most {MAX_TEXT} characters.")
    return value


def metadata(data: dict[str, Any]) -> dict[str, str] | None:
    value = data.get("metadata")
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and 0 < len(k) <= MAX_TEXT and isinstance(v, str) and len(v) <= MAX_TEXT
        for k, v in value.items()
    ):
        raise BadRequest(
            "Invalid input for field/attribute metadata: string keys and values of at most 255 characters."
        )
    return value


def image_id(data: dict[str, Any]) -> str | None:
    """The image named by imageRef (or image_id)."""
    ref = data.get("imageRef", data.get("image_id"))
    if ref is not None and not isinstance(ref, str):
        raise BadRequest("Invalid input for field/attribute imageRef: an image id.")
    return ref


def new_volume(body: object) -> NewVolume:
    """The volume a POST /volumes body asks for."""
    data = unwrap(body, "volume", MISSING_ELEMENT)
    reject_nul(body)
    snapshot_id = data.get("snapshot_id")
    if snapshot_id is not None and not isinstance(snapshot_id, str):
        raise BadRequest("Invalid input for field/attribute snapshot_id: a snapshot id.")
    if data.get("size") is None and snapshot_id is None:
        raise BadRequest("Invalid input for field/attribute size. Value: None. size is required.")
    for field in UNSUPPORTED_SOURCES:
        if data.get(field) is not None:
            raise BadRequest(f"Creating a volume from {field} is not supported.")
    if data.get("multiattach") not in (None, False):
        raise BadRequest("Multiattach volumes are not supported.")
    volume_type = data.get("volume_type")
    if volume_type is not None and volume_type != Volume.DEFAULT_TYPE:
        raise NotFound(f"Volume type with name {volume_type} could not be found.")
    zone = data.get("availability_zone")
    if zone is not None and zone != settings.DEFAULT_AVAILABILITY_ZONE:
        raise BadRequest(f"Availability zone '{zone}' is invalid.")
    return NewVolume(
        name=text(data, "name"),
        description=text(data, "description"),
        metadata=metadata(data),
        image_id=image_id(data),
        availability_zone=zone,
        size=None if data.get("size") is None else size(data["size"]),
        snapshot_id=snapshot_id,
    )


def volume_changes(body: object) -> VolumeChanges:
    """The changes of a PUT /volumes/{id} body: name (or display_name), description, metadata."""
    data = unwrap(body, "volume", MISSING_ELEMENT)
    reject_nul(body)
    name: str | Unset | None = text(data, "name") if "name" in data else UNSET
    if "display_name" in data and "name" not in data:
        name = text(data, "display_name")
    description = text(data, "description") if "description" in data else UNSET
    new_metadata = metadata(data)
    changes = VolumeChanges(
        name=name, description=description, metadata=UNSET if new_metadata is None else new_metadata
    )
    if changes == VolumeChanges():
        raise BadRequest("Missing volume attributes to update: name, description or metadata.")
    return changes


def action(body: object) -> tuple[str, object]:
    """The (name, argument) of a POST /volumes/{id}/action body: {"<name>": <argument>}."""
    if not isinstance(body, dict) or len(body) != 1:
        raise BadRequest("An action body must be an object with exactly one action.")
    reject_nul(body)
    [(name, argument)] = body.items()
    return name, argument


def query_flag(value: str | None, name: str) -> bool:
    """A boolean query parameter (oslo's words, core.params); absent or empty is False."""
    if not value:
        return False
    return parse_bool(value, name, message="Invalid value '{value}' for {name}: expected a boolean.")
