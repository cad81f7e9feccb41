"""Celery tasks of the scheduler queue."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from .request import RequestSpec
from .scheduler import NoValidHost, select_destinations


@shared_task(name="scheduler.select_destinations")
def select_destinations_task(request_spec: dict[str, Any]) -> dict[str, Any]:
    """Place and claim; returns {"ok": True, "selections": [...]} or {"ok": False, "reason"}.
    Safe to run twice: claims are keyed by instance uuid."""
    return decide(request_spec)


def decide(request_spec: dict[str, Any]) -> dict[str, Any]:
    """The scheduler's answer to a request spec (its dict form): the decision
    select_destinations_task returns, for a caller that places in process (a build's first
    step, workers/conductor/build.py)."""
    spec = RequestSpec.from_dict(request_spec)
    try:
        selections = select_destinations(spec)
    except NoValidHost as exc:
        return {"ok": False, "reason": str(exc)}
    return {"ok": True, "selections": [selection.to_dict() for selection in selections]}
