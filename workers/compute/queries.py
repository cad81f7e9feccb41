"""Questions the API asks a hypervisor host and waits for (queue compute.<host>): the guest's
diagnostics, its console log and its VNC address, and (for `manage.py placement_audit`) the list of guests.
Unlike the workflow tasks in tasks.py their result is stored (the caller is waiting on it,
for COMPUTE_CALL_TIMEOUT seconds), they change nothing and they never touch a database. Each
answers {"ok": True, ...} or {"ok": False, "error", "error_type"} where error_type names the
driver's exception class (InstanceNotFound, NotSupported, ConsoleNotAvailable, ...), so the
API can answer as Nova does."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import shared_task

from . import context

log = logging.getLogger(__name__)


def _answer(name: str, uuid: str, ask: Callable[[], dict]) -> dict:
    try:
        return {"ok": True, "host": context.current().host, **ask()}
    except Exception as exc:
        log.warning("%s for %s failed: %s", name, uuid, exc)
        return {"ok": False, "error": str(exc) or type(exc).__name__, "error_type": type(exc).__name__}


@shared_task(name="compute.get_diagnostics", ignore_result=False)
def get_diagnostics(instance: dict) -> dict:
    """{"diagnostics": the driver's standard diagnostics of the guest}."""
    driver = context.current().driver
    return _answer(
        "compute.get_diagnostics", instance["uuid"], lambda: {"diagnostics": driver.get_diagnostics(instance["uuid"])}
    )


@shared_task(name="compute.get_console_output", ignore_result=False)
def get_console_output(instance: dict) -> dict:
    """{"output": the end of the guest's console log}."""
    driver = context.current().driver
    return _answer(
        "compute.get_console_output", instance["uuid"], lambda: {"output": driver.get_console_output(instance["uuid"])}
    )


@shared_task(name="compute.get_vnc_console", ignore_result=False)
def get_vnc_console(instance: dict) -> dict:
    """{"console": {"host", "port"}}: where the running guest's VNC server listens."""
    driver = context.current().driver
    return _answer(
        "compute.get_vnc_console", instance["uuid"], lambda: {"console": driver.get_vnc_console(instance["uuid"])}
    )


@shared_task(name="compute.list_guests", ignore_result=False)
def list_guests() -> dict:
    """{"guests": {uuid: power state} of every guest the hypervisor runs}: what the placement
    audit compares with the servers the database puts on this host."""
    driver = context.current().driver
    return _answer("compute.list_guests", "", lambda: {"guests": driver.list_instances()})
