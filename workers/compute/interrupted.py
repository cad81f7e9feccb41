"""What a restarted compute worker does, before it consumes anything, about the operations
its previous process had started and not finished (its journal, workers/compute/journal.py).
Operations still queued were never started: they run when it consumes again.

Two operations have a failure path that is exactly the truthful end of an interruption, and
their chain's next step is told at once, as if they had failed:

* a build: its half-made guest is destroyed here, and conductor.build_finished reschedules
  it to an alternate like any failed build (unshelve_finished keeps the server offloaded);
* the source half of a resize or cold migration (migrate_disk_and_power_off): nothing has
  moved yet, so conductor.resize_migrated rolls it back, as Nova's ``_init_instance`` reverts
  a RESIZE_MIGRATING server; the guest is started again if it was running.

Every other interrupted operation goes in the first report, for the conductor's recovery
rules (servers/states/recovery.py).
"""

from __future__ import annotations

import logging

from celery import Celery

from servers.states import PowerState

from .context import ComputeContext
from .journal import Entry

log = logging.getLogger(__name__)

BUILD = "compute.build_and_run_instance"
MIGRATE_DISK = "compute.migrate_disk_and_power_off"
#: Interrupted, these are reported to their chain's next step as failed.
REPORTED_AS_FAILED = frozenset({BUILD, MIGRATE_DISK})
#: The error an interrupted build reports (the conductor's fault names it).
BUILD_INTERRUPTED = "Build of the instance was interrupted by a compute service restart"
MIGRATION_INTERRUPTED = "Migration of the instance was interrupted by a compute service restart"


def take_interrupted(app: Celery, ctx: ComputeContext) -> dict[str, str]:
    """Handle what the previous process left half done; returns what goes in the first
    report (server uuid -> compute task)."""
    if ctx.journal is None:
        return {}
    for_report: dict[str, str] = {}
    for entry in ctx.journal.take_interrupted():
        log.warning("%s of %s was interrupted by the restart of %s", entry.task, entry.uuid, ctx.host)
        if entry.task in REPORTED_AS_FAILED and entry.callback:
            app.signature(entry.callback).apply_async((_failed(ctx, entry),))
        else:
            for_report[entry.uuid] = entry.task
    return for_report


def _failed(ctx: ComputeContext, entry: Entry) -> dict:
    """The outcome an interrupted build or migration reports, after tidying the host."""
    outcome = {"ok": False, "host": ctx.host, "interrupted": True}
    try:
        if entry.task == BUILD:
            ctx.driver.destroy(entry.uuid)  # whatever the build had made
            return {**outcome, "error": BUILD_INTERRUPTED, "power_state": PowerState.NOSTATE}
        if (entry.callback or {}).get("kwargs", {}).get("was_running"):
            ctx.driver.power_on(entry.uuid)
    except Exception:
        log.exception("tidying %s of %s after the restart failed", entry.task, entry.uuid)
    try:
        power = ctx.driver.power_state(entry.uuid)
    except Exception:
        power = PowerState.NOSTATE
    error = BUILD_INTERRUPTED if entry.task == BUILD else MIGRATION_INTERRUPTED
    return {**outcome, "error": error, "power_state": power}
