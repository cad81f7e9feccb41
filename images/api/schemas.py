"""Glance's JSON schemas, served at /v2/schemas/...: glanceclient fetches ``image`` to build its
image objects (warlock validates a shown image against it, so it must describe exactly what
``representation.image_document`` writes) and the metadefs ones for the namespace listing.

The shapes are Glance's (glance/api/v2/images.py get_base_properties and
glance/api/v2/metadef_namespaces.py; glance/schema.py ``raw()``): an image schema is
permissive, its additional properties strings; a collection schema wraps its item schema with
``first``, ``next`` and ``schema`` links."""

from __future__ import annotations

from typing import Any

from images.models import Image

from .validation import CONTAINER_FORMATS, DISK_FORMATS

UUID_PATTERN = "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"
#: Glance's image statuses (a superset of those novasite's images take).
IMAGE_STATUSES = (
    "queued",
    "saving",
    "active",
    "killed",
    "deleted",
    "uploading",
    "importing",
    "pending_delete",
    "deactivated",
)
assert set(Image.STATUSES) <= set(IMAGE_STATUSES)


def _field(kind: str | list[str], description: str, *, read_only: bool = False, **more: Any) -> dict[str, Any]:
    field: dict[str, Any] = {"type": kind, "description": description, **more}
    if read_only:
        field["readOnly"] = True
    return field


def _nullable(kind: str) -> list[str]:
    return ["null", kind]


def image_properties() -> dict[str, Any]:
    """The image's core attributes, as Glance's image schema describes them."""
    return {
        "id": _field("string", "An identifier for the image", pattern=UUID_PATTERN),
        "name": _field(_nullable("string"), "Descriptive name for the image", maxLength=255),
        "status": _field("string", "Status of the image", read_only=True, enum=list(IMAGE_STATUSES)),
        "visibility": _field(
            "string", "Scope of image accessibility", enum=["community", "public", "private", "shared"]
        ),
        "protected": _field("boolean", "If true, image will not be deletable."),
        "os_hidden": _field("boolean", "If true, image will not appear in default image list response."),
        "checksum": _field(_nullable("string"), "md5 hash of image contents.", read_only=True, maxLength=32),
        "os_hash_algo": _field(
            _nullable("string"), "Algorithm to calculate the os_hash_value", read_only=True, maxLength=64
        ),
        "os_hash_value": _field(
            _nullable("string"), "Hexdigest of the image contents using os_hash_algo", read_only=True, maxLength=128
        ),
        "owner": _field(_nullable("string"), "Owner of the image", maxLength=255),
        "size": _field(_nullable("integer"), "Size of image file in bytes", read_only=True),
        "virtual_size": _field(_nullable("integer"), "Virtual size of image in bytes", read_only=True),
        "container_format": _field(_nullable("string"), "Format of the container", enum=[None, *CONTAINER_FORMATS]),
        "disk_format": _field(_nullable("string"), "Format of the disk", enum=[None, *DISK_FORMATS]),
        "created_at": _field("string", "Date and time of image registration", read_only=True),
        "updated_at": _field("string", "Date and time of the last image modification", read_only=True),
        "tags": _field("array", "List of strings related to the image", items={"type": "string", "maxLength": 255}),
        "direct_url": _field("string", "URL to access the image file kept in external store", read_only=True),
        "min_ram": _field("integer", "Amount of ram (in MB) required to boot image."),
        "min_disk": _field("integer", "Amount of disk space (in GB) required to boot image."),
        "self": _field("string", "An image self url", read_only=True),
        "file": _field("string", "An image file url", read_only=True),
        "stores": _field("string", "Store in which image data resides.", read_only=True),
        "schema": _field("string", "An image schema url", read_only=True),
        "locations": _field(
            "array",
            "A set of URLs to access the image file kept in external store",
            items={
                "type": "object",
                "properties": {"url": {"type": "string", "maxLength": 255}, "metadata": {"type": "object"}},
                "required": ["url", "metadata"],
            },
        ),
    }


