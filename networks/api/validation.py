"""Reading Neutron request bodies: each reader returns the typed value (UNSET when the body
does not give the attribute) or raises a 400 in Neutron's words. The views build the service
layer's arguments (networks.services.arguments) from these."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from core.exceptions import BadRequest
from core.ids import parse_uuid
from core.params import bool_word
from core.unset import UNSET, Unset

MAC = re.compile(r"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")
# The words the API takes for a boolean attribute. neutron-lib's convert_to_boolean accepts
# oslo's whole vocabulary (neutron_lib/api/converters.py); novasite has always taken only these.
TRUE_FALSE = (frozenset({"true"}), frozenset({"false"}))
MAX_PROJECT_ID = 64
#: Neutron's 400 for a body without its resource object (core.bodies.unwrap's message).
MISSING_BODY = "Resource body required: expected an object under '{key}'."


def read_only(body: dict[str, Any], *keys: str) -> None:
    """400 when the update body tries to change one of ``keys``."""
    for key in keys:
        if key in body:
            raise BadRequest(f"Cannot update read-only attribute {key}")


def text(body: dict[str, Any], key: str, max_length: int = 255) -> str | Unset:
    """A string attribute of at most ``max_length`` characters."""
    if key not in body:
        return UNSET
    value = body[key]
    if not isinstance(value, str) or len(value) > max_length:
        raise BadRequest(
            f"Invalid input for {key}. Reason: '{value}' is not a valid string of at most {max_length} characters."
        )
    return value


def boolean(body: dict[str, Any], key: str) -> bool | Unset:
    """A boolean attribute: a JSON boolean, or "true"/"false" in any case."""
    if key not in body:
        return UNSET
    value = bool_word(body[key], TRUE_FALSE)
    if value is None:
        raise BadRequest(f"Invalid input for {key}. Reason: '{body[key]}' cannot be converted to boolean.")
    return value


def uuid_text(value: object, key: str) -> str:
    """A UUID given as a string (normalised), or 400."""
    parsed = parse_uuid(value) if isinstance(value, str) else None
    if parsed is None:
        raise BadRequest(f"Invalid input for {key}. Reason: '{value}' is not a valid UUID.")
    return str(parsed)


def ipv4(value: object, key: str) -> ipaddress.IPv4Address:
    """An IPv4 address given as a string, or 400."""
    try:
        address = ipaddress.ip_address(value) if isinstance(value, str) else None
    except ValueError:
        address = None
    if not isinstance(address, ipaddress.IPv4Address):
        raise BadRequest(f"Invalid input for {key}. Reason: '{value}' is not a valid IPv4 address.")
    return address


def mac(value: object) -> str:
    """A MAC address (lower-cased), or 400."""
    if not isinstance(value, str) or not MAC.match(value):
        raise BadRequest(f"Invalid input for mac_address. Reason: '{value}' is not a valid MAC address.")
    return value.lower()


def project(body: dict[str, Any]) -> str | None:
    """The project_id (or tenant_id) a create asks for, None when it names none."""
    requested = body.get("project_id") or body.get("tenant_id")
    if requested is None:
        return None
    if not isinstance(requested, str) or len(requested) > MAX_PROJECT_ID:
        raise BadRequest(f"Invalid input for project_id. Reason: '{requested}' is not a valid project id.")
    return requested
