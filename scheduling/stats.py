"""Per-host build statistics for the BuildFailureWeigher.

The conductor reports each build's outcome on a host: a failure increments the host's
`failed_builds` and stamps `last_build_failure_at`; a success resets the counter (Nova's
rule: one good build shows the host has recovered). Both are single UPDATE statements, safe
from any number of conductors at once.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F
from django.utils import timezone

from hosts.models import ComputeNode


def record_build_failure(host: str) -> None:
    """A build failed on `host` (the compute reported an error, not a delete or a NoValidHost)."""
    ComputeNode.objects.filter(host=host).update(
        failed_builds=F("failed_builds") + 1, last_build_failure_at=timezone.now()
    )


def record_build_success(host: str) -> None:
    """A build succeeded on `host`: its earlier failures no longer count. Written out: every
    boot's end runs it, and the ORM took longer to build it than the database to find that
    there is nothing to change."""
    table = connection.ops.quote_name(ComputeNode._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET failed_builds = 0 WHERE host = %s AND failed_builds > 0", [host])
