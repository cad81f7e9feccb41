"""JSON Schema (the dialect of Nova's request schemas) to an OpenAPI 3.0 Schema Object.

The request schemas (``servers/api/validation/server_schemas.py``) are written for
``jsonschema``; OpenAPI 3.0 speaks a subset of draft 04 with its own additions, so a few
constructs are rewritten rather than copied:

- ``type: [a, b]`` becomes ``anyOf`` one branch per type (each with the keywords that apply to
  it, ``enum`` values split by type); a ``"null"`` among them becomes ``nullable: true``;
- ``{"type": "null"}`` in a ``oneOf``/``anyOf`` becomes ``nullable`` on the other branches;
- ``patternProperties`` (absent from 3.0) becomes ``additionalProperties`` with the key
  pattern kept in ``x-patternProperties`` and in the description;
- ``const`` becomes a one-value ``enum``; an empty ``required`` is dropped; keywords 3.0 lacks
  (``if``/``then``, ``dependencies``, ``$schema``...) are dropped.

Named parts (``Component``) become ``$ref``s through the ``register`` callback. The input is
never modified: the validators keep using the same dicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .types import Component, Schema

Register = Callable[[Component], Schema]

#: Keywords that only constrain values of one JSON type (moved into that type's branch).
TYPE_KEYWORDS: dict[str, frozenset[str]] = {
    "string": frozenset({"minLength", "maxLength", "pattern", "format"}),
    "integer": frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format"}),
    "number": frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format"}),
    "array": frozenset({"items", "minItems", "maxItems", "uniqueItems"}),
    "object": frozenset({"properties", "required", "additionalProperties", "minProperties", "maxProperties"}),
    "boolean": frozenset(),
}
_TYPED = frozenset().union(*TYPE_KEYWORDS.values()) | {"enum"}
#: JSON Schema keywords OpenAPI 3.0 does not have (and that describe nothing a reader needs).
_DROPPED = frozenset(
    {"$schema", "$id", "id", "definitions", "$defs", "if", "then", "else", "dependencies", "contains"}
    | {"propertyNames", "dependentRequired", "dependentSchemas", "unevaluatedProperties", "additionalItems"}
)
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _is(value: object, kind: str) -> bool:
    if isinstance(value, bool) and kind != "boolean":
        return False
    return isinstance(value, _PYTHON_TYPES.get(kind, ()))


def to_openapi(schema: Any, register: Register) -> Any:
    """The OpenAPI 3.0 form of ``schema`` (a JSON Schema dict, or a ``Component``)."""
    if isinstance(schema, Component):
        return register(schema)
    if not isinstance(schema, dict):
        return schema
    out: Schema = {key: value for key, value in schema.items() if key not in _DROPPED}
    if "const" in out:
        out["enum"] = [out.pop("const")]
    if "exclusiveMinimum" in out and not isinstance(out["exclusiveMinimum"], bool):
        out["minimum"], out["exclusiveMinimum"] = out["exclusiveMinimum"], True
    if "exclusiveMaximum" in out and not isinstance(out["exclusiveMaximum"], bool):
        out["maximum"], out["exclusiveMaximum"] = out["exclusiveMaximum"], True
    if "patternProperties" in out:
        _pattern_properties(out)
    for key in ("properties",):
        if key in out:
            out[key] = {name: to_openapi(sub, register) for name, sub in out[key].items()}
    for key in ("items", "additionalProperties", "not"):
        if isinstance(out.get(key), list):  # tuple validation: any of the listed forms
            out[key] = {"anyOf": [to_openapi(sub, register) for sub in out[key]]}
        elif isinstance(out.get(key), dict | Component):
            out[key] = to_openapi(out[key], register)
    for key in ("oneOf", "anyOf", "allOf"):
        if key in out:
            _combination(out, key, register)
    if "required" in out and not out["required"]:
        del out["required"]
    if isinstance(out.get("type"), list):
        out = _split_types(out)
    elif out.get("type") == "null":
        out = {"nullable": True, "enum": [None]}
    return out


def _pattern_properties(out: Schema) -> None:
    patterns: dict[str, Any] = out.pop("patternProperties")
    values = list(patterns.values())
    if out.get("additionalProperties") in (None, False):
        out["additionalProperties"] = values[0] if len(values) == 1 else {"anyOf": values}
    out["x-patternProperties"] = sorted(patterns)
    keys = " or ".join(f"`{pattern}`" for pattern in patterns)
    out["description"] = (out.get("description", "") + f" Keys match {keys}.").strip()


def _combination(out: Schema, key: str, register: Register) -> None:
    """oneOf/anyOf/allOf: converted branches; a null branch makes the others nullable."""
    branches = [to_openapi(sub, register) for sub in out[key]]
    nullable = [b for b in branches if b == {"nullable": True, "enum": [None]}]
    if nullable and key != "allOf":
        branches = [_nullable(b) for b in branches if b not in nullable]
    if len(branches) == 1:
        del out[key]
        out.update(branches[0])
    else:
        out[key] = branches


def _nullable(branch: Schema) -> Schema:
    return {**branch, "nullable": True} if "$ref" not in branch else {"allOf": [branch], "nullable": True}


def _split_types(out: Schema) -> Schema:
    """``type: [..]``: one type (plus null) stays a plain schema; several become ``anyOf``."""
    types = [kind for kind in out["type"] if kind != "null"]
    nullable = len(types) != len(out["type"])
    if len(types) == 1:
        single = {**out, "type": types[0]}
        return {**single, "nullable": True} if nullable else single
    shared = {key: value for key, value in out.items() if key not in _TYPED and key != "type"}
    branches = []
    for kind in types:
        branch: Schema = {"type": kind}
        branch.update({key: out[key] for key in TYPE_KEYWORDS[kind] if key in out})
        if "enum" in out:
            values = [value for value in out["enum"] if _is(value, kind)]
            if not values:
                continue
            branch["enum"] = values
        if nullable:
            branch["nullable"] = True
        branches.append(branch)
    return {**shared, "anyOf": branches}
