"""Tests for servers.states: status map, reverse map, power states, action rules.

These are pure pytest tests with no Django settings and no database. The
expected values are written out here rather than read back from the module,
so a wrong table entry shows up as a failure instead of agreeing with itself.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from servers.states import (
    ACTION_RULES,
    ALL_STATUSES,
    ComputeServiceInUse,
    InstanceInvalidState,
    InstanceIsLocked,
    InstanceNotReady,
    LibvirtState,
    PowerState,
    ServiceUnavailable,
    StateError,
    action_name_for_message,
    check_action,
    states_for_status,
    status_for,
)
from servers.states import (
    TaskState as T,
)
from servers.states import (
    VmState as V,
)

UUID = "8f7c2a1e-0b1d-4c55-9a0e-3f2d6b7c8e90"
HOST = "compute-1"

# ---------------------------------------------------------------- wire strings


def test_vm_state_wire_strings() -> None:
    assert V.ALL == (
        "active",
        "building",
        "paused",
        "suspended",
        "stopped",
        "rescued",
        "resized",
        "soft-delete",
        "deleted",
        "error",
        "shelved",
        "shelved_offloaded",
    )


def test_task_state_wire_strings() -> None:
    assert len(T.ALL) == len(set(T.ALL)) == 42
    assert (T.POWERING_OFF, T.POWERING_ON, T.SOFT_DELETING) == ("powering-off", "powering-on", "soft-deleting")
    # Everything else is snake_case.
    others = set(T.ALL) - {"powering-off", "powering-on", "soft-deleting"}
    assert all("-" not in s and s == s.lower() for s in others)
    assert T.ALLOW_REBOOT == (
        None,
        "rebooting",
        "reboot_pending",
        "reboot_started",
        "resuming",
        "rebooting_hard",
        "unpausing",
        "pausing",
        "suspending",
    )


def test_importable_without_django() -> None:
    code = (
        "import sys, servers.states as s; s.check_action; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


# ---------------------------------------------------------------- status map (§1.5)

STATUS_ROWS = [
    # vm_state default statuses (task_state NULL)
    (V.ACTIVE, None, "ACTIVE"),
    (V.BUILDING, None, "BUILD"),
    (V.STOPPED, None, "SHUTOFF"),
    (V.RESIZED, None, "VERIFY_RESIZE"),
    (V.PAUSED, None, "PAUSED"),
    (V.SUSPENDED, None, "SUSPENDED"),
    (V.RESCUED, None, "RESCUE"),
    (V.ERROR, None, "ERROR"),
    (V.DELETED, None, "DELETED"),
    (V.SOFT_DELETED, None, "SOFT_DELETED"),
    (V.SHELVED, None, "SHELVED"),
    (V.SHELVED_OFFLOADED, None, "SHELVED_OFFLOADED"),
    # active overrides
    (V.ACTIVE, "rebooting", "REBOOT"),
    (V.ACTIVE, "reboot_pending", "REBOOT"),
    (V.ACTIVE, "reboot_started", "REBOOT"),
    (V.ACTIVE, "rebooting_hard", "HARD_REBOOT"),
    (V.ACTIVE, "reboot_pending_hard", "HARD_REBOOT"),
    (V.ACTIVE, "reboot_started_hard", "HARD_REBOOT"),
    (V.ACTIVE, "updating_password", "PASSWORD"),
    (V.ACTIVE, "rebuilding", "REBUILD"),
    (V.ACTIVE, "rebuild_block_device_mapping", "REBUILD"),
    (V.ACTIVE, "rebuild_spawning", "REBUILD"),
    (V.ACTIVE, "migrating", "MIGRATING"),
    (V.ACTIVE, "resize_prep", "RESIZE"),
    (V.ACTIVE, "resize_migrating", "RESIZE"),
    (V.ACTIVE, "resize_migrated", "RESIZE"),
    (V.ACTIVE, "resize_finish", "RESIZE"),
    # stopped overrides
    (V.STOPPED, "resize_prep", "RESIZE"),
    (V.STOPPED, "resize_migrating", "RESIZE"),
    (V.STOPPED, "resize_migrated", "RESIZE"),
    (V.STOPPED, "resize_finish", "RESIZE"),
    (V.STOPPED, "rebuilding", "REBUILD"),
    (V.STOPPED, "rebuild_block_device_mapping", "REBUILD"),
    (V.STOPPED, "rebuild_spawning", "REBUILD"),
    # resized / paused / error overrides
    (V.RESIZED, "resize_reverting", "REVERT_RESIZE"),
    (V.PAUSED, "migrating", "MIGRATING"),
    (V.ERROR, "rebuilding", "REBUILD"),
    (V.ERROR, "rebuild_block_device_mapping", "REBUILD"),
    (V.ERROR, "rebuild_spawning", "REBUILD"),
    # a task_state with no override falls back to the vm_state default
    (V.ACTIVE, "pausing", "ACTIVE"),
    (V.ACTIVE, "image_snapshot", "ACTIVE"),
    (V.BUILDING, "spawning", "BUILD"),
    (V.BUILDING, "scheduling", "BUILD"),
    (V.STOPPED, "powering-on", "SHUTOFF"),
    (V.RESIZED, "resize_confirming", "VERIFY_RESIZE"),
    (V.PAUSED, "unpausing", "PAUSED"),
    (V.ERROR, "migrating", "ERROR"),
    (V.SHELVED_OFFLOADED, "unshelving", "SHELVED_OFFLOADED"),
]


@pytest.mark.parametrize(("vm_state", "task_state", "expected"), STATUS_ROWS)
def test_status_for(vm_state: str, task_state: str | None, expected: str) -> None:
    assert status_for(vm_state, task_state) == expected


def test_status_for_unknown_vm_state_logs_error(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="servers.states"):
        assert status_for("exploded", None) == "UNKNOWN"
    assert any(r.levelno == logging.ERROR and "exploded" in r.getMessage() for r in caplog.records)


def test_all_statuses() -> None:
    assert set(ALL_STATUSES) == {s for _, _, s in STATUS_ROWS}


# ---------------------------------------------------------------- reverse map


@pytest.mark.parametrize("status", sorted({s for _, _, s in STATUS_ROWS}))
def test_states_for_status_round_trips(status: str) -> None:
    f = states_for_status(status)
    assert f.vm_states, status
    # Every pair the filter admits (NULL task_state when there is no task
    # filter) maps back to the requested status.
    for vm_state in f.vm_states:
        for task_state in f.task_states if f.task_states is not None else [None]:
            assert status_for(vm_state, task_state) == status
    # Every row of the forward map for this status is matched by the filter.
    for vm_state, task_state, s in STATUS_ROWS:
        if s == status and (task_state is None or f.task_states is not None):
            assert vm_state in f.vm_states
            assert f.task_states is None or task_state in f.task_states


@pytest.mark.parametrize(
    ("status", "vm_states", "task_states"),
    [
        ("ACTIVE", ["active"], None),
        ("active", ["active"], None),  # case-insensitive
        ("SHUTOFF", ["stopped"], None),
        ("REBOOT", ["active"], ["reboot_pending", "reboot_started", "rebooting"]),
        ("RESIZE", ["active", "stopped"], ["resize_finish", "resize_migrated", "resize_migrating", "resize_prep"]),
        ("REBUILD", ["active", "error", "stopped"], ["rebuild_block_device_mapping", "rebuild_spawning", "rebuilding"]),
        ("MIGRATING", ["active", "paused"], ["migrating"]),
        ("REVERT_RESIZE", ["resized"], ["resize_reverting"]),
        ("SOFT_DELETED", ["soft-delete"], None),
        ("BOGUS", [], []),
    ],
)
def test_states_for_status_values(status: str, vm_states: list[str], task_states: list[str] | None) -> None:
    assert states_for_status(status) == (vm_states, task_states)


def test_states_for_status_multiple_default_drops_task_filter() -> None:
    # Nova: a status that is some vm_state's default removes the task_state filter entirely.
    assert states_for_status(["ACTIVE", "REBOOT"]) == (["active"], None)
    assert states_for_status(["REBOOT", "PASSWORD"]) == (
        ["active"],
        ["reboot_pending", "reboot_started", "rebooting", "updating_password"],
    )


# ---------------------------------------------------------------- power state


@pytest.mark.parametrize(
    ("libvirt_state", "expected"),
    [
        (0, PowerState.NOSTATE),
        (1, PowerState.RUNNING),
        (2, PowerState.RUNNING),
        (3, PowerState.PAUSED),
        (4, PowerState.SHUTDOWN),
        (5, PowerState.SHUTDOWN),
        (6, PowerState.CRASHED),
        (7, PowerState.SUSPENDED),
        (99, PowerState.NOSTATE),
    ],
)
def test_power_state_from_libvirt(libvirt_state: int, expected: int) -> None:
    assert PowerState.from_libvirt(libvirt_state) == expected


def test_power_state_ints() -> None:
    assert (
        PowerState.NOSTATE,
        PowerState.RUNNING,
        PowerState.PAUSED,
        PowerState.SHUTDOWN,
        PowerState.CRASHED,
        PowerState.SUSPENDED,
    ) == (0, 1, 3, 4, 6, 7)
    assert tuple(range(8)) == LibvirtState.ALL


# ---------------------------------------------------------------- action rules (§1.4)

# action -> (word in Nova's 409 message, allowed vm_states or None for any)
EXPECTED = {
    "pause": ("pause", [V.ACTIVE]),
    "unpause": ("unpause", [V.PAUSED]),
    "suspend": ("suspend", [V.ACTIVE]),
    "resume": ("resume", [V.SUSPENDED]),
    "stop": ("stop", [V.ACTIVE, V.ERROR]),
    "start": ("start", [V.STOPPED]),
    "reboot_soft": ("reboot", [V.ACTIVE]),
    "reboot_hard": ("reboot", [V.ACTIVE, V.STOPPED, V.PAUSED, V.SUSPENDED, V.ERROR]),
    "rebuild": ("rebuild", [V.ACTIVE, V.STOPPED, V.ERROR]),
    "resize": ("resize", [V.ACTIVE, V.STOPPED]),
    "migrate": ("migrate", [V.ACTIVE, V.STOPPED]),
    "confirm_resize": ("confirmResize", [V.RESIZED]),
    "revert_resize": ("revertResize", [V.RESIZED]),
    "live_migrate": ("os-migrateLive", [V.ACTIVE, V.PAUSED]),
    "evacuate": ("evacuate", [V.ACTIVE, V.STOPPED, V.ERROR]),
    "lock": ("lock", None),
    "unlock": ("unlock", None),
    "rescue": ("rescue", [V.ACTIVE, V.STOPPED, V.ERROR]),
    "unrescue": ("unrescue", [V.RESCUED]),
    "shelve": ("shelve", [V.ACTIVE, V.STOPPED, V.PAUSED, V.SUSPENDED]),
    "shelve_offload": ("shelveOffload", [V.SHELVED]),
    "unshelve": ("unshelve", [V.SHELVED, V.SHELVED_OFFLOADED]),
    "create_image": ("createImage", [V.ACTIVE, V.STOPPED, V.PAUSED, V.SUSPENDED]),
    "create_backup": ("createBackup", [V.ACTIVE, V.STOPPED, V.PAUSED, V.SUSPENDED]),
    "change_password": ("changePassword", [V.ACTIVE]),
    "reset_state": ("os-resetState", None),
    "force_delete": ("forceDelete", None),
    "restore": ("restore", [V.SOFT_DELETED]),
    "delete": ("delete", None),
    "soft_delete": ("delete", None),
    "trigger_crash_dump": ("trigger_crash_dump", [V.ACTIVE, V.PAUSED, V.RESCUED, V.RESIZED, V.ERROR]),
    "attach_volume": (
        "attach_volume",
        [V.ACTIVE, V.PAUSED, V.STOPPED, V.RESIZED, V.SOFT_DELETED, V.SHELVED, V.SHELVED_OFFLOADED],
    ),
    "detach_volume": (
        "detach_volume",
        [V.ACTIVE, V.PAUSED, V.STOPPED, V.RESIZED, V.SOFT_DELETED, V.SHELVED, V.SHELVED_OFFLOADED],
    ),
    "swap_volume": ("swap_volume", [V.ACTIVE, V.PAUSED, V.RESIZED]),
    "attach_interface": ("attach_interface", [V.ACTIVE, V.PAUSED, V.STOPPED]),
    "detach_interface": ("detach_interface", [V.ACTIVE, V.PAUSED, V.STOPPED]),
    "update_metadata": ("update metadata", [V.ACTIVE, V.PAUSED, V.SUSPENDED, V.STOPPED]),
    "delete_metadata": ("delete metadata", [V.ACTIVE, V.PAUSED, V.SUSPENDED, V.STOPPED]),
}
ANY_TASK = {
    "evacuate",
    "lock",
    "unlock",
    "reset_state",
    "force_delete",
    "delete",
    "soft_delete",
    "update_metadata",
    "delete_metadata",
}
NOT_LOCK_CHECKED = {"create_image", "create_backup", "lock", "unlock", "reset_state", "evacuate"}
NEED_NOT_LAUNCH = {"lock", "unlock", "reset_state", "force_delete", "delete"}
CHECK_HOST = {"stop", "start", "trigger_crash_dump", "resize", "migrate"}
CHECK_HOST_UP = {"resize", "migrate", "confirm_resize"}
ALL_ACTIONS = sorted(EXPECTED)


def call(action: str, **overrides: object) -> None:
    """check_action with a state that every action accepts, plus overrides."""
    _, vm_states = EXPECTED[action]
    kwargs: dict[str, object] = {
        "uuid": UUID,
        "vm_state": vm_states[0] if vm_states else V.ACTIVE,
        "task_state": None,
        "locked": False,
        "launched": True,
        "host": HOST,
        "host_up": (action != "evacuate"),  # evacuate needs the source down
        "is_admin": False,
    }
    kwargs.update(overrides)
    check_action(action, **kwargs)  # type: ignore[arg-type]


def test_rules_cover_every_action() -> None:
    assert set(ACTION_RULES) == set(EXPECTED)


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_api_name(action: str) -> None:
    assert action_name_for_message(action) == EXPECTED[action][0]
    assert ACTION_RULES[action].api_name == EXPECTED[action][0]


def test_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        check_action(
            "teleport",
            uuid=UUID,
            vm_state=V.ACTIVE,
            task_state=None,
            locked=False,
            launched=True,
            host=HOST,
            host_up=True,
            is_admin=False,
        )


@pytest.mark.parametrize(("action", "vm_state"), [(a, vm) for a in ALL_ACTIONS for vm in (EXPECTED[a][1] or V.ALL)])
def test_allowed_vm_states_pass(action: str, vm_state: str) -> None:
    call(action, vm_state=vm_state)


@pytest.mark.parametrize(
    ("action", "vm_state"),
    [(a, vm) for a in ALL_ACTIONS if EXPECTED[a][1] is not None for vm in V.ALL if vm not in EXPECTED[a][1]],
)
def test_disallowed_vm_state_raises(action: str, vm_state: str) -> None:
    with pytest.raises(InstanceInvalidState) as ei:
        call(action, vm_state=vm_state)
    word = EXPECTED[action][0]
    assert str(ei.value) == f"Cannot '{word}' instance {UUID} while it is in vm_state {vm_state}"
    assert ei.value.http_status == 409
    assert (ei.value.attr, ei.value.state) == ("vm_state", vm_state)


@pytest.mark.parametrize("action", [a for a in ALL_ACTIONS if a not in ANY_TASK and a != "reboot_hard"])
def test_task_state_must_be_null(action: str) -> None:
    with pytest.raises(InstanceInvalidState) as ei:
        call(action, task_state=T.DELETING)
    word = EXPECTED[action][0]
    assert str(ei.value) == (f"Cannot '{word}' instance {UUID} while it is in task_state deleting")


@pytest.mark.parametrize(
    ("action", "task_state"), [(a, t) for a in sorted(ANY_TASK) for t in (T.DELETING, T.MIGRATING, T.REBOOTING)]
)
def test_any_task_state_passes(action: str, task_state: str) -> None:
    call(action, task_state=task_state)


@pytest.mark.parametrize("task_state", list(T.ALLOW_REBOOT))
def test_hard_reboot_allows_reboot_task_states(task_state: str | None) -> None:
    call("reboot_hard", task_state=task_state)


@pytest.mark.parametrize("task_state", [t for t in T.ALL if t not in T.ALLOW_REBOOT])
def test_hard_reboot_rejects_other_task_states(task_state: str) -> None:
    with pytest.raises(InstanceInvalidState, match=f"task_state {task_state}$"):
        call("reboot_hard", task_state=task_state)


def test_soft_reboot_rejects_reboot_in_progress() -> None:
    with pytest.raises(
        InstanceInvalidState, match=f"^Cannot 'reboot' instance {UUID} while it is in task_state rebooting$"
    ):
        call("reboot_soft", task_state=T.REBOOTING)


# -- lock


@pytest.mark.parametrize("action", [a for a in ALL_ACTIONS if a not in NOT_LOCK_CHECKED])
def test_locked_non_admin_is_rejected(action: str) -> None:
    with pytest.raises(InstanceIsLocked) as ei:
        call(action, locked=True)
    assert str(ei.value) == f"Instance {UUID} is locked"
    assert ei.value.http_status == 409


@pytest.mark.parametrize("action", [a for a in ALL_ACTIONS if a not in NOT_LOCK_CHECKED])
def test_lock_is_checked_before_state(action: str) -> None:
    with pytest.raises(InstanceIsLocked):
        call(action, locked=True, vm_state="bogus", task_state=T.DELETING, launched=False)


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_locked_admin_passes(action: str) -> None:
    call(action, locked=True, is_admin=True)


@pytest.mark.parametrize("action", sorted(NOT_LOCK_CHECKED))
def test_locked_non_admin_passes_unchecked_actions(action: str) -> None:
    call(action, locked=True)


# -- launched


@pytest.mark.parametrize("action", [a for a in ALL_ACTIONS if a not in NEED_NOT_LAUNCH])
def test_must_have_launched(action: str) -> None:
    with pytest.raises(InstanceInvalidState) as ei:
        call(action, launched=False)
    word = EXPECTED[action][0]
    # Nova's state is launched_at=None, so the API uses the fallback wording.
    assert str(ei.value) == f"Instance {UUID} is in an invalid state for '{word}'"


@pytest.mark.parametrize("action", sorted(NEED_NOT_LAUNCH))
def test_need_not_have_launched(action: str) -> None:
    call(action, launched=False)


# -- host


@pytest.mark.parametrize("action", sorted(CHECK_HOST))
def test_missing_host_is_not_ready(action: str) -> None:
    with pytest.raises(InstanceNotReady) as ei:
        call(action, host=None, host_up=None)
    assert str(ei.value) == f"Instance {UUID} is not ready"
    assert ei.value.http_status == 409


@pytest.mark.parametrize("action", [a for a in ALL_ACTIONS if a not in CHECK_HOST | CHECK_HOST_UP])
def test_missing_host_is_fine_otherwise(action: str) -> None:
    call(action, host=None, host_up=None if action != "evacuate" else False)


@pytest.mark.parametrize("action", sorted(CHECK_HOST_UP))
@pytest.mark.parametrize("host_up", [False, None])
def test_host_down_is_service_unavailable(action: str, host_up: bool | None) -> None:
    with pytest.raises(ServiceUnavailable) as ei:
        call(action, host_up=host_up)
    assert str(ei.value) == "Service is unavailable at this time."
    assert HOST not in str(ei.value)  # Nova does not leak host names
    assert ei.value.http_status == 409  # Nova's handlers map it to HTTPConflict


@pytest.mark.parametrize("action", [a for a in ALL_ACTIONS if a not in CHECK_HOST_UP and a != "evacuate"])
def test_host_down_is_fine_otherwise(action: str) -> None:
    # Includes stop/start/trigger_crash_dump, which only need a host to be set.
    call(action, host_up=False)


def test_stop_reports_missing_host_before_bad_state() -> None:
    # Nova stacks check_instance_host outside check_instance_state for stop/start/crash dump...
    with pytest.raises(InstanceNotReady):
        call("stop", vm_state=V.SHELVED_OFFLOADED, host=None)
    # ...but inside it for resize.
    with pytest.raises(InstanceInvalidState):
        call("resize", vm_state=V.SHELVED_OFFLOADED, host=None)


# -- evacuate


def test_evacuate_with_source_up_is_refused() -> None:
    with pytest.raises(ComputeServiceInUse) as ei:
        call("evacuate", host_up=True)
    assert str(ei.value) == f"Compute service of {HOST} is still in use."
    assert ei.value.http_status == 400  # evacuate.py maps it to HTTPBadRequest


@pytest.mark.parametrize("task_state", [None, T.REBOOTING, T.MIGRATING, T.RESIZE_PREP])
def test_evacuate_with_source_down_passes(task_state: str | None) -> None:
    call("evacuate", host_up=False, task_state=task_state, locked=True)


def test_evacuate_checks_state_before_host() -> None:
    with pytest.raises(InstanceInvalidState, match=r"vm_state paused$"):
        call("evacuate", vm_state=V.PAUSED, host_up=True)


# -- exception hierarchy


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (InstanceInvalidState("pause", UUID, "vm_state", "x"), 409),
        (InstanceIsLocked(UUID), 409),
        (InstanceNotReady(UUID), 409),
        (ServiceUnavailable(HOST), 409),
        (ComputeServiceInUse(HOST), 400),
    ],
)
def test_exceptions_share_base_and_carry_status(exc: StateError, status: int) -> None:
    assert isinstance(exc, StateError)
    assert exc.http_status == status
    assert exc.message == str(exc)


@pytest.mark.parametrize("power, expected", [(1, "active"), (4, "stopped"), (0, "stopped"), (6, "stopped")])
def test_vm_state_after_move(power: int, expected: str) -> None:
    from servers.states import vm_state_after_move

    assert vm_state_after_move(power) == expected
