"""Image create bodies and JSON-patch documents read into the service layer's typed arguments
(``images.services``), as Glance's request deserializer does: a malformed value is 400, an
attribute nobody may set or remove 403 (glance/api/v2/images.py RequestDeserializer). What
depends on the image or the caller (a property that must exist, who may publicize or give
away an image) is for the service."""

from __future__ import annotations

from typing import Any

from core.exceptions import BadRequest, Forbidden, OverLimit
from core.ids import require_uuid
from images.models import Image
from images.services import NewImage, PatchOperation, RemoveProperty, SetAttribute, SetProperty

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
# Glance's image_tag_quota (image_property_quota is the service's: it counts the image's own).
MAX_TAGS = 128
PATCH_OPS = ("add", "replace", "remove")
# Attributes a patch may set but never remove.
NOT_REMOVABLE = (*CORE, *READ_ONLY, "owner", "os_hidden")


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


def _integer(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**31 - 1:
        raise BadRequest(f"Invalid value for {name}: {value!r}; expected a non-negative integer.")
    return value


def clean_core(name: str, value: object) -> Any:
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


def _owner(value: object) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > 64):
        raise BadRequest("Invalid value for owner: expected a project id.")
    return value


def _read_only(key: str) -> None:
    if key in READ_ONLY:
        raise Forbidden(f"Attribute '{key}' is read-only.")


def new_image(body: object) -> NewImage:
    """The image a POST /v2/images body asks for: core attributes and additional properties,
    in the order given (the first bad one is the error)."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    reject_nul(body)
    image_id = None
    attributes: dict[str, Any] = {}  # each value checked by clean_core or _owner
    properties: dict[str, str] = {}
    for key, value in body.items():
        if key == "id":
            image_id = require_uuid(value, BadRequest(f"Invalid id {value!r}: expected a UUID."))
        elif key == "owner":
            attributes["owner"] = _owner(value)
        elif key == "os_hidden":
            _hidden(value)
        elif key in CORE:
            attributes[key] = clean_core(key, value)
        else:
            _read_only(key)
            properties[key] = clean_property(key, value)
    if "tags" in attributes:
        attributes["tags"] = tuple(attributes["tags"])
    return NewImage(image_id=image_id, properties=properties, **attributes)


def _pointer(path: object) -> str:
    """The attribute a JSON pointer names; only one level (/name, /foo.bar) is meaningful."""
    if not isinstance(path, str) or not path.startswith("/") or len(path) < 2:
        raise BadRequest(f"Invalid JSON pointer {path!r}: expected '/<attribute>'.")
    key = path[1:]
    if "/" in key:
        raise BadRequest(f"Invalid JSON pointer {path!r}: nested paths are not supported.")
    return key.replace("~1", "/").replace("~0", "~")


def _operation(raw: object) -> PatchOperation | None:
    """One JSON-patch operation as a typed one (None: a no-op, os_hidden set to false)."""
    if not isinstance(raw, dict) or raw.get("op") not in PATCH_OPS:
        raise BadRequest("Each operation must be an object with op add, replace or remove.")
    op, key = raw["op"], _pointer(raw.get("path"))
    if op == "remove":
        if key in NOT_REMOVABLE:
            raise Forbidden(f"Attribute '{key}' cannot be removed.")
        return RemoveProperty(key)
    if "value" not in raw:
        raise BadRequest(f"Operation {op} {raw.get('path')} needs a value.")
    value = raw["value"]
    if key == "owner":
        return SetAttribute("owner", _owner(value))
    if key == "os_hidden":
        _hidden(value)
        return None
    if key in CORE:
        return SetAttribute(key, clean_core(key, value))
    _read_only(key)
    return SetProperty(key, clean_property(key, value), must_exist=op == "replace")


def patch_operations(document: object) -> list[PatchOperation]:
    """The operations of a JSON-patch document (application/openstack-images-v2.1-json-patch),
    in order."""
    if not isinstance(document, list):
        raise BadRequest("A JSON-patch document must be a list of operations.")
    reject_nul(document)
    return [operation for raw in document if (operation := _operation(raw)) is not None]
