"""Request bodies. Every OpenStack API wraps a resource in an envelope named after it
(``{"server": {...}}``); a body without one is a 400, in the words the service uses."""

from __future__ import annotations

from typing import Any

from .exceptions import BadRequest

#: The default wording (Nova's); services with their own pass ``message``.
MISSING_ENVELOPE = "Invalid input: the request body must be an object with a '{key}' object."


def unwrap(body: object, key: str, message: str = MISSING_ENVELOPE) -> dict[str, Any]:
    """The object under ``key`` in ``body``, else BadRequest(``message`` with ``{key}``)."""
    if not isinstance(body, dict) or not isinstance(body.get(key), dict):
        raise BadRequest(message.format(key=key))
    inner: dict[str, Any] = body[key]
    return inner


def optional_object(value: object, name: str) -> dict[str, Any]:
    """An action's argument that may be an object or null (``{"os-start": null}``); null is {}."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"Invalid input for field/attribute {name}: must be an object or null.")
    return value
