"""How the API starts a workflow: it publishes the conductor task once its transaction has
committed, so the conductor never reads a server the API has not finished writing.

The database is the source of truth and the broker only carries work. A publish waits out a
short broker outage (API_RETRY_POLICY, a few seconds, so a client is not held for long); if the
broker is still unreachable, the request's writes stand (the server is already recorded, with
its task_state and instance action), the loss is logged, and the conductor's periodic
reconciler drives the workflow again from the database's state. The client gets its 202: what
it asked for was accepted, and will be done.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnreachable

from .celery import app

log = logging.getLogger(__name__)

#: Kombu's retry policy for the API's publishes: 0, 0.5, 1, 1, 1, 1 s (about 4.5 s) before
#: giving up; the workers' own publishes wait longer (novasite.celery).
API_RETRY_POLICY = {"max_retries": 6, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def send_after_commit(task: str, kwargs: dict[str, Any], **options: Any) -> None:
    """Publish conductor ``task`` with ``kwargs`` once the current transaction commits (at
    once outside one); a broker that stays unreachable is logged, never raised."""
    publish_after_commit(
        functools.partial(app.send_task, task, kwargs=kwargs, **options), f"{task} for {_about(kwargs)}"
    )


def publish_after_commit(publish: Callable[..., object], about: str) -> None:
    """Call ``publish`` (anything taking Celery's publish options, e.g. a chain's apply_async)
    once the current transaction commits, with the API's retry policy; a broker that stays
    unreachable is logged, never raised. ``about`` names the work in that log line."""
    transaction.on_commit(functools.partial(_publish, publish, about))


def _publish(publish: Callable[..., object], about: str) -> None:
    try:
        publish(retry=True, retry_policy=API_RETRY_POLICY)
    except BrokerUnreachable as exc:
        # Committed, not published: the reconciler re-drives it from the database.
        log.error("could not publish %s after commit (broker unreachable: %s)", about, exc)


def _about(kwargs: dict[str, Any]) -> str:
    """The servers a task is about, for the log line."""
    return str(kwargs.get("server_uuid") or kwargs.get("server_uuids") or "?")
