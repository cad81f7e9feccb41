"""The compute worker's heartbeat: every REPORT_INTERVAL seconds it sends its hypervisor's
totals to conductor.service_report. The service shows up after the first report and goes
down SERVICE_DOWN_TIME seconds after the last.

The first report after a start also names the operations the previous process had started
and not finished (workers/compute/interrupted.py), for the conductor's recovery rules."""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import threading
import time

from celery import Celery

from workers.virt.driver import ComputeDriver

log = logging.getLogger(__name__)


def host_uptime() -> str:
    """The machine's `uptime` line, as Nova's libvirt driver reports a hypervisor's uptime
    ("" where the command is missing or fails)."""
    try:
        done = subprocess.run(
            ["uptime"], env={**os.environ, "LANG": "C"}, capture_output=True, text=True, timeout=5, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout


def report(
    app: Celery,
    host: str,
    driver: ComputeDriver,
    *,
    with_guests: bool = False,
    startup: bool = False,
    interrupted: dict[str, str] | None = None,
) -> None:
    """Send one report. The hypervisor hostname is the host's name: test-driver workers on one
    machine would otherwise all report the same machine hostname. With `with_guests`, the
    power state of every guest goes along for the conductor's power-state sync; `startup`
    asks for the recovery a restarted host needs, of the operations in `interrupted`."""
    resources = dataclasses.replace(driver.host_resources(), hypervisor_hostname=host).to_dict()
    resources["capabilities"] = dict(driver.capabilities)
    resources["uptime"] = host_uptime()
    guests = driver.list_instances() if with_guests or startup else None
    args = [host, resources, guests, startup] + ([interrupted] if startup else [])
    app.send_task("conductor.service_report", args=args, queue="conductor")


def start(
    app: Celery,
    host: str,
    driver: ComputeDriver,
    interval: float,
    sync_interval: float,
    interrupted: dict[str, str] | None = None,
) -> threading.Event:
    """Report now (with recovery of the `interrupted` operations) and then every `interval`
    seconds in a daemon thread, with the guests' power states every `sync_interval` seconds;
    set the returned event to stop."""
    stop = threading.Event()

    def loop() -> None:
        startup = True
        last_sync = time.monotonic()
        while True:
            sync = time.monotonic() - last_sync >= sync_interval
            try:
                report(app, host, driver, with_guests=sync, startup=startup, interrupted=interrupted)
                startup = False
                if sync:
                    last_sync = time.monotonic()
            except Exception:
                log.exception("heartbeat from %s failed", host)
            if stop.wait(interval):
                return

    threading.Thread(target=loop, name=f"heartbeat-{host}", daemon=True).start()
    return stop