def image_schema() -> dict[str, Any]:
    """GET /v2/schemas/image: permissive, every additional property a string."""
    return {
        "name": "image",
        "properties": image_properties(),
        "additionalProperties": {"type": "string"},
        "links": [
            {"rel": "self", "href": "{self}"},
            {"rel": "enclosure", "href": "{file}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def collection_schema(name: str, item: dict[str, Any]) -> dict[str, Any]:
    """A collection of ``item`` under ``name``, with its paging links (Glance's CollectionSchema);
    the item's definitions move up to the collection."""
    item = dict(item)
    definitions = item.pop("definitions", None)
    schema: dict[str, Any] = {
        "name": name,
        "properties": {
            name: {"type": "array", "items": item},
            "first": {"type": "string"},
            "next": {"type": "string"},
            "schema": {"type": "string"},
        },
        "links": [
            {"rel": "first", "href": "{first}"},
            {"rel": "next", "href": "{next}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }
    if definitions:
        schema["definitions"] = definitions
    return schema


def images_schema() -> dict[str, Any]:
    """GET /v2/schemas/images."""
    return collection_schema("images", image_schema())


_TYPES = ["array", "boolean", "integer", "number", "object", "string", None]


def _metadef_definitions() -> dict[str, Any]:
    """The definitions a namespace schema refers to: a metadata property's own schema."""
    positive = {"$ref": "#/definitions/positiveInteger"}
    positive_or_0 = {"$ref": "#/definitions/positiveIntegerDefault0"}
    prop = {
        "name": {"type": "string", "maxLength": 80},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "operators": {"type": "array", "items": {"type": "string"}},
        "type": {"type": "string", "enum": _TYPES},
        "required": {"$ref": "#/definitions/stringArray"},
        "minimum": {"type": "number"},
        "maximum": {"type": "number"},
        "maxLength": positive,
        "minLength": positive_or_0,
        "pattern": {"type": "string", "format": "regex"},
        "enum": {"type": "array"},
        "readonly": {"type": "boolean"},
        "default": {},
        "items": {
            "type": "object",
            "properties": {"type": {"type": "string", "enum": _TYPES}, "enum": {"type": "array"}},
        },
        "maxItems": positive,
        "minItems": positive_or_0,
        "uniqueItems": {"type": "boolean", "default": False},
        "additionalItems": {"type": "boolean"},
    }
    return {
        "positiveInteger": {"type": "integer", "minimum": 0},
        "positiveIntegerDefault0": {"allOf": [positive, {"default": 0}]},
        "stringArray": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "property": {
            "type": "object",
            "additionalProperties": {"type": "object", "required": ["title", "type"], "properties": prop},
        },
    }


def _named(*extra: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "object", "properties": {n: {"type": "string"} for n in extra}}}


def metadef_namespace_schema() -> dict[str, Any]:
    """GET /v2/schemas/metadefs/namespace: a metadata definitions namespace (strict)."""
    stamp = {"type": "string", "readOnly": True, "format": "date-time"}
    objects = _named("name", "description")
    objects["items"]["properties"].update(
        required={"$ref": "#/definitions/stringArray"}, properties={"$ref": "#/definitions/property"}
    )
    return {
        "name": "namespace",
        "properties": {
            "namespace": {"type": "string", "description": "The unique namespace text.", "maxLength": 80},
            "display_name": {"type": "string", "description": "The user friendly name.", "maxLength": 80},
            "description": {"type": "string", "description": "A user friendly description.", "maxLength": 500},
            "visibility": {"type": "string", "enum": ["public", "private"]},
            "protected": {"type": "boolean"},
            "owner": {"type": "string", "maxLength": 255},
            "created_at": {**stamp, "description": "Date and time of namespace creation"},
            "updated_at": {**stamp, "description": "Date and time of the last namespace modification"},
            "schema": {"readOnly": True, "type": "string"},
            "self": {"readOnly": True, "type": "string"},
            "resource_type_associations": _named("name", "prefix", "properties_target"),
            "properties": {"$ref": "#/definitions/property"},
            "objects": objects,
            "tags": _named("name"),
        },
        "additionalProperties": False,
        "definitions": _metadef_definitions(),
        "required": ["namespace"],
    }


def metadef_namespaces_schema() -> dict[str, Any]:
    """GET /v2/schemas/metadefs/namespaces."""
    return collection_schema("namespaces", metadef_namespace_schema())


#: What GET /v2/schemas/{name} serves, by the name in the URL.
SCHEMAS = {
    "image": image_schema,
    "images": images_schema,
    "metadefs/namespace": metadef_namespace_schema,
    "metadefs/namespaces": metadef_namespaces_schema,
}
