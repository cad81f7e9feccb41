"""Tests for what each action ends in (servers.states): the task_states it moves through,
the vm_state of a success, what a reported failure and an interruption leave, the instance
action name, and the power-state rules recovery and the power sync follow.

Pure pytest tests with no Django settings and no database. The expected values are written
out here rather than read back from the table.
"""

from __future__ import annotations

import pytest

from servers.states import (
    ACTION_RULES,
    BY_POWER,
    ERROR_IF_INTERRUPTED,
    FORCE_STOP,
    RETRY_IF_INTERRUPTED,
    ActionRule,
    Outcome,
    Phase,
    get_rule,
    power_sync,
    vm_state_after_move,
    vm_state_for_power,
)
from servers.states import (
    PowerState as P,
)
from servers.states import (
    TaskState as T,
)
from servers.states import (
    VmState as V,
)
from servers.states.recovery import interruptions

E, R = Outcome.ERROR, Outcome.ROLLBACK

# action -> (task_states it moves through, vm_state on success; None: unchanged)
ENDS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "pause": ((T.PAUSING,), V.PAUSED),
    "unpause": ((T.UNPAUSING,), V.ACTIVE),
    "suspend": ((T.SUSPENDING,), V.SUSPENDED),
    "resume": ((T.RESUMING,), V.ACTIVE),
    "stop": ((T.POWERING_OFF,), V.STOPPED),
    "start": ((T.POWERING_ON,), V.ACTIVE),
    "reboot_soft": ((T.REBOOTING,), V.ACTIVE),
    "reboot_hard": ((T.REBOOTING_HARD,), V.ACTIVE),
    "rebuild": ((T.REBUILDING,), BY_POWER),
    "resize": ((T.RESIZE_PREP, T.RESIZE_MIGRATING, T.RESIZE_FINISH), V.RESIZED),
    "migrate": ((T.RESIZE_PREP, T.RESIZE_MIGRATING, T.RESIZE_FINISH), V.RESIZED),
    "confirm_resize": ((), BY_POWER),
    "revert_resize": ((T.RESIZE_REVERTING,), BY_POWER),
    "live_migrate": ((T.MIGRATING,), None),
    "evacuate": ((T.REBUILDING, T.REBUILD_SPAWNING), BY_POWER),
    "rescue": ((T.RESCUING,), V.RESCUED),
    "unrescue": ((T.UNRESCUING,), V.ACTIVE),
    "shelve": ((T.SHELVING, T.SHELVING_IMAGE_UPLOADING), V.SHELVED),
    "shelve_offload": ((T.SHELVING_OFFLOADING,), V.SHELVED_OFFLOADED),
    "unshelve": ((T.UNSHELVING, T.SPAWNING), V.ACTIVE),
    "create_image": ((T.IMAGE_SNAPSHOT_PENDING, T.IMAGE_UPLOADING), None),
    "create_backup": ((T.IMAGE_BACKUP, T.IMAGE_UPLOADING), None),
    "change_password": ((T.UPDATING_PASSWORD,), None),
    "force_delete": ((T.DELETING,), V.DELETED),
    "delete": ((T.DELETING,), V.DELETED),
    "soft_delete": ((T.SOFT_DELETING,), V.SOFT_DELETED),
    "restore": ((T.RESTORING,), V.ACTIVE),
}
# Every other action sets no task_state and leaves the vm_state alone (or, reset_state, sets
# it itself).
NO_WORKFLOW = set(ACTION_RULES) - set(ENDS)

# task_state of an action -> (a reported failure, an interruption), where not ROLLBACK both.
NOT_ROLLED_BACK: dict[tuple[str, str], tuple[Outcome, Outcome]] = {
    ("reboot_hard", T.REBOOTING_HARD): (E, R),
    ("rebuild", T.REBUILDING): (E, E),
    ("rescue", T.RESCUING): (E, E),
    ("resize", T.RESIZE_MIGRATING): (R, E),
    ("resize", T.RESIZE_FINISH): (E, E),
    ("migrate", T.RESIZE_MIGRATING): (R, E),
    ("migrate", T.RESIZE_FINISH): (E, E),
    ("revert_resize", T.RESIZE_REVERTING): (E, E),
    ("evacuate", T.REBUILDING): (R, E),
    ("evacuate", T.REBUILD_SPAWNING): (E, E),
    ("shelve_offload", T.SHELVING_OFFLOADING): (R, E),
    ("unshelve", T.SPAWNING): (R, E),
    ("delete", T.DELETING): (E, Outcome.RETRY),
    ("force_delete", T.DELETING): (E, Outcome.RETRY),
}

# nova/compute/instance_actions.py, where it differs from our action key.
INSTANCE_ACTIONS = {
    "reboot_soft": "reboot",
    "reboot_hard": "reboot",
    "confirm_resize": "confirmResize",
    "revert_resize": "revertResize",
    "live_migrate": "live-migration",
    "shelve_offload": "shelveOffload",
    "create_image": "createImage",
    "create_backup": "createBackup",
    "change_password": "changePassword",
    "reset_state": "resetState",
    "force_delete": "forceDelete",
    "soft_delete": "delete",
}


@pytest.mark.parametrize("action", sorted(ENDS))
def test_task_states_and_end_state(action: str) -> None:
    rule = get_rule(action)
    task_states, end = ENDS[action]
    assert rule.in_progress == task_states
    assert rule.next_task_state == (task_states[0] if task_states else None)
    assert rule.end_vm_state == end


