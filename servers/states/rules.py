"""The state rules of every server action, as a table: one :class:`ActionRule` row each.

The preconditions port Nova's ``check_instance_lock``, ``check_instance_state`` and
``check_instance_host`` decorators and the decorator stack on each ``API`` method of
``nova/compute/api.py``; :func:`~servers.states.checks.check_action` runs them in Nova's
order. The rest of each row says what the action ends in (see
:mod:`servers.states.action_rule`); the conductor and recovery read it from here.

The line numbers in the comments refer to ``nova/compute/api.py`` at commit 453661a9
(master, June 2026; the stable branches number it differently), e.g. ``pause`` at line 4827:
https://opendev.org/openstack/nova/src/commit/453661a949875f2f57f48a136d61c3eca92171f5/nova/compute/api.py#L4827

Prefer importing these names from ``servers.states``, which re-exports them. Pure Python;
no Django.
"""

from __future__ import annotations

from typing import Any

from .action_rule import ANY, BY_POWER, ActionRule, Outcome, Phase
from .constants import TaskState as T
from .constants import VmState as V

ERROR = Outcome.ERROR
RETRY = Outcome.RETRY

_IMAGE_VM = (V.ACTIVE, V.STOPPED, V.PAUSED, V.SUSPENDED)
_VOLUME_VM = (V.ACTIVE, V.PAUSED, V.STOPPED, V.RESIZED, V.SOFT_DELETED, V.SHELVED, V.SHELVED_OFFLOADED)
_INTERFACE_VM = (V.ACTIVE, V.PAUSED, V.STOPPED)
_METADATA_VM = (V.ACTIVE, V.PAUSED, V.SUSPENDED, V.STOPPED)
# Resize and cold migration: the source powers off and hands its disk over (a failure
# reported there leaves the server where it was, but an interruption may have moved the
# disk), then the destination finishes (a failure there leaves no guest running: ERROR).
_RESIZE: dict[str, Any] = {
    "vm_states": (V.ACTIVE, V.STOPPED),
    "check_host": True,
    "check_host_up": True,
    "next_task_state": T.RESIZE_PREP,
    "later_phases": (Phase(T.RESIZE_MIGRATING, if_interrupted=ERROR), Phase(T.RESIZE_FINISH, ERROR, ERROR)),
    "end_vm_state": V.RESIZED,
}
# Snapshot and backup: the host writes the root disk into the image store.
_UPLOAD = (Phase(T.IMAGE_UPLOADING),)

