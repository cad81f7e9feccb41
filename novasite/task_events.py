"""Which task events the workers send: enough for Flower to list every task by name with its
arguments and find a server's tasks, and no more, since each event is built, serialized and
published by the worker and decoded by every Flower.

A task's story in Flower is task-received (its name, args and kwargs, which the search reads)
then task-succeeded or task-failed (or retried, revoked, rejected). The publisher's task-sent
(novasite.celery turns it off) and the worker's task-started only repeat what those say:
without them a task is listed from the moment a worker takes it, and goes from RECEIVED
straight to its outcome (its runtime is in the outcome's event).

Most tasks end within milliseconds of being received, so a worker holds each task-received
back for up to RECEIVED_HOLD seconds: a task that ends by then sends one event, its outcome
carrying everything task-received would have said (name, args, kwargs, ids, and the time it
was received, which Flower shows as such: Celery's event state copies every field of an event
onto its task). A task still running, or waiting for its ETA, after RECEIVED_HOLD is announced
by its own task-received then, so Flower still lists every task by name and server, a running
one at most RECEIVED_HOLD seconds late."""

from __future__ import annotations

import threading
import time
from typing import Any

from celery.app.events import Events as CeleryEvents
from celery.events.dispatcher import EventDispatcher
from celery.worker.request import Request

#: Event types not sent: nothing in Flower's view depends on them.
SKIPPED_EVENTS = frozenset({"task-started"})
#: The events that end a task's story: a held task-received travels inside them.
OUTCOME_EVENTS = frozenset({"task-succeeded", "task-failed", "task-retried", "task-revoked", "task-rejected"})
#: Seconds a task-received waits for its task's outcome before it is sent on its own.
RECEIVED_HOLD = 1.0


class LeanEventsRequest(Request):
    """Celery's request, without the events of SKIPPED_EVENTS."""

    def send_event(self, type: str, **fields: Any) -> None:
        if type not in SKIPPED_EVENTS:
            super().send_event(type, **fields)


class MergingDispatcher(EventDispatcher):
    """Celery's event dispatcher, which holds each task-received back (RECEIVED_HOLD) and
    sends it inside its task's outcome event when that comes first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: dict[str, tuple[float, dict[str, Any]]] = {}
        self._held_lock = threading.Lock()
        self._releaser: threading.Thread | None = None

    def send(self, type: str, *args: Any, **fields: Any) -> Any:
        uuid = fields.get("uuid")
        if uuid is None or not self.enabled:
            return super().send(type, *args, **fields)
        if type == "task-received":
            with self._held_lock:
                self._held[uuid] = (time.time(), fields)
            self._ensure_releaser()
            return None
        if type in OUTCOME_EVENTS:
            with self._held_lock:
                held = self._held.pop(uuid, None)
            if held is not None:
                received, announced = held
                fields = {**announced, **fields, "received": received}
        return super().send(type, *args, **fields)

    def _ensure_releaser(self) -> None:
        if self._releaser is None:
            with self._held_lock:
                if self._releaser is None:
                    self._releaser = threading.Thread(
                        target=self._release_loop, name="task-received-releaser", daemon=True
                    )
                    self._releaser.start()

    def _release_loop(self) -> None:
        """Send the task-received of every task held longer than RECEIVED_HOLD."""
        while not getattr(self, "_closed", False):
            time.sleep(RECEIVED_HOLD / 4)
            self.release_held(older_than=RECEIVED_HOLD)

    def release_held(self, older_than: float = 0.0) -> None:
        """Send, as themselves, the held task-received events older than ``older_than`` s."""
        deadline = time.time() - older_than
        with self._held_lock:
            due = [(uuid, held) for uuid, held in self._held.items() if held[0] <= deadline]
            for uuid, _ in due:
                del self._held[uuid]
        for _, (_, fields) in due:
            super().send("task-received", **fields)

    def close(self) -> None:
        self.release_held()
        super().close()


class Events(CeleryEvents):
    """The app's events (``app.events``), dispatching through MergingDispatcher."""

    dispatcher_cls = f"{__name__}:MergingDispatcher"
