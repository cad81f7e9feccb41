"""Reading Cinder snapshot request bodies (cinder/api/schemas/snapshots.py,
snapshot_metadata.py) into volumes.snapshots' arguments. Malformed input is a BadRequest."""

from __future__ import annotations

from typing import Any

from core.bodies import unwrap
from core.exceptions import BadRequest
from core.microversions import Microversion
from core.params import parse_bool
from core.unset import UNSET, Unset
from images.api.validation import reject_nul
from volumes.snapshots import NewSnapshot, SnapshotChanges

from .validation import MISSING_ELEMENT, metadata, text

#: Since 3.66 a snapshot of an in-use volume needs no force; force=false is refused
#: (cinder/api/v3/snapshots.py, SNAPSHOT_IN_USE_FLAG_MSG).
SNAPSHOT_IN_USE = Microversion.parse("3.66")
IN_USE_FLAG_MESSAGE = (
    "Since microversion 3.66 the 'force' flag is invalid for this request.  For backward compatability, "
    "however, when the 'force' flag is passed with a value evaluating to True, it is silently ignored."
)
CREATE_FIELDS = frozenset({"name", "display_name", "description", "volume_id", "force", "metadata"})
UPDATE_FIELDS = frozenset({"name", "description", "display_name", "display_description"})


def _only(data: dict[str, Any], allowed: frozenset[str]) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise BadRequest(
            f"Invalid input for field/attribute snapshot. Additional properties are not allowed "
            f"({', '.join(repr(name) for name in extra)} {'was' if len(extra) == 1 else 'were'} unexpected)"
        )


def new_snapshot(body: object, version: Microversion) -> NewSnapshot:
    """The snapshot a POST /snapshots body asks for."""
    data = unwrap(body, "snapshot", MISSING_ELEMENT)
    reject_nul(body)
    _only(data, CREATE_FIELDS)
    volume_id = data.get("volume_id")
    if not isinstance(volume_id, str):
        raise BadRequest("Invalid input for field/attribute volume_id: 'volume_id' is a required property.")
    force = data.get("force")
    forced = False if force is None else parse_bool(force, "force", message="Invalid value '{value}' for force.")
    in_use_allowed = version >= SNAPSHOT_IN_USE
    if in_use_allowed and force is not None and not forced:
        raise BadRequest(IN_USE_FLAG_MESSAGE)
    name = text(data, "name") if "name" in data else text(data, "display_name")
    return NewSnapshot(
        volume_id=volume_id,
        name=name,
        description=text(data, "description"),
        metadata=metadata(data),
        force=forced,
        allow_in_use=in_use_allowed,
    )


def snapshot_changes(body: object) -> SnapshotChanges:
    """The changes of a PUT /snapshots/{id} body: name (display_name), description
    (display_description); at least one."""
    data = unwrap(body, "snapshot", MISSING_ELEMENT)
    reject_nul(body)
    _only(data, UPDATE_FIELDS)
    name: str | Unset | None = UNSET
    description: str | Unset | None = UNSET
    for field in ("display_name", "name"):
        if field in data:
            name = text(data, field)
    for field in ("display_description", "description"):
        if field in data:
            description = text(data, field)
    changes = SnapshotChanges(name=name, description=description)
    if changes == SnapshotChanges():
        raise BadRequest("Invalid input for field/attribute snapshot: name or description is required.")
    return changes


def metadata_body(body: object) -> dict[str, str]:
    """The {"metadata": {...}} of a POST or PUT /snapshots/{id}/metadata."""
    if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
        raise BadRequest("Malformed request body: a 'metadata' object is required.")
    reject_nul(body)
    found = metadata(body)
    return found or {}


def meta_item(body: object, key: str) -> dict[str, str]:
    """The {"meta": {key: value}} of a PUT /snapshots/{id}/metadata/{key}: one item, whose
    key is the URL's (else 400, Cinder's "Request body and URI mismatch")."""
    if not isinstance(body, dict) or not isinstance(body.get("meta"), dict):
        raise BadRequest("Malformed request body: a 'meta' object is required.")
    reject_nul(body)
    item = metadata({"metadata": body["meta"]}) or {}
    if len(item) != 1:
        raise BadRequest("Request body contains too many items.")
    if key not in item:
        raise BadRequest("Request body and URI mismatch")
    return item
