"""Server metadata service layer (nova/api/openstack/compute/server_metadata.py): read any
time; writes follow the update_metadata / delete_metadata rules of servers.states (ACTIVE,
PAUSED, SUSPENDED, STOPPED, any task_state; locked → 409 for non-admins), count against the
metadata_items quota (403), and are read-modify-writes under a row lock so concurrent
merges never lose keys."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from core.exceptions import BadRequest, NotFound
from core.principal import Caller

from ..models import Server
from . import operations, quotas
from .lookup import get_server

KEY_RE = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")


def validate(metadata: object) -> dict[str, str]:
    """Nova's parameter_types.metadata: keys ^[a-zA-Z0-9-_:. ]{1,255}$, string values of at
    most 255 characters."""
    if not isinstance(metadata, dict):
        raise BadRequest("Invalid input for field/attribute metadata. Value must be an object")
    for key, value in metadata.items():
        if not KEY_RE.match(key):
            raise BadRequest(
                f"Invalid input for field/attribute metadata. Value: {key}. Keys must be 1 to 255 of [a-zA-Z0-9-_:. ]"
            )
        if not isinstance(value, str) or len(value) > 255:
            raise BadRequest(
                f"Invalid input for field/attribute {key}. Value: {value}. "
                "Values must be strings of at most 255 characters"
            )
    return dict(metadata)


def _check_quota(project_id: str, metadata: dict) -> None:
    limit = quotas.limits_for(project_id).get("metadata_items", -1)
    if 0 <= limit < len(metadata):
        raise quotas.QuotaExceeded(f"Maximum number of metadata items exceeds {limit}")


def get_metadata(caller: Caller, server_id: str) -> dict[str, str]:
    """GET /servers/{id}/metadata."""
    return dict(get_server(caller, server_id).metadata)


def get_item(caller: Caller, server_id: str, key: str) -> dict[str, str]:
    """GET /servers/{id}/metadata/{key}."""
    metadata = get_server(caller, server_id).metadata
    if key not in metadata:
        raise NotFound("Metadata item was not found")
    return {key: metadata[key]}


def _write(caller: Caller, server_id: str, rule: str, change) -> dict[str, str]:
    """Lock the server row, check `rule` on it, apply change(old) -> new and save."""
    server = get_server(caller, server_id)
    with transaction.atomic():
        server = Server.objects.select_for_update().filter(pk=server.pk, deleted=False).first()
        if server is None:
            raise NotFound(f"Instance {server_id} could not be found.")
        operations.check(caller, server, rule)
        metadata = change(dict(server.metadata))
        _check_quota(server.project_id, metadata)
        Server.objects.filter(pk=server.pk).update(metadata=metadata, updated_at=timezone.now())
    return metadata


def update(caller: Caller, server_id: str, metadata: object, *, replace: bool) -> dict[str, str]:
    """POST (merge, replace=False) or PUT (replace=True) /servers/{id}/metadata; returns the
    server's whole metadata afterwards."""
    new = validate(metadata)
    return _write(caller, server_id, "update_metadata", lambda old: new if replace else {**old, **new})


def set_item(caller: Caller, server_id: str, key: str, meta: object) -> dict[str, str]:
    """PUT /servers/{id}/metadata/{key} with {"meta": {key: value}}."""
    item = validate(meta)
    if len(item) > 1:
        raise BadRequest("Request body contains too many items")
    if key not in item:
        raise BadRequest("Request body and URI mismatch")
    _write(caller, server_id, "update_metadata", lambda old: {**old, **item})
    return item


def delete_item(caller: Caller, server_id: str, key: str) -> None:
    """DELETE /servers/{id}/metadata/{key}; 404 when the key is not there."""

    def drop(old: dict) -> dict:
        if key not in old:
            raise NotFound("Metadata item was not found")
        old.pop(key)
        return old

    _write(caller, server_id, "delete_metadata", drop)
