"""Server metadata service layer (nova/api/openstack/compute/server_metadata.py): read any
time; writes follow the update_metadata / delete_metadata rules of servers.states (ACTIVE,
PAUSED, SUSPENDED, STOPPED, any task_state; locked → 409 for non-admins), count against the
metadata_items quota (403), and are read-modify-writes under a row lock so concurrent
merges never lose keys."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from django.db import transaction
from django.utils import timezone

from core.exceptions import BadRequest, NotFound, QuotaExceeded
from core.principal import Caller
from core.quotas import UNLIMITED, fits

from ..models import Server
from . import operations, quotas
from .lookup import get_server

KEY_RE = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")


def check_metadata(metadata: Mapping[str, str]) -> dict[str, str]:
    """Nova's parameter_types.metadata: keys ^[a-zA-Z0-9-_:. ]{1,255}$, values of at most
    255 characters."""
    for key, value in metadata.items():
        if not KEY_RE.match(key):
            raise BadRequest(
                f"Invalid input for field/attribute metadata. Value: {key}. Keys must be 1 to 255 of [a-zA-Z0-9-_:. ]"
            )
        if len(value) > 255:
            raise BadRequest(
                f"Invalid input for field/attribute {key}. Value: {value}. "
                "Values must be strings of at most 255 characters"
            )
    return dict(metadata)


def check_quota(project_id: str, metadata: dict[str, str], limits: Mapping[str, int] | None = None) -> None:
    """403 when ``metadata`` has more items than the project's metadata_items quota (Nova's
    MetadataLimitExceeded, on create as on every metadata write). ``limits``: the project's
    limits when the caller already read them."""
    limit = (quotas.limits_for(project_id) if limits is None else limits).get("metadata_items", UNLIMITED)
    if not fits(limit, 0, len(metadata)):
        raise QuotaExceeded(f"Maximum number of metadata items exceeds {limit}")


def get_metadata(caller: Caller, server_id: str) -> dict[str, str]:
    """GET /servers/{id}/metadata."""
    return dict(get_server(caller, server_id).metadata)


def get_item(caller: Caller, server_id: str, key: str) -> dict[str, str]:
    """GET /servers/{id}/metadata/{key}."""
    metadata = get_server(caller, server_id).metadata
    if key not in metadata:
        raise NotFound("Metadata item was not found")
    return {key: metadata[key]}


def _write(
    caller: Caller, server_id: str, rule: str, change: Callable[[dict[str, str]], dict[str, str]]
) -> dict[str, str]:
    """Lock the server row, check `rule` on it, apply change(old) -> new and save."""
    found = get_server(caller, server_id)
    with transaction.atomic():
        server = Server.objects.select_for_update().filter(pk=found.pk, deleted=False).first()
        if server is None:
            raise NotFound(f"Instance {server_id} could not be found.")
        operations.check(caller, server, rule)
        metadata = change(dict(server.metadata))
        check_quota(server.project_id, metadata)
        Server.objects.filter(pk=server.pk).update(metadata=metadata, updated_at=timezone.now())
    return metadata


def update(caller: Caller, server_id: str, metadata: Mapping[str, str], *, replace: bool) -> dict[str, str]:
    """Merge ``metadata`` into the server's (replace=False) or replace it (replace=True);
    returns the server's whole metadata afterwards."""
    new = check_metadata(metadata)
    return _write(caller, server_id, "update_metadata", lambda old: new if replace else {**old, **new})


def set_item(caller: Caller, server_id: str, key: str, value: str) -> dict[str, str]:
    """Set one key; returns {key: value}."""
    item = check_metadata({key: value})
    _write(caller, server_id, "update_metadata", lambda old: {**old, **item})
    return item


def delete_item(caller: Caller, server_id: str, key: str) -> None:
    """DELETE /servers/{id}/metadata/{key}; 404 when the key is not there."""

    def drop(old: dict[str, str]) -> dict[str, str]:
        if key not in old:
            raise NotFound("Metadata item was not found")
        old.pop(key)
        return old

    _write(caller, server_id, "delete_metadata", drop)
