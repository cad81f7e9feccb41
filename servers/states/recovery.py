"""What ends a task_state whose workflow never reported back (a compute host restarted, a
message was lost, the task timed out), derived from the action rules.

Recovery does not know which action set a task_state, only the task_state. So every rule
that moves through a task_state must agree on what interrupting it means; :func:`interruptions`
checks that when this module is imported.
"""

from __future__ import annotations

from collections.abc import Iterable

from .action_rule import ActionRule, Outcome
from .constants import TaskState
from .rules import ACTION_RULES


def interruptions(rules: Iterable[ActionRule]) -> dict[str, Outcome]:
    """task_state -> what interrupting it leaves, over every phase of every rule. Two rules
    that disagree about one task_state are a programming error (RuntimeError)."""
    outcomes: dict[str, Outcome] = {}
    for rule in rules:
        for phase in rule.phases:
            known = outcomes.setdefault(phase.task_state, phase.if_interrupted)
            if known is not phase.if_interrupted:
                raise RuntimeError(
                    f"{rule.action}: an interrupted {phase.task_state} is {phase.if_interrupted.value}, "
                    f"but {known.value} for another action"
                )
    return outcomes


#: task_state -> what interrupting it leaves, for every task_state an action moves through.
INTERRUPTED: dict[str, Outcome] = interruptions(ACTION_RULES.values())

#: Interrupted in one of these, a server goes to ERROR with a fault: the guest may be half
#: built or half moved. A build (not an action rule: the server is created in SCHEDULING)
#: counts here in any of its task_states, as in Nova's ``_init_instance``
#: (``nova/compute/manager.py``).
ERROR_IF_INTERRUPTED: frozenset[str] = frozenset(TaskState.BUILD) | {
    task_state for task_state, outcome in INTERRUPTED.items() if outcome is Outcome.ERROR
}

#: Interrupted in one of these, the workflow is sent again.
RETRY_IF_INTERRUPTED: frozenset[str] = frozenset(
    task_state for task_state, outcome in INTERRUPTED.items() if outcome is Outcome.RETRY
)
