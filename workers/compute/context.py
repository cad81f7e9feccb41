"""The compute worker's process-wide state: which host it is, its hypervisor driver, its
journal of running operations, and when this process started. Set once by the
compute_worker command before the worker starts consuming."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from workers.virt.driver import ComputeDriver

from .journal import Journal


@dataclass
class ComputeContext:
    host: str
    driver: ComputeDriver
    # Where QEMU's migration stream goes (e.g. tcp://127.0.0.1 when host names do not resolve).
    migrate_uri: str | None = None
    journal: Journal | None = None
    # Messages sent before this (the conductor's clock) may be stale: see tasks.build_and_run_instance.
    started_at: float = field(default_factory=time.time)
    # Builds running in this process now, by server uuid: a duplicate delivery waits for none.
    building: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


_context: ComputeContext | None = None


def configure(
    host: str, driver: ComputeDriver, migrate_uri: str | None = None, journal: Journal | None = None
) -> ComputeContext:
    global _context
    _context = ComputeContext(host, driver, migrate_uri, journal)
    return _context


def current() -> ComputeContext:
    if _context is None:
        raise RuntimeError("compute context not configured: start with `manage.py compute_worker`")
    return _context
