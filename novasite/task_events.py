"""Which task events the workers send: enough for Flower to list every task by name with its
arguments and find a server's tasks, and no more, since each event is a broker PUBLISH that
every Flower decodes.

A task's story in Flower is task-received (its name, args and kwargs, which the search reads)
then task-succeeded or task-failed (or retried, revoked, rejected). The publisher's task-sent
(novasite.celery turns it off) and the worker's task-started only repeat what those say:
without them a task is listed from the moment a worker takes it, and goes from RECEIVED
straight to its outcome (its runtime is in the outcome's event)."""

from __future__ import annotations

from typing import Any

from celery.worker.request import Request

#: Event types not sent: nothing in Flower's view depends on them.
SKIPPED_EVENTS = frozenset({"task-started"})


class LeanEventsRequest(Request):
    """Celery's request, without the events of SKIPPED_EVENTS."""

    def send_event(self, type: str, **fields: Any) -> None:
        if type not in SKIPPED_EVENTS:
            super().send_event(type, **fields)