@pytest.mark.parametrize("action", sorted(NO_WORKFLOW))
def test_actions_without_a_workflow_set_nothing(action: str) -> None:
    rule = get_rule(action)
    assert (rule.next_task_state, rule.phases, rule.end_vm_state) == (None, (), None)


@pytest.mark.parametrize(("action", "task_state"), [(a, t) for a in sorted(ENDS) for t in ENDS[a][0]])
def test_failures_and_interruptions(action: str, task_state: str) -> None:
    phase = get_rule(action).phase(task_state)
    assert (phase.on_failure, phase.if_interrupted) == NOT_ROLLED_BACK.get((action, task_state), (R, R))


def test_failure_vm_state() -> None:
    resize = get_rule("resize")
    assert resize.vm_state_on_failure() is None  # no host found: nothing moved
    assert resize.vm_state_on_failure(T.RESIZE_MIGRATING) is None  # the source kept the guest
    assert resize.vm_state_on_failure(T.RESIZE_FINISH) == V.ERROR  # no guest runs anywhere
    assert get_rule("reboot_hard").vm_state_on_failure() == V.ERROR
    assert get_rule("trigger_crash_dump").vm_state_on_failure() is None
    with pytest.raises(ValueError, match="never sets task_state"):
        resize.vm_state_on_failure(T.MIGRATING)


@pytest.mark.parametrize(
    ("power", "expected"), [(P.RUNNING, V.ACTIVE), (P.SHUTDOWN, V.STOPPED), (P.NOSTATE, V.STOPPED)]
)
def test_success_by_power(power: int, expected: str) -> None:
    assert get_rule("rebuild").vm_state_on_success(power) == expected
    assert get_rule("pause").vm_state_on_success(power) == V.PAUSED
    assert get_rule("live_migrate").vm_state_on_success(power) is None


@pytest.mark.parametrize("action", sorted(ACTION_RULES))
def test_instance_action_names(action: str) -> None:
    assert get_rule(action).instance_action == INSTANCE_ACTIONS.get(action, action)


def test_interrupted_task_states() -> None:
    assert {
        # a build, in any of its task_states
        T.SCHEDULING,
        T.BLOCK_DEVICE_MAPPING,
        T.NETWORKING,
        T.SPAWNING,
        # a guest half rebuilt, half moved or half rescued
        T.REBUILDING,
        T.REBUILD_SPAWNING,
        T.RESIZE_MIGRATING,
        T.RESIZE_FINISH,
        T.RESIZE_REVERTING,
        T.RESCUING,
        T.SHELVING_OFFLOADING,
    } == ERROR_IF_INTERRUPTED
    assert {T.DELETING} == RETRY_IF_INTERRUPTED


def test_rules_must_agree_on_an_interrupted_task_state() -> None:
    a = ActionRule("a", "a", None, next_task_state=T.REBUILDING, if_interrupted=Outcome.ERROR)
    b = ActionRule("b", "b", None, next_task_state=T.PAUSING, later_phases=(Phase(T.REBUILDING),))
    with pytest.raises(RuntimeError, match="rebuilding"):
        interruptions([a, b])


def test_later_phases_need_a_first_task_state() -> None:
    with pytest.raises(ValueError, match="later phases"):
        ActionRule("a", "a", None, later_phases=(Phase(T.REBUILDING),))


@pytest.mark.parametrize("power, expected", [(1, "active"), (4, "stopped"), (0, "stopped"), (6, "stopped")])
def test_vm_state_after_move(power: int, expected: str) -> None:
    assert vm_state_after_move(power) == expected


@pytest.mark.parametrize(
    ("vm_state", "power", "expected"),
    [
        (V.ACTIVE, P.SHUTDOWN, V.STOPPED),
        (V.ACTIVE, P.CRASHED, V.STOPPED),
        (V.STOPPED, P.RUNNING, V.ACTIVE),
        (V.ACTIVE, P.PAUSED, V.PAUSED),
        (V.PAUSED, P.SUSPENDED, V.SUSPENDED),
        (V.ACTIVE, P.NOSTATE, None),  # no guest: no guess
        (V.RESCUED, P.SHUTDOWN, None),  # not a stable state: kept
        (V.SHELVED, P.RUNNING, None),
    ],
)
def test_vm_state_for_power(vm_state: str, power: int, expected: str | None) -> None:
    assert vm_state_for_power(vm_state, power) == expected


@pytest.mark.parametrize(
    ("vm_state", "power", "expected"),
    [
        (V.ACTIVE, P.SHUTDOWN, V.STOPPED),
        (V.ACTIVE, P.CRASHED, V.STOPPED),
        (V.ACTIVE, P.SUSPENDED, V.STOPPED),
        (V.ACTIVE, P.PAUSED, None),
        (V.ACTIVE, P.NOSTATE, None),
        (V.STOPPED, P.RUNNING, FORCE_STOP),
        (V.STOPPED, P.SHUTDOWN, None),
        (V.PAUSED, P.SHUTDOWN, V.STOPPED),
        (V.SUSPENDED, P.RUNNING, None),
    ],
)
def test_power_sync(vm_state: str, power: int, expected: str | None) -> None:
    assert power_sync(vm_state, power) == expected
