"""The string formats Nova's request schemas give the host admin bodies
(nova/api/validation/parameter_types.py): names of printable characters, availability zone
names without ':', host names, and aggregate metadata. Each check raises BadRequest; a value
of another JSON type (a number for a name) is refused as the schemas refuse it."""

from __future__ import annotations

import re
import unicodedata

from core.exceptions import BadRequest

MAX_LENGTH = 255
#: parameter_types.fqdn: what a host may be called (underscores allowed).
HOST_RE = re.compile(r"[a-zA-Z0-9-._]*")
#: parameter_types.metadata: the keys aggregate metadata may have.
METADATA_KEY_RE = re.compile(r"[a-zA-Z0-9-_:. ]{1,255}")


def invalid(field: str, value: object, why: str) -> BadRequest:
    """A schema refusal of ``field``, worded as the rest of the compute API words them."""
    return BadRequest(f"Invalid input for field/attribute {field}. Value: {value!r}. {why}")


def unexpected(keys: set[str]) -> BadRequest:
    """The schemas' refusal of properties a body may not have."""
    return BadRequest(f"Additional properties are not allowed ({', '.join(map(repr, sorted(keys)))} was unexpected)")


def printable(char: str) -> bool:
    """A character a name may hold: not a control or format character, and no separator but
    a space (Nova builds its name regexes over the Basic Multilingual Plane only)."""
    category = unicodedata.category(char)
    return ord(char) < 0xFFFF and not category.startswith("C") and (not category.startswith("Z") or category == "Zs")


def _solid(char: str) -> bool:
    return printable(char) and unicodedata.category(char) != "Zs"


def _string(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise invalid(field, value, f"{type(value).__name__} is not of type 'string'.")
    if not 1 <= len(value) <= MAX_LENGTH:
        raise invalid(field, value, f"It must have 1 to {MAX_LENGTH} characters.")
    return value


def name(field: str, value: object, *, colon: bool = True) -> str:
    """A name: printable characters that neither start nor end with a space (parameter_types
    ``name``; ``colon=False`` is ``az_name``, which refuses ':')."""
    text = _string(field, value)
    allowed = all(printable(c) and (colon or c != ":") for c in text)
    if not allowed or not _solid(text[0]) or not _solid(text[-1]):
        what = "printable characters except ':'" if not colon else "printable characters"
        raise invalid(field, value, f"It must be {what} and cannot start or end with whitespace.")
    return text


def spaced_name(field: str, value: object, *, colon: bool = True) -> str:
    """A name that may start or end with spaces but holds at least one other character
    (``name_with_leading_trailing_spaces``), stripped as Nova's normalize_name does."""
    text = _string(field, value)
    if not all(printable(c) and (colon or c != ":") for c in text) or not any(map(_solid, text)):
        raise invalid(field, value, "It must be printable characters with at least one non-space character.")
    return text.strip()


def zone(field: str, value: object) -> str | None:
    """An availability zone name, or null (``az_name`` or null)."""
    return None if value is None else name(field, value, colon=False)


def host(field: str, value: object) -> str:
    """A host name (parameter_types.fqdn)."""
    text = _string(field, value)
    if not HOST_RE.fullmatch(text):
        raise invalid(field, value, "It must be letters, digits, '-', '.' and '_'.")
    return text


def metadata(field: str, value: object) -> dict[str, str | None]:
    """Aggregate metadata to set: keys of letters, digits and '-_:. ', values strings of at
    most 255 characters, or null to delete a key (``metadata_with_null``)."""
    if not isinstance(value, dict):
        raise invalid(field, value, "It must be an object.")
    for key, item in value.items():
        if not METADATA_KEY_RE.fullmatch(key):
            raise BadRequest(f"Invalid input for field/attribute {field}: the key {key!r} is not allowed.")
        if item is not None and (not isinstance(item, str) or len(item) > MAX_LENGTH):
            raise invalid(f"{field}.{key}", item, f"It must be a string of at most {MAX_LENGTH} characters or null.")
    return value
