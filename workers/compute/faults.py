"""Fault injection for drills and tests. A compute worker started with
COMPUTE_FAULTS="compute.build_and_run_instance,..." fails those operations as if the
hypervisor had refused them; COMPUTE_DELAYS="compute.build_and_run_instance=5,..." makes them
take that many seconds longer (a slow host). Operators use them to watch reschedules, error
paths and recovery happen."""

from __future__ import annotations

import os
import time


class InjectedFault(RuntimeError):
    """Raised in place of the hypervisor operation named in COMPUTE_FAULTS."""


def _names(variable: str) -> dict[str, str]:
    entries = {}
    for item in os.environ.get(variable, "").split(","):
        name, _, value = item.strip().partition("=")
        if name:
            entries[name] = value
    return entries


def check(task_name: str) -> None:
    """Delay and/or fail `task_name` as the environment asks."""
    delay = _names("COMPUTE_DELAYS").get(task_name)
    if delay:
        time.sleep(float(delay))
    if task_name in _names("COMPUTE_FAULTS"):
        raise InjectedFault(f"injected fault: {task_name} refused by this host (COMPUTE_FAULTS)")
