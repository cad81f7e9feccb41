"""Ids on the wire. Most OpenStack resources are named by a UUID; a string that is not one
names nothing, which each caller turns into its own 404 or 400."""

from __future__ import annotations

import uuid


def parse_uuid(value: object) -> uuid.UUID | None:
    """The UUID ``value`` spells (any of the forms ``uuid.UUID`` accepts), else None."""
    if isinstance(value, uuid.UUID):
        return value
    if value is None or isinstance(value, bool):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def is_uuid(value: object) -> bool:
    """True when ``value`` spells a UUID."""
    return parse_uuid(value) is not None


def require_uuid(value: object, error: Exception) -> uuid.UUID:
    """The UUID ``value`` spells, else raise ``error`` (the caller's 404 or 400)."""
    parsed = parse_uuid(value)
    if parsed is None:
        raise error
    return parsed


def canonical_uuid(value: object, error: Exception) -> str:
    """``value`` as a canonical lower-case, hyphenated UUID string, else raise ``error``."""
    return str(require_uuid(value, error))


def constant_uuid(text: str) -> uuid.UUID:
    """A UUID written in the source (fixtures, demo data): fails loudly at import if mistyped."""
    parsed = parse_uuid(text)
    if parsed is None:
        raise ValueError(f"not a UUID: {text!r}")
    return parsed
