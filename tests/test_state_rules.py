"""Tests for the action rules' preconditions (servers.states.check_action): which vm_states
and task_states each action starts from, the lock, launched and host checks, in Nova's
order, and the 409/400 errors they raise.

Pure pytest tests with no Django settings and no database. The expected values are written
out here, from nova/compute/api.py, rather than read back from the table.
"""

from __future__ import annotations

import pytest

from servers.states import (
    ACTION_RULES,
    ComputeServiceInUse,
    InstanceInvalidState,
    InstanceIsLocked,
    InstanceNotReady,
    ServiceUnavailable,
    StateError,
    action_name_for_message,
    check_action,
)
from servers.states import (
    TaskState as T,
)
from servers.states import (
    VmState as V,
)

UUID = "8f7c2a1e-0b1d-4c55-9a0e-3f2d6b7c8e90"
HOST = "compute-1"

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
    "update_tag": ("update tag", [V.ACTIVE, V.PAUSED, V.SUSPENDED, V.STOPPED]),
    "update_tags": ("update tags", [V.ACTIVE, V.PAUSED, V.SUSPENDED, V.STOPPED]),
    "delete_tag": ("delete tag", [V.ACTIVE, V.PAUSED, V.SUSPENDED, V.STOPPED]),
    "delete_tags": ("delete tags", [V.ACTIVE, V.PAUSED, V.SUSPENDED, V.STOPPED]),
}
# nova/api/openstack/compute/server_tags.py checks the vm_state only.
TAG_ACTIONS = ("update_tag", "update_tags", "delete_tag", "delete_tags")
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
    *TAG_ACTIONS,
}
NOT_LOCK_CHECKED = {"create_image", "create_backup", "lock", "unlock", "reset_state", "evacuate", *TAG_ACTIONS}
NEED_NOT_LAUNCH = {"lock", "unlock", "reset_state", "force_delete", "delete", *TAG_ACTIONS}
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
    [(a, vm) for a in ALL_ACTIONS for vm in V.ALL if vm not in (EXPECTED[a][1] or V.ALL)],
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
