"""The compute worker's process-wide state: which host it is and its hypervisor driver.
Set once by the compute_worker command before the worker starts consuming."""

from __future__ import annotations

from dataclasses import dataclass

from workers.virt.driver import ComputeDriver


@dataclass
class ComputeContext:
    host: str
    driver: ComputeDriver
    # Where QEMU's migration stream goes (e.g. tcp://127.0.0.1 when host names do not resolve).
    migrate_uri: str | None = None


_context: ComputeContext | None = None


def configure(host: str, driver: ComputeDriver, migrate_uri: str | None = None) -> ComputeContext:
    global _context
    _context = ComputeContext(host, driver, migrate_uri)
    return _context


def current() -> ComputeContext:
    if _context is None:
        raise RuntimeError("compute context not configured: start with `manage.py compute_worker`")
    return _context
