"""Whether a build message may still create a guest, and how a compute task drops one.

A build message can outlive its reason: it waited in the queue of a stopped worker while the
server was deleted, or the worker died running it and the conductor has since rescheduled
the server, and then the broker redelivers it. Creating the guest then would leave one that
no server claims. On the happy path nothing is asked: only a message that may be stale asks
the conductor (conductor.build_wanted, answered through the result backend, as the API asks
a host in workers/compute/queries.py):

* it was sent before this worker process started (``params["sent_at"]``, the conductor's
  clock; hosts keep their clocks in step),
* the broker redelivered it, or
* the conductor's reconciler re-sent it (``params["confirm"]``).

A live worker needs no question: a build that ends revokes its queued message
(workers/conductor/build.py, revoke_build), and Celery discards it.
"""

from __future__ import annotations

import logging

from celery import current_app
from celery.app.task import Context
from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings

from .context import ComputeContext

log = logging.getLogger(__name__)


class Unconfirmed(RuntimeError):
    """The conductor did not say in time whether a suspect build is still wanted."""


def is_suspect(ctx: ComputeContext, request: Context, params: dict) -> bool:
    """Whether the build message may be stale (see the module's docstring)."""
    sent_at = params.get("sent_at")
    redelivered = bool((request.delivery_info or {}).get("redelivered"))
    return bool(params.get("confirm")) or redelivered or (sent_at is not None and sent_at < ctx.started_at)


def unwanted_build(ctx: ComputeContext, request: Context, uuid: str, params: dict) -> str | None:
    """Why this build must not run (None: run it). Raises Unconfirmed when the conductor
    does not answer within COMPUTE_CALL_TIMEOUT seconds."""
    if not is_suspect(ctx, request, params):
        return None
    pending = current_app.send_task(
        "conductor.build_wanted", args=[uuid, ctx.host], queue="conductor", ignore_result=False
    )
    try:
        wanted = pending.get(timeout=settings.COMPUTE_CALL_TIMEOUT, disable_sync_subtasks=False)
    except CeleryTimeout as exc:
        raise Unconfirmed(
            f"the conductor did not confirm the build of {uuid} on {ctx.host} within {settings.COMPUTE_CALL_TIMEOUT} s"
        ) from exc
    finally:
        pending.forget()
    if wanted:
        return None
    return f"build of {uuid} on {ctx.host} is no longer wanted (deleted, ended or moved)"


def discard(request: Context, reason: str) -> dict:
    """End the task without running it and without its chain: the conductor has already
    written what became of the server, and nothing must be reported twice."""
    log.warning("discarding task %s: %s", request.id, reason)
    request.chain = None
    request.callbacks = None
    return {"ok": False, "discarded": True, "error": reason}
