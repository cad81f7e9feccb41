"""JSON-schema validation of compute request bodies, with Nova's formats and Nova's error
wording ("Invalid input for field/attribute <name>. Value: <value>. <reason>"). The schemas
themselves are plain dicts next to the resource that uses them (``server_schemas``)."""

from __future__ import annotations

import base64
import binascii
import unicodedata
import uuid
from typing import Any

import jsonschema
from django.utils.dateparse import parse_datetime

from core.exceptions import BadRequest

FORMAT_CHECKER = jsonschema.FormatChecker()

NAME_REASON = "printable characters. Can not start or end with whitespace."
PADDED_NAME_REASON = "printable characters with at least one non space character"


class InvalidName(ValueError):
    """A name that is not printable, or starts or ends with whitespace (Nova's own message)."""


def _printable(char: str) -> bool:
    """Nova's printable: not a control/format/unassigned character (C*) and no separator other
    than an ordinary space (Zs); only the Basic Multilingual Plane, as Nova's ranges."""
    if ord(char) >= 0xFFFF:
        return False
    category = unicodedata.category(char)
    return not category.startswith("C") and (not category.startswith("Z") or category == "Zs")


def _blank(char: str) -> bool:
    return not _printable(char) or unicodedata.category(char) == "Zs"


@FORMAT_CHECKER.checks("name", raises=InvalidName)
def _name(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if all(_printable(char) for char in value) and not (value and (_blank(value[0]) or _blank(value[-1]))):
        return True
    raise InvalidName(f"An invalid 'name' value was provided. The name must be: {NAME_REASON}")


@FORMAT_CHECKER.checks("name_with_leading_trailing_spaces", raises=InvalidName)
def _padded_name(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if all(_printable(char) for char in value) and any(not _blank(char) for char in value):
        return True
    raise InvalidName(f"An invalid 'name' value was provided. The name must be: {PADDED_NAME_REASON}")


@FORMAT_CHECKER.checks("printable")
def _printable_text(value: object) -> bool:
    return not isinstance(value, str) or all(_printable(char) for char in value)


@FORMAT_CHECKER.checks("uuid")
def _uuid(value: object) -> bool:
    """As oslo's is_uuid_like: anything uuid.UUID reads back to the same hex (dashes optional)."""
    if not isinstance(value, str):
        return True
    try:
        return str(uuid.UUID(value)).replace("-", "") == value.replace("-", "").lower()
    except (TypeError, ValueError, AttributeError):
        return False


@FORMAT_CHECKER.checks("base64")
def _base64(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        base64.b64decode(value.encode(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


@FORMAT_CHECKER.checks("date-time")
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return parse_datetime(value) is not None
    except ValueError:
        return False


def _minimum(validator, minimum, instance, schema):
    """Nova compares string numbers ("10") with minimum/maximum too."""
    number = _as_number(instance)
    if number is not None:
        yield from jsonschema.Draft202012Validator.VALIDATORS["minimum"](validator, minimum, number, schema)


def _maximum(validator, maximum, instance, schema):
    number = _as_number(instance)
    if number is not None:
        yield from jsonschema.Draft202012Validator.VALIDATORS["maximum"](validator, maximum, number, schema)


def _as_number(value: object) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    try:
        return int(str(value))
    except ValueError:
        try:
            return float(str(value))
        except ValueError:
            return None


_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"minimum": _minimum, "maximum": _maximum})


def validate(schema: dict[str, Any], body: object) -> None:
    """Check ``body`` against ``schema``; BadRequest with Nova's message when it does not fit."""
    validator = _Validator(schema, format_checker=FORMAT_CHECKER)
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is None:
        return
    if isinstance(error.cause, InvalidName):
        raise BadRequest(str(error.cause))
    if error.path:
        raise BadRequest(
            f"Invalid input for field/attribute {error.path[-1]}. Value: {error.instance}. {error.message}"
        )
    raise BadRequest(error.message)
