"""The end of a workflow step, written once. In order: the action event's result, the
server's compare-and-swap to where the step leaves it, the fault when it failed, and the
action's finish time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import nullcontext
from typing import Any

from django.db import transaction

from servers import lifecycle
from servers.states import ActionRule

Changes = Mapping[str, Any]
Hook = Callable[[bool], object]


def finish(
    request_id: str,
    server_uuid: str,
    outcome: Mapping[str, Any],
    *,
    event: str | None,
    host: str | None,
    expected: object,
    success: Changes | None,
    failure: Changes | None,
    fault: str,
    fault_host: str | None = None,
    before_swap: Hook | None = None,
    after_swap: Hook | None = None,
    atomic: bool = False,
) -> bool:
    """End one step of an action from its ``outcome`` (a compute task's report, or one built
    by the conductor: ``{"ok": False, "details": ...}``). Returns whether the
    compare-and-swap won.

    1. ``event`` (None: recorded elsewhere, or none) finishes with the outcome's result,
       traceback and details, on ``host``;
    2. ``before_swap(ok)`` (say, give claims back or mark the migration failed);
    3. compare-and-swap from the task_state(s) ``expected`` to ``success`` or ``failure``
       (None: leave the server alone). A lost swap means another workflow (a delete, a
       reset) got there first: nothing more is written about the server;
    4. a won swap: ``after_swap(ok)``, and on failure the fault ``fault`` (details: the
       traceback) on ``fault_host``;
    5. the action's finish time, whatever happened above.

    ``atomic`` runs steps 2 to 4 in one transaction.
    """
    ok = bool(outcome.get("ok"))
    if event is not None:
        lifecycle.event_finish(
            request_id,
            server_uuid,
            event,
            ok=ok,
            traceback=outcome.get("traceback"),
            host=host,
            details=outcome.get("details"),
        )
    with transaction.atomic() if atomic else nullcontext():
        if before_swap is not None:
            before_swap(ok)
        changes = success if ok else failure
        swapped = changes is not None and lifecycle.compare_and_swap(server_uuid, expected, **changes)
        if swapped:
            if after_swap is not None:
                after_swap(ok)
            if not ok:
                lifecycle.record_fault(server_uuid, fault, details=outcome.get("traceback") or "", host=fault_host)
    lifecycle.finish_action(request_id, server_uuid)
    return swapped


def succeeded(rule: ActionRule, power: int, **changes: Any) -> dict[str, Any]:
    """What a success of ``rule``'s action writes: task_state cleared, the rule's end
    vm_state (by the guest's ``power`` state for BY_POWER; none if the vm_state does not
    change), and ``changes``."""
    vm_state = rule.vm_state_on_success(power)
    return {"task_state": None, **({"vm_state": vm_state} if vm_state else {}), **changes}


def failed(rule: ActionRule, task_state: str | None = None, **changes: Any) -> dict[str, Any]:
    """What a failure reported in ``task_state`` (default: the action's first) writes:
    task_state cleared, ERROR if the rule says so (else the vm_state stays: a rollback), and
    ``changes``."""
    vm_state = rule.vm_state_on_failure(task_state)
    return {"task_state": None, **({"vm_state": vm_state} if vm_state else {}), **changes}
