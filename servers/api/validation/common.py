"""What every compute resource parses the same way: paging limits, timestamps
(changes-since, changes-before), a body that must be a JSON object, and Nova's schema error
for properties a body may not have."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime
from rest_framework.request import Request

from core.exceptions import BadRequest
from core.params import optional_int

NOT_AN_INTEGER = "{name} param must be an integer: {value}"


def limit_param(request: Request) -> int | None:
    """?limit=, capped at API_MAX_LIMIT; 400 when it is not a non-negative integer."""
    limit = optional_int(
        request.query_params.get("limit"), "limit", minimum=0, message=NOT_AN_INTEGER, below_minimum=NOT_AN_INTEGER
    )
    return None if limit is None else min(limit, settings.API_MAX_LIMIT)


def time_param(request: Request, name: str, message: str) -> datetime | None:
    """An ISO 8601 timestamp parameter (naive ones are UTC); BadRequest(``message``, with
    ``{name}`` and ``{value}``) when it is not one."""
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        moment = parse_datetime(value.replace(" ", "+"))  # an unencoded '+' in the query became a space
        # In UTC, as Nova normalises it: PostgreSQL refuses offsets beyond 15:59 (a 500 otherwise).
        moment = moment.astimezone(UTC) if moment and moment.tzinfo else moment
    except (ValueError, OverflowError):  # not a time; or one that leaves year 1..9999 in UTC
        moment = None
    if moment is None:
        raise BadRequest(message.format(name=name, value=value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def json_object(data: object, message: str = "Invalid input: the request body must be an object.") -> dict[str, Any]:
    """A request body that must be a JSON object (actions name themselves by their one key)."""
    if not isinstance(data, dict):
        raise BadRequest(message)
    return data


def unexpected(keys: set[str]) -> BadRequest:
    """Nova's schema error for properties a body may not have."""
    return BadRequest(f"Additional properties are not allowed ({', '.join(map(repr, sorted(keys)))} was unexpected)")
