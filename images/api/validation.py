"""Validation of image create bodies and JSON-patch documents, in Glance's terms:
a malformed value is 400, a read-only attribute 403, a missing property to replace or remove 409.
Policy (who may publicize or give away an image) is images.access; this module only reads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from core.exceptions import BadRequest, Conflict, Forbidden
from images import access
from images.models import Image

DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
# Settable core attributes (model fields), and attributes nobody may set.
CORE = ("name", "visibility", "disk_format", "container_format", "min_disk", "min_ram", "protected", "tags")
READ_ONLY = (
    "id",
    "status",
    "size",
    "virtual_size",
    "checksum",
    "os_hash_algo",
    "os_hash_value",
    "created_at",
    "updated_at",
    "self",
    "file",
    "schema",
    "direct_url",
    "locations",
    "deleted",
    "deleted_at",
    "stores",
)
MAX_KEY = 255
MAX_VALUE = 65535
# Glance's image_property_quota and image_tag_quota.
MAX_PROPERTIES = 128
MAX_TAGS = 128
PATCH_OPS = ("add", "replace", "remove")


class OverLimit(Forbidden):
    http_status = 413


def reject_nul(value: object) -> None:
    """PostgreSQL stores no NUL character in text or jsonb: refuse it anywhere (400), keys included."""
    if isinstance(value, str):
        if "\x00" in value:
            raise BadRequest("Strings must not contain the NUL character.")
    elif isinstance(value, dict):
        for key, item in value.items():
            reject_nul(key)
            reject_nul(item)
    elif isinstance(value, list):
        for item in value:
            reject_nul(item)


@dataclass
class ImageChanges:
    """What a create body or a patch asks for."""

    fields: dict = field(default_factory=dict)
    set_properties: dict[str, str] = field(default_factory=dict)
    remove_properties: list[str] = field(default_factory=list)


def _integer(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**31 - 1:
        raise BadRequest(f"Invalid value for {name}: {value!r}; expected a non-negative integer.")
    return value


def clean_core(name: str, value: object) -> object:
    """A valid value for core attribute `name`, or BadRequest."""
    if name == "name":
        if value is not None and (not isinstance(value, str) or len(value) > 255):
            raise BadRequest("Invalid value for name: expected a string of at most 255 characters or null.")
        return value
    if name == "visibility":
        if value not in Image.VISIBILITIES:
            raise BadRequest(f"Invalid visibility value: {value!r}; expected one of {', '.join(Image.VISIBILITIES)}.")
        return value
    if name in ("disk_format", "container_format"):
        allowed = DISK_FORMATS if name == "disk_format" else CONTAINER_FORMATS
        if value is not None and value not in allowed:
            raise BadRequest(f"Invalid value {value!r} for {name}; expected one of {', '.join(allowed)}.")
        return value
    if name in ("min_disk", "min_ram"):
        return _integer(name, value)
    if name == "protected":
        if not isinstance(value, bool):
            raise BadRequest(f"Invalid value for protected: {value!r}; expected true or false.")
        return value
    if name == "tags":
        if not isinstance(value, list) or not all(isinstance(tag, str) and 0 < len(tag) <= 255 for tag in value):
            raise BadRequest("Invalid value for tags: expected a list of strings of 1 to 255 characters.")
        if len(value) > MAX_TAGS:
            raise OverLimit(f"Maximum number of tags exceeded: at most {MAX_TAGS}.")
        return list(dict.fromkeys(value))
    raise AssertionError(name)


def clean_property(key: str, value: object) -> str:
    """An additional property: a string key and a string value (Glance's schema)."""
    if not key or len(key) > MAX_KEY:
        raise BadRequest(f"Invalid property name {key[:40]!r}: 1 to {MAX_KEY} characters.")
    if key.startswith("os_glance"):
        raise Forbidden(f"Attribute '{key}' is reserved.")
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        raise BadRequest(f"Invalid value for property {key!r}: expected a string.")
    return value


def _hidden(value: object) -> None:
    if value is not False:
        raise BadRequest("os_hidden: hidden images are not supported; only false is accepted.")


def _apply(caller: access.Caller, changes: ImageChanges, key: str, value: object) -> None:
    """Record `key: value` (create, patch add/replace) after the policy checks."""
    if key == "owner":
        if not caller.is_admin:
            raise Forbidden("Attribute 'owner' is read-only.")
        if value is not None and (not isinstance(value, str) or len(value) > 64):
            raise BadRequest("Invalid value for owner: expected a project id.")
        changes.fields["owner"] = value
    elif key in READ_ONLY:
        raise Forbidden(f"Attribute '{key}' is read-only.")
    elif key == "os_hidden":
        _hidden(value)
    elif key in CORE:
        changes.fields[key] = clean_core(key, value)
        if key == "visibility":
            access.check_visibility(caller, value)
    else:
        changes.set_properties[key] = clean_property(key, value)


def validate_create(caller: access.Caller, body: object) -> tuple[uuid.UUID | None, ImageChanges]:
    """The id asked for (or None) and the attributes of a POST /v2/images body."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    reject_nul(body)
    image_id = None
    changes = ImageChanges()
    for key, value in body.items():
        if key == "id":
            try:
                image_id = uuid.UUID(str(value))
            except ValueError:
                raise BadRequest(f"Invalid id {value!r}: expected a UUID.") from None
        elif key == "owner" and not caller.is_admin:
            access.check_owner_value(caller, value)
        else:
            _apply(caller, changes, key, value)
    _check_property_quota(changes.set_properties)
    return image_id, changes


def _check_property_quota(properties: dict) -> None:
    if len(properties) > MAX_PROPERTIES:
        raise OverLimit(f"Maximum number of properties exceeded: at most {MAX_PROPERTIES}.")


def _pointer(path: object) -> str:
    """The attribute a JSON pointer names; only one level (/name, /foo.bar) is meaningful."""
    if not isinstance(path, str) or not path.startswith("/") or len(path) < 2:
        raise BadRequest(f"Invalid JSON pointer {path!r}: expected '/<attribute>'.")
    key = path[1:]
    if "/" in key:
        raise BadRequest(f"Invalid JSON pointer {path!r}: nested paths are not supported.")
    return key.replace("~1", "/").replace("~0", "~")


def validate_patch(caller: access.Caller, image: Image, operations: object) -> ImageChanges:
    """The changes a JSON-patch list asks for, applied in order to the image's current state."""
    if not isinstance(operations, list):
        raise BadRequest("A JSON-patch document must be a list of operations.")
    reject_nul(operations)
    changes = ImageChanges()
    properties = dict(image.properties or {})
    for operation in operations:
        if not isinstance(operation, dict) or operation.get("op") not in PATCH_OPS:
            raise BadRequest("Each operation must be an object with op add, replace or remove.")
        op, key = operation["op"], _pointer(operation.get("path"))
        if op != "remove" and "value" not in operation:
            raise BadRequest(f"Operation {op} {operation.get('path')} needs a value.")
        if op == "remove":
            if key in CORE or key in READ_ONLY or key in ("owner", "os_hidden"):
                raise Forbidden(f"Attribute '{key}' cannot be removed.")
            if key not in properties:
                raise Conflict(f"Property {key} does not exist.")
            del properties[key]
            changes.set_properties.pop(key, None)
            changes.remove_properties.append(key)
            continue
        is_property = key not in CORE and key not in READ_ONLY and key not in ("owner", "os_hidden")
        if op == "replace" and is_property and key not in properties:
            raise Conflict(f"Property {key} does not exist.")
        if key in ("disk_format", "container_format") and image.status != "queued":
            raise Forbidden(f"Attribute {key} can be only replaced for a queued image.")
        _apply(caller, changes, key, operation["value"])
        if is_property:
            properties[key] = operation["value"]
            if key in changes.remove_properties:
                changes.remove_properties.remove(key)
    _check_property_quota(properties)
    return changes
