"""The quota rule, written once for every service: a limit of -1 is unlimited; a request fits
when usage plus what it asks stays within the limit; a new limit below what a project already
uses is refused unless forced. Each app counts its own usage (its rows) under the project's
quota lock (``lock_project``); what the numbers must satisfy is decided here."""

from __future__ import annotations

import zlib
from collections.abc import Mapping

from django.db import connection

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


# First key of PostgreSQL's two-key advisory locks for quota checks ("NvQu"); the second is
# derived from the service and the project (scheduling.groups uses "NvSG" the same way).
LOCK_NAMESPACE = int.from_bytes(b"NvQu", "big")


def _lock_key(service: str, project_id: str) -> int:
    """A signed 32-bit key for ``service`` and ``project_id`` (a collision only serialises more)."""
    key = zlib.crc32(f"{service}:{project_id}".encode())
    return key - 2**32 if key >= 2**31 else key


def lock_project(service: str, project_id: str) -> None:
    """Hold ``service``'s quota lock of ``project_id`` until the current transaction ends.

    A quota check counts rows and then inserts; two requests of one project must not both
    count before either commits. Each service calls this first inside ``transaction.atomic()``,
    then counts its rows and checks them with ``fits``, so concurrent creates serialise and
    never pass a limit. PostgreSQL: a transaction-level advisory lock, so no row needs to
    exist (a project id need not name an identity row). SQLite: transactions begin IMMEDIATE
    (novasite.settings), so writers are serialised already."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_project must run inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, _lock_key(service, project_id)))
