"""What a view says about its operations, and small builders for the bodies' schemas.

A view names its operations by method (``openapi = {"get": SERVER_SHOW, "delete": ...}``);
``core.openapi.autoschema`` turns each ``Operation`` into the OpenAPI operation, adding what
every operation of a service shares (its error bodies, its microversion header, the token)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.microversions import Microversion

Schema = dict[str, Any]


@dataclass(frozen=True, eq=False)
class Component:
    """A named schema: shown once under ``components/schemas/<name>`` and referred to by
    ``$ref`` wherever it is used. Compared by identity: one name, one object."""

    name: str
    schema: Any


#: A request body: a schema, or a function of the service's newest microversion (Nova's
#: request schemas differ by microversion: the newest one is described).
RequestBody = Schema | Component | Callable[[Microversion], Any]


@dataclass(frozen=True)
class Query:
    """A query parameter of an operation."""

    name: str
    description: str = ""
    schema: Schema = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class Operation:
    """One operation: what it does, what it takes, what it answers.

    ``errors`` are the statuses it may answer with the service's error body (401 is added
    for every operation that needs a token); ``also`` are its other success answers (status,
    body or None), where the API reference lists more than one; ``headers`` names response
    headers it sets,
    ``request_headers`` the headers it requires (besides the token); the media types are
    JSON unless it says otherwise (an image upload, a JSON patch)."""

    summary: str
    request: RequestBody | None = None
    response: Schema | Component | None = None
    status: int = 200
    errors: tuple[int, ...] = (400, 403, 404)
    query: tuple[Query, ...] = ()
    headers: tuple[str, ...] = ()
    description: str = ""
    request_headers: tuple[str, ...] = ()
    request_media: str = "application/json"
    response_media: str = "application/json"
    also: tuple[tuple[int, Schema | Component | None], ...] = ()


def deleted(summary: str, errors: tuple[int, ...] = (403, 404, 409)) -> Operation:
    """A DELETE answering 204 with no body."""
    return Operation(summary, status=204, errors=errors)


# --- schema builders (plain OpenAPI 3.0 dicts) -------------------------------------------

STRING: Schema = {"type": "string"}
TEXT_OR_NULL: Schema = {"type": "string", "nullable": True}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
UUID: Schema = {"type": "string", "format": "uuid"}
DATETIME: Schema = {"type": "string", "format": "date-time"}
DATETIME_OR_NULL: Schema = {"type": "string", "format": "date-time", "nullable": True}
#: core.timestamps.micro: microseconds and no zone (UTC), which is not RFC 3339's date-time.
MICRO_DATETIME: Schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$"}
MICRO_DATETIME_OR_NULL: Schema = {**MICRO_DATETIME, "nullable": True}
ANY_OBJECT: Schema = {"type": "object", "additionalProperties": True}
STRING_MAP: Schema = {"type": "object", "additionalProperties": {"type": "string"}}
STRINGS: Schema = {"type": "array", "items": {"type": "string"}}


def nullable(schema: Schema) -> Schema:
    """``schema`` or null."""
    return {**schema, "nullable": True}


def array(items: Schema | Component) -> Schema:
    """A list of ``items``."""
    return {"type": "array", "items": items}


def obj(properties: dict[str, Any], *, required: tuple[str, ...] | None = None, description: str = "") -> Schema:
    """An object with ``properties``; all of them required unless ``required`` says which."""
    schema: Schema = {"type": "object", "properties": properties}
    names = list(properties) if required is None else list(required)
    if names:
        schema["required"] = names
    if description:
        schema["description"] = description
    return schema


def envelope(key: str, inner: Schema | Component, **more: Any) -> Schema:
    """OpenStack's envelope: ``{key: inner}`` (and any other top-level keys, optional)."""
    return obj({key: inner, **more}, required=(key,))


def enum(*values: str) -> Schema:
    """A string from ``values``."""
    return {"type": "string", "enum": list(values)}


def described(schema: Schema | Component, text: str) -> Schema:
    """``schema`` with a description (a named schema is wrapped, as a $ref takes no siblings)."""
    if isinstance(schema, Component):
        return {"allOf": [schema], "description": text}
    return {**schema, "description": text}


def since(version: str, schema: Schema | Component, note: str = "") -> Schema:
    """``schema`` of a field a microversion added."""
    return described(schema, f"From microversion {version}. {note}".strip())
