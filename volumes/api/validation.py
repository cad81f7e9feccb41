"""Validation of Cinder request bodies and query parameters. Any malformed input is a
BadRequest (400, Cinder's badRequest body); nothing here touches the database except the
image lookup for imageRef."""

from __future__ import annotations

from django.conf import settings

from core.exceptions import BadRequest, NotFound
from images import access as image_access
from images.api.validation import reject_nul
from images.models import Image
from volumes.models import Volume

MAX_TEXT = 255
UNSUPPORTED_SOURCES = ("snapshot_id", "source_volid", "backup_id", "consistencygroup_id", "group_id", "source_replica")


def envelope(body: object, key: str) -> dict:
    """The object under `key` in a request body like {"volume": {...}}."""
    if not isinstance(body, dict) or not isinstance(body.get(key), dict):
        raise BadRequest(f"Missing required element '{key}' in request body.")
    reject_nul(body)
    return body[key]


def text(data: dict, field: str) -> str | None:
    value = data.get(field)
    if value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT):
        raise BadRequest(f"Invalid input for field/attribute {field}: a string of at most {MAX_TEXT} characters.")
    return value


def metadata(data: dict) -> dict[str, str] | None:
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


def image_ref(caller: image_access.Caller, data: dict) -> Image | None:
    """The image named by imageRef (or image_id), which the caller must be able to see."""
    ref = data.get("imageRef", data.get("image_id"))
    if ref is None:
        return None
    if not isinstance(ref, str):
        raise BadRequest("Invalid input for field/attribute imageRef: an image id.")
    try:
        return image_access.find_image(caller, ref)
    except NotFound:
        raise BadRequest("Invalid image identifier or unable to access requested image.") from None


def create_fields(caller: image_access.Caller, body: object) -> dict:
    """The keyword arguments of volumes.store.create_volume for a POST /volumes body (size is
    checked by the store)."""
    data = envelope(body, "volume")
    if "size" not in data:
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
    return {
        "size": data["size"],
        "name": text(data, "name"),
        "description": text(data, "description"),
        "metadata": metadata(data),
        "image": image_ref(caller, data),
        "availability_zone": zone,
    }


def update_fields(body: object) -> dict:
    """The changes of a PUT /volumes/{id} body: name, description, metadata."""
    data = envelope(body, "volume")
    changes = {field: text(data, field) for field in ("name", "description") if field in data}
    if "display_name" in data and "name" not in data:
        changes["name"] = text(data, "display_name")
    if data.get("metadata") is not None:
        changes["metadata"] = metadata(data)
    if not changes:
        raise BadRequest("Missing volume attributes to update: name, description or metadata.")
    return changes


def action(body: object) -> tuple[str, object]:
    """The (name, argument) of a POST /volumes/{id}/action body: {"<name>": <argument>}."""
    if not isinstance(body, dict) or len(body) != 1:
        raise BadRequest("An action body must be an object with exactly one action.")
    reject_nul(body)
    [(name, argument)] = body.items()
    return name, argument


def flag(value: str | None, name: str) -> bool:
    """A boolean query parameter (True/False/1/0/yes/no, any case)."""
    if value is None or value == "":
        return False
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on", "t", "y"):
        return True
    if lowered in ("0", "false", "no", "off", "f", "n"):
        return False
    raise BadRequest(f"Invalid value '{value}' for {name}: expected a boolean.")
