"""The single home of the server state rules. Import everything from here.

* :mod:`.constants`: ``VmState``, ``TaskState``, ``PowerState``, ``LibvirtState`` (Nova's
  wire strings and ints).
* :mod:`.status`: the API ``status`` map in both directions (``status_for``,
  ``states_for_status``).
* :mod:`.action_rule` and :mod:`.rules`: ``ActionRule`` and ``ACTION_RULES``, each action's
  preconditions, its task_states, and what it ends in on success and on failure.
* :mod:`.checks`: ``check_action``, and :mod:`.errors`, the ``StateError`` exceptions it
  raises.
* :mod:`.power` and :mod:`.recovery`: the vm_state the hypervisor's power state implies, and
  what ends a task_state nobody reports on.

The modules depend one way (constants <- status, power <- action_rule <- rules <- checks,
recovery). All of it is pure Python and must stay free of Django imports: compute agents and
workers without database settings import it too.
"""

from __future__ import annotations

from .action_rule import ANY, BY_POWER, NULL_TASK, ActionRule, Outcome, Phase
from .checks import check_action
from .constants import LibvirtState, PowerState, TaskState, VmState
from .errors import (
    ComputeServiceInUse,
    InstanceInvalidState,
    InstanceIsLocked,
    InstanceNotReady,
    ServiceUnavailable,
    StateError,
)
from .power import FORCE_STOP, STABLE_VM_STATES, power_sync, vm_state_after_move, vm_state_for_power
from .recovery import ERROR_IF_INTERRUPTED, RETRY_IF_INTERRUPTED
from .rules import ACTION_RULES, action_name_for_message, get_rule
from .status import (
    ALL_STATUSES,
    DEFAULT_KEY,
    STATUS_MAP,
    UNKNOWN_STATUS,
    StatusFilter,
    states_for_status,
    status_for,
)

__all__ = [
    "ACTION_RULES",
    "ALL_STATUSES",
    "ANY",
    "BY_POWER",
    "DEFAULT_KEY",
    "ERROR_IF_INTERRUPTED",
    "FORCE_STOP",
    "NULL_TASK",
    "RETRY_IF_INTERRUPTED",
    "STABLE_VM_STATES",
    "STATUS_MAP",
    "UNKNOWN_STATUS",
    "ActionRule",
    "ComputeServiceInUse",
    "InstanceInvalidState",
    "InstanceIsLocked",
    "InstanceNotReady",
    "LibvirtState",
    "Outcome",
    "Phase",
    "PowerState",
    "ServiceUnavailable",
    "StateError",
    "StatusFilter",
    "TaskState",
    "VmState",
    "action_name_for_message",
    "check_action",
    "get_rule",
    "power_sync",
    "states_for_status",
    "status_for",
    "vm_state_after_move",
    "vm_state_for_power",
]
