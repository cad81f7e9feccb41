"""Heartbeats of the control-plane workers (nova-conductor, nova-scheduler), so that they
appear in os-services and the internal availability zone with an up/down state like compute
services. A daemon thread records a heartbeat every `interval` seconds; novasite.celery starts
one from the `worker_ready` signal for workers that consume the conductor or scheduler queue.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from hosts.heartbeats import record_heartbeat

log = logging.getLogger(__name__)

# Which binary a worker consuming each control queue reports as.
QUEUE_BINARIES = {"conductor": "nova-conductor", "scheduler": "nova-scheduler"}


def beat_once(binary: str, host: str) -> bool:
    """One heartbeat; errors (database away) are logged and retried at the next interval."""
    try:
        record_heartbeat(host, binary)
        return True
    except Exception:
        log.warning("heartbeat of %s on %s failed", binary, host, exc_info=True)
        return False


class Heartbeat(threading.Thread):
    """A daemon thread recording `binary`'s heartbeat on `host` every `period` seconds, the
    first one at once, until `stop` is set."""

    def __init__(self, binary: str, host: str, period: float) -> None:
        super().__init__(name=f"heartbeat-{binary}", daemon=True)
        self.binary, self.host, self.period = binary, host, period
        self.stop = threading.Event()

    def run(self) -> None:
        while True:
            close_old_connections()  # this thread's own connection: drop it if broken or stale
            beat_once(self.binary, self.host)
            if self.stop.wait(self.period):
                return


def start(binary: str, host: str, interval: float | None = None) -> Heartbeat:
    """Start recording `binary`'s heartbeat on `host` every `interval` seconds
    (settings.REPORT_INTERVAL by default)."""
    thread = Heartbeat(binary, host, float(interval if interval is not None else settings.REPORT_INTERVAL))
    thread.start()
    return thread


def binaries_for_queues(queues: Iterable[str]) -> list[str]:
    """The control binaries a worker consuming `queues` (names) stands for."""
    return [QUEUE_BINARIES[name] for name in queues if name in QUEUE_BINARIES]


def on_worker_ready(sender: Any = None, **kwargs: object) -> list[Heartbeat]:
    """celery.signals.worker_ready handler: start a heartbeat per control queue consumed.
    The host is the worker's node name after '@' (conductor@%h -> the machine's name)."""
    try:
        queues = list(sender.app.amqp.queues.consume_from or sender.app.amqp.queues)
        hostname = str(getattr(sender, "hostname", "") or "")
    except AttributeError:
        return []
    host = hostname.rpartition("@")[2] or hostname or socket.gethostname()
    return [start(binary, host) for binary in binaries_for_queues(queues)]
