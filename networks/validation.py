"""Checks of Neutron request bodies: each returns the value or raises a 400 in Neutron's
words. UNSET marks an attribute the body did not give."""

from __future__ import annotations

import ipaddress
import re
import uuid
from typing import Any

from core.exceptions import BadRequest

UNSET: Any = object()
MAC = re.compile(r"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")


def resource_body(data: object, key: str) -> dict:
    """The `{key: {...}}` object of a request body."""
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise BadRequest(f"Resource body required: expected an object under '{key}'.")
    return data[key]


def read_only(body: dict, *keys: str) -> None:
    """400 when the update body tries to change one of `keys`."""
    for key in keys:
        if key in body:
            raise BadRequest(f"Cannot update read-only attribute {key}")


def text(body: dict, key: str, max_length: int = 255) -> Any:
    if key not in body:
        return UNSET
    value = body[key]
    if not isinstance(value, str) or len(value) > max_length:
        raise BadRequest(
            f"Invalid input for {key}. Reason: '{value}' is not a valid string of at most {max_length} characters."
        )
    return value


def boolean(body: dict, key: str) -> Any:
    if key not in body:
        return UNSET
    value = body[key]
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    if not isinstance(value, bool):
        raise BadRequest(f"Invalid input for {key}. Reason: '{value}' cannot be converted to boolean.")
    return value


def uuid_text(value: object, key: str) -> str:
    """A UUID given as a string (normalised), or 400."""
    try:
        if isinstance(value, str):
            return str(uuid.UUID(value))
    except ValueError:
        pass
    raise BadRequest(f"Invalid input for {key}. Reason: '{value}' is not a valid UUID.")


def ipv4(value: object, key: str) -> ipaddress.IPv4Address:
    try:
        address = ipaddress.ip_address(value) if isinstance(value, str) else None
    except ValueError:
        address = None
    if not isinstance(address, ipaddress.IPv4Address):
        raise BadRequest(f"Invalid input for {key}. Reason: '{value}' is not a valid IPv4 address.")
    return address


def mac(value: object) -> str:
    if not isinstance(value, str) or not MAC.match(value):
        raise BadRequest(f"Invalid input for mac_address. Reason: '{value}' is not a valid MAC address.")
    return value.lower()


def apply(instance: object, changes: dict[str, Any]) -> None:
    """Set the attributes that are not UNSET."""
    for attribute, value in changes.items():
        if value is not UNSET:
            setattr(instance, attribute, value)
