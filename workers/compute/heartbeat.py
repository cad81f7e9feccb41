"""The compute worker's heartbeat: every REPORT_INTERVAL seconds it sends its hypervisor's
totals to conductor.service_report. The service shows up after the first report and goes
down SERVICE_DOWN_TIME seconds after the last."""
from __future__ import annotations

import dataclasses
import logging
import threading

from celery import Celery

from workers.virt.driver import ComputeDriver

log = logging.getLogger(__name__)


def report(app: Celery, host: str, driver: ComputeDriver) -> None:
    """Send one report. The hypervisor hostname is the host's name: test-driver workers on one
    machine would otherwise all report the same machine hostname."""
    resources = dataclasses.replace(driver.host_resources(), hypervisor_hostname=host).to_dict()
    app.send_task("conductor.service_report", args=[host, resources], queue="conductor")


def start(app: Celery, host: str, driver: ComputeDriver, interval: float) -> threading.Event:
    """Report now and then every `interval` seconds in a daemon thread; set the returned event
    to stop."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            try:
                report(app, host, driver)
            except Exception:  # noqa: BLE001 - a missed beat is retried at the next interval
                log.exception("heartbeat from %s failed", host)
            if stop.wait(interval):
                return

    threading.Thread(target=loop, name=f"heartbeat-{host}", daemon=True).start()
    return stop
