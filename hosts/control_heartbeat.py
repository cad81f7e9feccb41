"""Heartbeats of the control-plane workers (nova-conductor, nova-scheduler), so that they
appear in os-services and the internal availability zone with an up/down state like compute
services. A daemon thread records a heartbeat every `interval` seconds; novasite.celery starts
one from the `worker_ready` signal for workers that consume the conductor or scheduler queue.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings

log = logging.getLogger(__name__)

# Which binary a worker consuming each control queue reports as.
QUEUE_BINARIES = {"conductor": "nova-conductor", "scheduler": "nova-scheduler"}


def beat_once(binary: str, host: str) -> bool:
    """One heartbeat; errors (database away) are logged and retried at the next interval."""
    from hosts.heartbeats import record_heartbeat

    try:
        record_heartbeat(host, binary)
        return True
    except Exception:
        log.warning("heartbeat of %s on %s failed", binary, host, exc_info=True)
        return False


def start(binary: str, host: str, interval: float | None = None) -> threading.Thread:
    """Start a daemon thread recording `binary`'s heartbeat on `host` every `interval`
    seconds (settings.REPORT_INTERVAL by default); the first one is immediate."""
    period = float(interval if interval is not None else settings.REPORT_INTERVAL)
    stop = threading.Event()

    def run() -> None:
        from django.db import close_old_connections

        while True:
            close_old_connections()  # this thread's own connection: drop it if broken or stale
            beat_once(binary, host)
            if stop.wait(period):
                return

    thread = threading.Thread(target=run, name=f"heartbeat-{binary}", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]  # lets tests end it
    thread.start()
    return thread


def binaries_for_queues(queues: object) -> list[str]:
    """The control binaries a worker consuming `queues` (names) stands for."""
    return [QUEUE_BINARIES[name] for name in queues if name in QUEUE_BINARIES]


def on_worker_ready(sender: object = None, **kwargs: object) -> list[threading.Thread]:
    """celery.signals.worker_ready handler: start a heartbeat per control queue consumed.
    The host is the worker's node name after '@' (conductor@%h -> the machine's name)."""
    try:
        queues = list(sender.app.amqp.queues.consume_from or sender.app.amqp.queues)  # type: ignore[union-attr]
        hostname = str(getattr(sender, "hostname", "") or "")
    except AttributeError:
        return []
    host = hostname.rpartition("@")[2] or hostname
    if not host:
        import socket

        host = socket.gethostname()
    return [start(binary, host) for binary in binaries_for_queues(queues)]
