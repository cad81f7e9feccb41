"""The placement audit (Nova's ``nova-manage placement audit``, widened): what the books hold
that nobody owns, and what an owner holds without the books saying so.

- Allocations without a consumer: an allocation whose consumer is neither a live server nor
  a move in flight (a migration holds its server's source allocation until confirm, revert or
  the evacuated host's return; workers/conductor/allocations.py). Heal: release it, as Nova's
  audit ``--delete`` deletes orphaned allocations.
- Servers without allocations: a live server on a host that holds nothing on that host, by
  its own uuid or a move of its own. Heal: claim its flavor on its host again. The guest is
  there, using what its flavor gives it, so the claim makes the books say what is true; it is
  the same conditional claim as the scheduler's, so it never over-commits: when the host has
  no room the finding stays (the operator migrates or deletes the server). Nova's audit does
  not look for these (its resource tracker heals them); here nothing else would.
- Ports bound to servers that are deleted or never existed (device_owner ``compute:*``).
  Heal: networks.ipam.release_ports_of_server, as the delete workflow does: ports made for the
  server are deleted, ports the user passed in unbound; for a server with no row at all nobody
  knows which were made for it, so they are only unbound.
- Volumes held (attaching, in-use, detaching) by such servers, and attachment rows of deleted
  servers. Heal: the delete workflow's release_volumes (available again, or deleted when the
  attachment said delete_on_termination), then volumes.store.mark_available for any volume
  still held.
- Guests that no server claims, on the hypervisors (guests.py).

`audit` is the service function: ``manage.py placement_audit`` calls it, and so could an
admin view. Each finding is one line; the exit code is Nova's (see AuditReport.exit_code).
"""

from __future__ import annotations

from core import policy
from core.principal import Caller

from .books import (
    allocations_without_consumer,
    ports_of_gone_servers,
    servers_without_allocation,
    volumes_of_gone_servers,
)
from .findings import AuditReport, Finding
from .guests import guests_without_server


def audit(caller: Caller, *, heal: bool = False, guests: bool = True, timeout: float | None = None) -> AuditReport:
    """Find (and with `heal`, fix) what the books and the hypervisors disagree on. `guests`
    asks every up compute host for its guests, each answering within `timeout` seconds
    (settings.COMPUTE_CALL_TIMEOUT by default)."""
    policy.enforce(caller, policy.PLACEMENT_AUDIT)
    report = AuditReport(heal)
    allocations_without_consumer(report)
    servers_without_allocation(report)
    ports_of_gone_servers(report)
    volumes_of_gone_servers(report)
    if guests:
        guests_without_server(report, timeout)
    return report


__all__ = ["AuditReport", "Finding", "audit"]
