"""Tasks wait out a database outage instead of failing.

A conductor or scheduler task that meets PostgreSQL down or restarting (a refused or lost
connection: Django's OperationalError or InterfaceError) runs again from the start, after a
backoff (0.5 s, doubling, at most DATABASE_RETRY_MAX_DELAY), until DATABASE_RETRY_SECONDS have
passed; only then does it fail. It runs again inside the same delivery: its message stays
unacknowledged meanwhile (late acks), so a worker that dies while waiting still gives it back
to the broker. Running a task again is safe because every task is idempotent (a redelivery
does the same). Deadlocks and serialization failures are OperationalErrors too, and a rerun is
their cure as well.

Every task of the app is a ``novasite.tracing.TracedTask``, which runs its function through
:func:`through_database_outages`; compute tasks never touch the database, so for them it is
a plain call.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

log = logging.getLogger(__name__)

T = TypeVar("T")

#: A database that is down, restarting or refusing connections (or a transaction to rerun).
DATABASE_OUTAGE_ERRORS = (OperationalError, InterfaceError)
FIRST_DELAY = 0.5


def through_database_outages(run: Callable[[], T], name: str) -> T:
    """``run()``, run again after a backoff while it fails because the database is
    unreachable, for up to settings.DATABASE_RETRY_SECONDS; ``name`` names it in the log."""
    deadline = time.monotonic() + settings.DATABASE_RETRY_SECONDS
    delay = FIRST_DELAY
    attempt = 1
    while True:
        try:
            return run()
        except DATABASE_OUTAGE_ERRORS as exc:
            if _in_transaction() or time.monotonic() + delay > deadline:
                raise  # an outer transaction is broken for good; or the outage outlasted us
            log.warning("%s met the database down (attempt %d, again in %.1f s): %s", name, attempt, delay, exc)
            # This thread's connections may be dead: the next attempt opens new ones.
            connections.close_all()
            time.sleep(delay * random.uniform(0.8, 1.2))  # jitter: threads do not retry in step
            delay = min(delay * 2, settings.DATABASE_RETRY_MAX_DELAY)
            attempt += 1


def _in_transaction() -> bool:
    """Whether the caller holds a transaction open (a task run eagerly inside one, in a test):
    rerunning inside it cannot help."""
    return any(connection.in_atomic_block for connection in connections.all(initialized_only=True))
