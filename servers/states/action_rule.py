"""What one server action is allowed to start from, and what it ends in: :class:`ActionRule`.

A rule holds both halves of an action's state contract, so that the API (which checks and
sets the task_state), the conductor (which ends the action) and recovery (which ends it when
nobody reports back) read one row rather than keeping copies:

* before: the preconditions of Nova's decorator stack (``check_instance_lock``,
  ``check_instance_state``, ``check_instance_host`` in ``nova/compute/api.py``);
* during: the task_state the API sets (``next_task_state``) and the later task_states the
  workflow moves through (``later_phases``);
* after: the vm_state a success ends in (``end_vm_state``), and per task_state what a
  reported failure and an interruption leave (:class:`Phase`);
* the name Nova records the action under (``instance_action``,
  ``nova/compute/instance_actions.py``).

Pure Python; no Django.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .constants import VmState
from .power import vm_state_after_move

#: ``vm_states`` / ``task_states`` value meaning "any state". It is Nova's
#: ``vm_state=None`` / ``task_state=None``.
ANY = None
#: ``task_states`` value meaning "task_state must be NULL". This is Nova's
#: default ``task_state=(None,)``: an action may not start while another is in progress.
NULL_TASK: tuple[str | None, ...] = (None,)
#: ``end_vm_state`` value: ACTIVE if the guest runs afterwards, else STOPPED
#: (:func:`~servers.states.power.vm_state_after_move`).
BY_POWER = "by-power"


class Outcome(enum.Enum):
    """How an action that did not succeed leaves the server. ERROR and ROLLBACK clear the
    task_state and record a fault."""

    #: vm_state ERROR: the guest may be half-built or half-moved; an operator or a later
    #: action (rebuild, revertResize, reset-state) has to sort it out.
    ERROR = "error"
    #: A truthful rollback: the server is where it was. After a failure the host reports,
    #: the vm_state stays and the power_state is the reported one; after an interruption,
    #: the vm_state follows the hypervisor's power state
    #: (:func:`~servers.states.power.vm_state_for_power`).
    ROLLBACK = "rollback"
    #: The workflow is sent again (its steps are idempotent). Only for an interruption.
    RETRY = "retry"


@dataclass(frozen=True)
class Phase:
    """A task_state an action's workflow moves through, and what ends it early there.

    * ``on_failure``: a failure the compute host (or the scheduler) reports in this phase.
    * ``if_interrupted``: no report ever comes (the host restarted, the task timed out).
    """

    task_state: str
    on_failure: Outcome = Outcome.ROLLBACK
    if_interrupted: Outcome = Outcome.ROLLBACK


@dataclass(frozen=True)
class ActionRule:
    """The state contract of one action.

    Before (Nova's decorator stack):

    * ``action``: our key in :data:`~servers.states.rules.ACTION_RULES`.
    * ``api_name``: the word Nova's API handler puts into the 409 message
      ("Cannot '<api_name>' instance ..."). It is the request's action key
      (``createImage``, ``os-migrateLive``, ``confirmResize``), not the
      compute-API method name.
    * ``vm_states``: allowed vm_states, or ``ANY``.
    * ``task_states``: allowed task_states. ``ANY`` means any; the default
      ``NULL_TASK`` means the task_state must be NULL.
    * ``check_lock``: locked and caller not admin -> InstanceIsLocked.
    * ``must_have_launched``: ``launched_at`` must be set.
    * ``check_host``: ``instance.host`` must be set, else InstanceNotReady.
    * ``check_host_up``: the relevant compute service must be up, else
      ServiceUnavailable. "Up" means the heartbeat is alive; a disabled but
      alive service still counts as up. For ``confirm_resize`` the relevant
      service is the migration's *source* compute, not ``instance.host``.
    * ``requires_host_down``: evacuate only. The source compute must be down,
      else ComputeServiceInUse.
    * ``host_before_state``: Nova places ``check_instance_host`` outside
      ``check_instance_state`` for stop/start/trigger_crash_dump, so a missing
      host is reported before a bad vm_state.

    During and after:

    * ``next_task_state``: the task_state the API sets on accepting the
      action. Save it with ``expected_task_state`` of the current value, as a
      compare-and-swap. None means the API sets none. The conductor starts the
      action's workflow only while the server is still in it.
    * ``on_failure`` / ``if_interrupted``: the :class:`Phase` of ``next_task_state``
      (for an action without a task_state: what a reported failure leaves).
    * ``later_phases``: the task_states the workflow moves to afterwards, in order.
    * ``end_vm_state``: the vm_state a success ends in; :data:`BY_POWER`; None: the
      vm_state does not change.
    * ``instance_action``: the action's name in the instance action log (Nova's
      ``nova/compute/instance_actions.py``); default: ``action``.
    """

    action: str
    api_name: str
    vm_states: tuple[str, ...] | None
    task_states: tuple[str | None, ...] | None = NULL_TASK
    check_lock: bool = True
    must_have_launched: bool = True
    check_host: bool = False
    check_host_up: bool = False
    requires_host_down: bool = False
    host_before_state: bool = False
    next_task_state: str | None = None
    on_failure: Outcome = Outcome.ROLLBACK
    if_interrupted: Outcome = Outcome.ROLLBACK
    later_phases: tuple[Phase, ...] = ()
    end_vm_state: str | None = None
    instance_action: str = ""

    def __post_init__(self) -> None:
        if not self.instance_action:
            object.__setattr__(self, "instance_action", self.action)  # frozen: set once, here
        if self.later_phases and self.next_task_state is None:
            raise ValueError(f"{self.action}: later phases without a first task_state")

    def allows_vm_state(self, vm_state: str) -> bool:
        return self.vm_states is ANY or vm_state in self.vm_states

    def allows_task_state(self, task_state: str | None) -> bool:
        return self.task_states is ANY or task_state in self.task_states

    @property
    def phases(self) -> tuple[Phase, ...]:
        """Every task_state the action's workflow moves through, the first one included."""
        if self.next_task_state is None:
            return ()
        return (Phase(self.next_task_state, self.on_failure, self.if_interrupted), *self.later_phases)

    @property
    def in_progress(self) -> tuple[str, ...]:
        """The task_states of :attr:`phases`: the server is in one while the action runs."""
        return tuple(phase.task_state for phase in self.phases)

    def phase(self, task_state: str) -> Phase:
        """The phase of ``task_state``; a task_state this action never sets is a programming
        error (ValueError)."""
        for phase in self.phases:
            if phase.task_state == task_state:
                return phase
        raise ValueError(f"{self.action} never sets task_state {task_state!r}")

    def vm_state_on_success(self, power_state: int) -> str | None:
        """The vm_state a success ends in, given the guest's power state afterwards; None:
        unchanged."""
        if self.end_vm_state == BY_POWER:
            return vm_state_after_move(power_state)
        return self.end_vm_state

    def vm_state_on_failure(self, task_state: str | None = None) -> str | None:
        """The vm_state a failure reported in ``task_state`` (default: the first phase) leaves:
        ERROR, or None (a rollback: unchanged)."""
        outcome = self.phase(task_state).on_failure if task_state is not None else self.on_failure
        return VmState.ERROR if outcome is Outcome.ERROR else None
