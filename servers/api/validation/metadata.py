"""Server metadata bodies (nova/api/openstack/compute/schemas/server_metadata.py): an object
of string values; one item for PUT /servers/{id}/metadata/{key}."""

from __future__ import annotations

from core.exceptions import BadRequest


def metadata(body: object) -> dict[str, str]:
    """`metadata` (or `meta`): an object whose values are strings."""
    if not isinstance(body, dict):
        raise BadRequest("Invalid input for field/attribute metadata. Value must be an object")
    for key, value in body.items():
        if not isinstance(value, str):
            raise BadRequest(
                f"Invalid input for field/attribute {key}. Value: {value}. "
                "Values must be strings of at most 255 characters"
            )
    return dict(body)


def item(body: object, key: str) -> str:
    """`meta` of PUT /servers/{id}/metadata/{key}: exactly {key: value}."""
    meta = metadata(body)
    if len(meta) > 1:
        raise BadRequest("Request body contains too many items")
    if key not in meta:
        raise BadRequest("Request body and URI mismatch")
    return meta[key]
