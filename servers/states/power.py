"""The vm_state the hypervisor's power state implies, where no workflow reports one.

* :func:`vm_state_after_move`: after an operation that keeps the guest's power (rebuild,
  confirm/revert resize, evacuate).
* :func:`vm_state_for_power`: a stable server whose workflow never reported back (Nova's
  ``_init_instance`` in ``nova/compute/manager.py``).
* :func:`power_sync`: what the periodic power-state sync does about a disagreement (Nova's
  ``_sync_instance_power_state`` in ``nova/compute/manager.py``).
"""

from __future__ import annotations

from typing import Literal

from .constants import PowerState, VmState

#: The vm_states a server rests in while its guest exists on a host. Only these follow the
#: hypervisor's power state; RESCUED, RESIZED, SHELVED, SOFT_DELETED, ERROR ... keep theirs.
STABLE_VM_STATES: tuple[str, ...] = (VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED)

_VM_STATE_FOR_POWER: dict[int, str] = {
    PowerState.RUNNING: VmState.ACTIVE,
    PowerState.SHUTDOWN: VmState.STOPPED,
    PowerState.CRASHED: VmState.STOPPED,
    PowerState.PAUSED: VmState.PAUSED,
    PowerState.SUSPENDED: VmState.SUSPENDED,
}

#: :func:`power_sync` result: the guest runs although the server is STOPPED, so stop it
#: again (Nova's ``force_stop``); the database keeps saying STOPPED.
FORCE_STOP: Literal["force-stop"] = "force-stop"


def vm_state_after_move(power_state: int) -> str:
    """The vm_state a server settles in after an operation that keeps its guest's power
    (rebuild, confirm/revert resize, evacuate): ACTIVE when the guest runs, else STOPPED."""
    return VmState.ACTIVE if power_state == PowerState.RUNNING else VmState.STOPPED


def vm_state_for_power(vm_state: str, power_state: int) -> str | None:
    """The vm_state a server in ``vm_state`` takes when its task ended without a report and
    the hypervisor says ``power_state``; None: keep ``vm_state``. NOSTATE (no guest, or the
    hypervisor does not know) changes nothing: no guess is acted on."""
    if vm_state not in STABLE_VM_STATES:
        return None
    return _VM_STATE_FOR_POWER.get(power_state)


def power_sync(vm_state: str, power_state: int) -> str | None:
    """What the periodic sync does to an idle server (task_state NULL) whose hypervisor
    reports ``power_state``: the vm_state to write, :data:`FORCE_STOP`, or None (nothing).

    An ACTIVE server found shut down, crashed or suspended behind our back is now STOPPED; so
    is a PAUSED one found shut down. A STOPPED server found running is stopped again.
    """
    if vm_state == VmState.ACTIVE and power_state in (PowerState.SHUTDOWN, PowerState.CRASHED, PowerState.SUSPENDED):
        return VmState.STOPPED
    if vm_state == VmState.STOPPED and power_state == PowerState.RUNNING:
        return FORCE_STOP
    if vm_state == VmState.PAUSED and power_state == PowerState.SHUTDOWN:
        return VmState.STOPPED
    return None
