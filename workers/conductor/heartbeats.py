"""Service reports from compute hosts (heartbeat + hypervisor totals) and housekeeping."""

from __future__ import annotations

from celery import shared_task

from consoles import tokens as console_tokens
from hosts.heartbeats import record_compute_report
from identity.tokens import purge_expired

from .recovery import recover_host, sync_power_states


@shared_task(name="conductor.service_report")
def service_report(
    host: str,
    resources: dict,
    guests: dict | None = None,
    startup: bool = False,
    interrupted: dict[str, str] | None = None,
) -> None:
    """A compute worker's periodic report: heartbeat and the node's totals; with `guests`
    (uuid -> power state), a power-state sync; on the first report after a start, recovery
    of the operations it had `interrupted` (uuid -> compute task)."""
    record_compute_report(host, resources)
    if guests is None:
        return
    if startup:
        recover_host(host, guests, interrupted or {})
    sync_power_states(host, guests)


@shared_task(name="conductor.purge_expired_tokens")
def purge_expired_tokens() -> int:
    return purge_expired()


@shared_task(name="conductor.purge_expired_console_tokens")
def purge_expired_console_tokens() -> int:
    """Delete console tokens that expired or whose server was deleted or moved."""
    return console_tokens.purge_expired()