_RULES: tuple[ActionRule, ...] = (
    ActionRule("pause", "pause", (V.ACTIVE,), next_task_state=T.PAUSING, end_vm_state=V.PAUSED),  # 4827
    ActionRule("unpause", "unpause", (V.PAUSED,), next_task_state=T.UNPAUSING, end_vm_state=V.ACTIVE),  # 4836
    ActionRule("suspend", "suspend", (V.ACTIVE,), next_task_state=T.SUSPENDING, end_vm_state=V.SUSPENDED),  # 4863
    ActionRule("resume", "resume", (V.SUSPENDED,), next_task_state=T.RESUMING, end_vm_state=V.ACTIVE),  # 4875
    # stop/start/trigger_crash_dump use check_instance_host() *without*
    # check_is_up. A down compute is not rejected here; the cast just sits there.
    ActionRule(
        "stop",  # 2869
        "stop",
        (V.ACTIVE, V.ERROR),
        check_host=True,
        host_before_state=True,
        next_task_state=T.POWERING_OFF,
        end_vm_state=V.STOPPED,
    ),
    ActionRule(
        "start",  # 2876
        "start",
        (V.STOPPED,),
        check_host=True,
        host_before_state=True,
        next_task_state=T.POWERING_ON,
        end_vm_state=V.ACTIVE,
    ),
    ActionRule(
        "reboot_soft",  # 3649
        "reboot",
        V.ALLOW_SOFT_REBOOT,
        next_task_state=T.REBOOTING,
        end_vm_state=V.ACTIVE,
        instance_action="reboot",
    ),
    # A failed hard reboot leaves the guest in an unknown state: ERROR (Nova's
    # reboot_instance in nova/compute/manager.py).
    ActionRule(
        "reboot_hard",  # 3662
        "reboot",
        V.ALLOW_HARD_REBOOT,
        T.ALLOW_REBOOT,
        next_task_state=T.REBOOTING_HARD,
        on_failure=ERROR,
        end_vm_state=V.ACTIVE,
        instance_action="reboot",
    ),
    # Rebuild keeps a stopped server stopped.
    ActionRule(
        "rebuild",  # 3685
        "rebuild",
        (V.ACTIVE, V.STOPPED, V.ERROR),
        next_task_state=T.REBUILDING,
        on_failure=ERROR,
        if_interrupted=ERROR,
        end_vm_state=BY_POWER,
    ),
    ActionRule("resize", "resize", **_RESIZE),  # 4292
    ActionRule("migrate", "migrate", **_RESIZE),  # cold migrate = resize, same flavor
    # confirm_resize checks the *source* compute inside the method (4132);
    # no check_instance_host. The migration goes to "confirming"; task_state is not set.
    # A failed clean-up of the source does not undo the move: the server ends as on success.
    ActionRule(
        "confirm_resize",  # 4113
        "confirmResize",
        (V.RESIZED,),
        check_host_up=True,
        end_vm_state=BY_POWER,
        instance_action="confirmResize",
    ),
    ActionRule(
        "revert_resize",  # 4002
        "revertResize",
        (V.RESIZED,),
        next_task_state=T.RESIZE_REVERTING,
        on_failure=ERROR,
        if_interrupted=ERROR,
        end_vm_state=BY_POWER,
        instance_action="revertResize",
    ),
    # Any failure rolls back: the guest keeps running on its source, in its vm_state.
    ActionRule(
        "live_migrate",  # 5576
        "os-migrateLive",
        (V.ACTIVE, V.PAUSED),
        next_task_state=T.MIGRATING,
        instance_action="live-migration",
    ),
    # Evacuate exists to recover from a dead host, so it takes any task_state
    # (the instance may be stuck mid-task) and skips the lock check. No host found: nothing
    # moved. A failed spawn on the destination: ERROR.
    ActionRule(
        "evacuate",  # 5709
        "evacuate",
        (V.ACTIVE, V.STOPPED, V.ERROR),
        ANY,
        check_lock=False,
        requires_host_down=True,
        next_task_state=T.REBUILDING,
        if_interrupted=ERROR,
        later_phases=(Phase(T.REBUILD_SPAWNING, ERROR, ERROR),),
        end_vm_state=BY_POWER,
    ),
    ActionRule("lock", "lock", ANY, ANY, check_lock=False, must_have_launched=False),  # 5020
    ActionRule("unlock", "unlock", ANY, ANY, check_lock=False, must_have_launched=False),  # 5054
    ActionRule(
        "rescue",  # 4886
        "rescue",
        (V.ACTIVE, V.STOPPED, V.ERROR),
        next_task_state=T.RESCUING,
        on_failure=ERROR,
        if_interrupted=ERROR,
        end_vm_state=V.RESCUED,
    ),
    ActionRule("unrescue", "unrescue", (V.RESCUED,), next_task_state=T.UNRESCUING, end_vm_state=V.ACTIVE),  # 4950
    # Shelve ends SHELVED_OFFLOADED at once when SHELVED_OFFLOAD_TIME is 0 (as shelve_offload).
    ActionRule(
        "shelve",  # 4547
        "shelve",
        _IMAGE_VM,
        next_task_state=T.SHELVING,
        later_phases=(Phase(T.SHELVING_IMAGE_UPLOADING),),
        end_vm_state=V.SHELVED,
    ),
    ActionRule(
        "shelve_offload",  # 4586
        "shelveOffload",
        (V.SHELVED,),
        next_task_state=T.SHELVING_OFFLOADING,
        if_interrupted=ERROR,
        end_vm_state=V.SHELVED_OFFLOADED,
        instance_action="shelveOffload",
    ),
    # Unshelve of an offloaded server schedules it, then spawns it (SPAWNING, as a build).
    ActionRule(
        "unshelve",  # 4707
        "unshelve",
        (V.SHELVED, V.SHELVED_OFFLOADED),
        next_task_state=T.UNSHELVING,
        later_phases=(Phase(T.SPAWNING, if_interrupted=ERROR),),
        end_vm_state=V.ACTIVE,
    ),
    # Snapshot and backup skip the lock check on purpose: a lock guards
    # against accidental change or delete, and taking a copy is neither.
    ActionRule(
        "create_image",  # 3443
        "createImage",
        _IMAGE_VM,
        check_lock=False,
        next_task_state=T.IMAGE_SNAPSHOT_PENDING,
        later_phases=_UPLOAD,
        instance_action="createImage",
    ),
    ActionRule(
        "create_backup",  # 3402
        "createBackup",
        _IMAGE_VM,
        check_lock=False,
        next_task_state=T.IMAGE_BACKUP,
        later_phases=_UPLOAD,
        instance_action="createBackup",
    ),
    ActionRule(
        "change_password",  # 4961
        "changePassword",
        (V.ACTIVE,),
        next_task_state=T.UPDATING_PASSWORD,
        instance_action="changePassword",
    ),
    # os-resetState is admin-only and exists to clear stuck states, so it
    # checks nothing. The handler sets vm_state active|error and task_state NULL.
    ActionRule(
        "reset_state",
        "os-resetState",
        ANY,
        ANY,
        check_lock=False,
        must_have_launched=False,
        instance_action="resetState",
    ),
    # A failed teardown leaves ERROR (the guest may still exist); an interrupted one is
    # sent again (destroying is idempotent).
    ActionRule(
        "force_delete",  # 2849
        "forceDelete",
        ANY,
        ANY,
        must_have_launched=False,
        next_task_state=T.DELETING,
        on_failure=ERROR,
        if_interrupted=RETRY,
        end_vm_state=V.DELETED,
        instance_action="forceDelete",
    ),
    ActionRule("restore", "restore", (V.SOFT_DELETED,), next_task_state=T.RESTORING, end_vm_state=V.ACTIVE),  # 2816
    # DELETE /servers/{id}: a hard delete must work for instances that never
    # launched (a failed build). A soft delete (reclaim_instance_interval > 0)
    # keeps Nova's must_have_launched=True.
    ActionRule(
        "delete",  # 2809
        "delete",
        ANY,
        ANY,
        must_have_launched=False,
        next_task_state=T.DELETING,
        on_failure=ERROR,
        if_interrupted=RETRY,
        end_vm_state=V.DELETED,
    ),
    # Soft delete powers the guest off and keeps everything for restore.
    ActionRule(
        "soft_delete",  # 2793
        "delete",
        ANY,
        ANY,
        next_task_state=T.SOFT_DELETING,
        end_vm_state=V.SOFT_DELETED,
        instance_action="delete",
    ),
    ActionRule(
        "trigger_crash_dump",  # 2889
        "trigger_crash_dump",
        V.ALLOW_TRIGGER_CRASH_DUMP,
        check_host=True,
        host_before_state=True,
    ),
    ActionRule("attach_volume", "attach_volume", _VOLUME_VM),  # 5204
    ActionRule("detach_volume", "detach_volume", _VOLUME_VM),  # 5307
    ActionRule("swap_volume", "swap_volume", (V.ACTIVE, V.PAUSED, V.RESIZED)),  # 5360
    ActionRule("attach_interface", "attach_interface", _INTERFACE_VM),  # 5475
    ActionRule("detach_interface", "detach_interface", _INTERFACE_VM),  # 5513
    # Metadata: any task_state. Nova's check_instance_state(task_state=None) on
    # update_instance_metadata and delete_instance_metadata means "any".
    ActionRule("update_metadata", "update metadata", _METADATA_VM, ANY),  # 5544
    ActionRule("delete_metadata", "delete metadata", _METADATA_VM, ANY),  # 5536
    # Tags (nova/api/openstack/compute/server_tags.py _check_instance_in_valid_state): the
    # metadata states, any task_state, and no lock check.
    *(
        ActionRule(action, action.replace("_", " "), _METADATA_VM, ANY, check_lock=False, must_have_launched=False)
        for action in ("update_tag", "update_tags", "delete_tag", "delete_tags")
    ),
)

#: All rules, keyed by ``ActionRule.action``.
ACTION_RULES: dict[str, ActionRule] = {rule.action: rule for rule in _RULES}
if len(ACTION_RULES) != len(_RULES):  # a duplicate row would silently shadow another
    raise RuntimeError("duplicate action in _RULES")


def get_rule(action: str) -> ActionRule:
    """Return the rule for ``action``.

    An unknown name is a programming error, so it raises KeyError, not a 409.
    """
    try:
        return ACTION_RULES[action]
    except KeyError:
        raise KeyError(f"no state rule for action {action!r}") from None


def action_name_for_message(action: str) -> str:
    """Return the word Nova uses for ``action`` in its 409 messages, e.g. 'createImage'."""
    return get_rule(action).api_name
