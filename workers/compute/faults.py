"""Fault injection for drills and tests: a compute worker started with
COMPUTE_FAULTS="compute.build_and_run_instance,..." fails those operations as if the
hypervisor had refused them, so operators can watch reschedules and error paths happen."""
from __future__ import annotations

import os


class InjectedFault(RuntimeError):
    """Raised in place of the hypervisor operation named in COMPUTE_FAULTS."""


def injected(task_name: str) -> bool:
    names = {name.strip() for name in os.environ.get("COMPUTE_FAULTS", "").split(",") if name.strip()}
    return task_name in names


def check(task_name: str) -> None:
    if injected(task_name):
        raise InjectedFault(f"injected fault: {task_name} refused by this host (COMPUTE_FAULTS)")
