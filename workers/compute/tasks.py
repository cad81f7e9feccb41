"""Tasks that run on a hypervisor host (queue compute.<host>). They get everything in their
message, do the libvirt work, and return what they observed as a plain dict:
{"ok": True, ...} or {"ok": False, "error": str, "traceback": str}. They never raise for an
operation failure (the conductor decides what a failure means) and never touch a database.
Each is safe to run twice: the driver's operations are idempotent by instance uuid."""
from __future__ import annotations

import logging
import traceback
from typing import Callable

from celery import shared_task

from workers.virt.driver import InstanceSpec

from . import context, faults

log = logging.getLogger(__name__)


def _outcome(task_name: str, work: Callable[[], dict]) -> dict:
    ctx = context.current()
    try:
        faults.check(task_name)
        result = work()
    except Exception as exc:  # noqa: BLE001 - reported to the conductor, which records the fault
        log.exception("compute operation failed on %s", ctx.host)
        return {"ok": False, "host": ctx.host, "error": str(exc) or type(exc).__name__, "traceback": traceback.format_exc()}
    return {"ok": True, "host": ctx.host, **result}


@shared_task(name="compute.build_and_run_instance")
def build_and_run_instance(instance: dict) -> dict:
    """Define and start the guest. On failure the half-built guest is removed so the
    conductor can reschedule elsewhere with this host clean."""
    driver = context.current().driver

    def work() -> dict:
        try:
            power_state = driver.spawn(InstanceSpec.from_dict(instance))
        except Exception:
            driver.destroy(instance["uuid"])
            raise
        return {"power_state": power_state}

    return _outcome("compute.build_and_run_instance", work)


@shared_task(name="compute.terminate_instance")
def terminate_instance(instance: dict) -> dict:
    """Destroy and undefine the guest and remove its disks (a missing guest is fine)."""
    driver = context.current().driver

    def work() -> dict:
        driver.destroy(instance["uuid"])
        return {"power_state": driver.power_state(instance["uuid"])}

    return _outcome("compute.terminate_instance", work)
