"""Service reports from compute hosts (heartbeat + hypervisor totals) and housekeeping."""
from __future__ import annotations

from celery import shared_task

from hosts.services import record_compute_report
from identity.tokens import purge_expired


@shared_task(name="conductor.service_report")
def service_report(host: str, resources: dict) -> None:
    """A compute worker's periodic report. Idempotent: it only refreshes the heartbeat and
    the node's totals."""
    record_compute_report(host, resources)


@shared_task(name="conductor.purge_expired_tokens")
def purge_expired_tokens() -> int:
    return purge_expired()
