"""The quota rule, written once for every service: a limit of -1 is unlimited; a request fits
when usage plus what it asks stays within the limit; a new limit below what a project already
uses is refused unless forced. Each app counts its own usage (its rows) and takes its own
lock; what the numbers must satisfy is decided here."""

from __future__ import annotations

from collections.abc import Mapping

from .exceptions import BadRequest

UNLIMITED = -1


def fits(limit: int, used: int, wanted: int) -> bool:
    """Whether ``wanted`` more fit under ``limit`` when ``used`` are taken (-1: always)."""
    return limit < 0 or used + wanted <= limit


def first_overrun(limits: Mapping[str, int], usage: Mapping[str, int], wanted: Mapping[str, int]) -> str | None:
    """The first resource (in name order) that ``wanted`` would take over its limit, else None."""
    for resource in sorted(wanted):
        if wanted[resource] and not fits(limits.get(resource, UNLIMITED), usage.get(resource, 0), wanted[resource]):
            return resource
    return None


def check_new_limits(
    new_limits: Mapping[str, int],
    usage: Mapping[str, int],
    message: str = "Quota limit {limit} for {resource} must be greater than or equal to already used {used}.",
) -> None:
    """BadRequest for the first new limit (not unlimited) below what is already used.
    ``message`` is the service's wording, with ``{limit}``, ``{resource}`` and ``{used}``."""
    for resource in sorted(new_limits):
        limit, used = new_limits[resource], usage.get(resource, 0)
        if limit != UNLIMITED and 0 <= limit < used:
            raise BadRequest(message.format(limit=limit, resource=resource, used=used))
