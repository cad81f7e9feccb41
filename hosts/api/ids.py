"""Ids in the host admin URLs and query parameters, parsed before the service layer sees
them: aggregates are named by integer; services and hypervisors by integer below 2.53 and by
UUID from 2.53 (core.microversions.UUID_IDS)."""

from __future__ import annotations

import uuid

from core import microversions as mv
from core.exceptions import BadRequest, NotFound
from core.ids import require_uuid
from core.microversions import Microversion

#: The largest database integer id (a 32-bit column, as Nova's).
MAX_INT_ID = 2**31 - 1


def int_id(value: object) -> int | None:
    """`value` as a database integer id, or None when it is not one (not digits, too big)."""
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 10 or int(text) > MAX_INT_ID:
        return None
    return int(text)


def aggregate_id(text: str) -> int:
    """An aggregate's id: any integer, as Nova's validate_integer reads one (400 otherwise);
    one no aggregate can have (negative, too large) is the service's 404."""
    try:
        return int(text)
    except ValueError:
        raise BadRequest(f"Invalid input received: id must be an integer, not {text!r}.") from None


def service_key(text: str, version: Microversion) -> int | uuid.UUID:
    """A Service record's id: a UUID from 2.53, an integer below (400 when malformed)."""
    if version >= mv.UUID_IDS:
        return require_uuid(text, BadRequest(f"Invalid uuid {text}"))
    pk = int_id(text)
    if pk is None:
        raise BadRequest(f"Invalid ID {text}: it must be an integer.")
    return pk


def hypervisor_key(text: str, version: Microversion) -> int | uuid.UUID:
    """A hypervisor's id: a UUID from 2.53 (400 when malformed); an integer below, where
    anything else names no hypervisor (404, as Nova)."""
    if version >= mv.UUID_IDS:
        return require_uuid(text, BadRequest(f"Invalid uuid {text}"))
    pk = int_id(text)
    if pk is None:
        raise NotFound(f"Hypervisor with ID '{text}' could not be found.")
    return pk


def hypervisor_marker(text: str, version: Microversion) -> int | uuid.UUID:
    """A paging marker: a hypervisor's id as `hypervisor_key` reads it (400 when malformed)."""
    key = int_id(text) if version < mv.UUID_IDS else require_uuid(text, BadRequest(f"marker [{text}] not found"))
    if key is None:
        raise BadRequest(f"marker [{text}] not found")
    return key
