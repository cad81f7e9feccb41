"""The state preconditions of each server action, written as a table.

This ports Nova's ``check_instance_lock``, ``check_instance_state`` and
``check_instance_host`` decorators (``nova/compute/api.py`` L140-250) and the
decorators on each ``API`` method. A decorator stack there is one
:class:`ActionRule` row here, and :func:`check_action` runs the checks in
Nova's order. It takes plain values rather than a model, so the API layer, a
worker or a test can call it without a database.

Prefer importing these names from ``servers.states``, which re-exports them.
Everything here is pure Python. Do not add Django imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from servers.states import TaskState as T
from servers.states import VmState as V

#: ``vm_states`` / ``task_states`` value meaning "any state". It is Nova's
#: ``vm_state=None`` / ``task_state=None``.
ANY = None
#: ``task_states`` value meaning "task_state must be NULL". This is Nova's
#: default ``task_state=(None,)``: an action may not start while another is in progress.
NULL_TASK: tuple[str | None, ...] = (None,)


# --------------------------------------------------------------------------
# Exceptions. ``http_status`` lets the API layer turn any of them into a
# response without knowing the classes: ``Fault(exc.http_status, str(exc))``.
# --------------------------------------------------------------------------


class StateError(Exception):
    """Base class: the instance's state does not allow the action."""

    http_status: int = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InstanceInvalidState(StateError):
    """The vm_state, task_state or launched_at check failed (HTTP 409).

    The message is the one Nova's API layer builds, in
    ``common.raise_http_conflict_for_instance_invalid_state``. When the
    offending value is None (never launched, or a NULL task_state that the
    rule does not allow), Nova falls back to the "invalid state for" wording.
    """

    http_status = 409

    def __init__(self, action: str, uuid: str, attr: str, state: object) -> None:
        self.action, self.uuid, self.attr, self.state = action, uuid, attr, state
        if state is None:
            msg = f"Instance {uuid} is in an invalid state for '{action}'"
        else:
            msg = f"Cannot '{action}' instance {uuid} while it is in {attr} {state}"
        super().__init__(msg)


class InstanceIsLocked(StateError):
    """A non-admin caller tried a lock-checked action on a locked instance (409)."""

    http_status = 409

    def __init__(self, uuid: str) -> None:
        self.uuid = uuid
        super().__init__(f"Instance {uuid} is locked")


class InstanceNotReady(StateError):
    """The action needs ``instance.host``, and the instance has none (409).

    For example it is still scheduling, or it is shelved-offloaded.
    """

    http_status = 409

    def __init__(self, uuid: str) -> None:
        self.uuid = uuid
        super().__init__(f"Instance {uuid} is not ready")


class ServiceUnavailable(StateError):
    """The compute service the action depends on is down.

    The message leaves out the host name on purpose, as Nova's does ("we do
    not want to leak hostnames to end users"). The host is kept on the
    exception for logs. Nova's API handlers (resize, migrate, confirmResize)
    turn this into HTTP **409**, not 503.
    """

    http_status = 409

    def __init__(self, host: str | None = None) -> None:
        self.host = host
        super().__init__("Service is unavailable at this time.")


class ComputeServiceInUse(StateError):
    """Evacuate was asked for, but the source compute is still up.

    Evacuating from a live host would run the guest twice. Nova's evacuate
    handler turns this into HTTP **400** (``evacuate.py``), not 409.
    """

    http_status = 400

    def __init__(self, host: str | None) -> None:
        self.host = host
        super().__init__(f"Compute service of {host} is still in use.")


# --------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRule:
    """Preconditions of one action (one Nova decorator stack).

    * ``action``: our key in :data:`ACTION_RULES`.
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
    * ``next_task_state``: the task_state the API sets on accepting the
      action. Save it with ``expected_task_state`` of the current value, as a
      compare-and-swap. None means the API sets none.
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

    def allows_vm_state(self, vm_state: str) -> bool:
        return self.vm_states is ANY or vm_state in self.vm_states

    def allows_task_state(self, task_state: str | None) -> bool:
        return self.task_states is ANY or task_state in self.task_states


_IMAGE_VM = (V.ACTIVE, V.STOPPED, V.PAUSED, V.SUSPENDED)
_VOLUME_VM = (V.ACTIVE, V.PAUSED, V.STOPPED, V.RESIZED, V.SOFT_DELETED, V.SHELVED, V.SHELVED_OFFLOADED)
_INTERFACE_VM = (V.ACTIVE, V.PAUSED, V.STOPPED)
_METADATA_VM = (V.ACTIVE, V.PAUSED, V.SUSPENDED, V.STOPPED)
_RESIZE: dict[str, Any] = {
    "vm_states": (V.ACTIVE, V.STOPPED),
    "check_host": True,
    "check_host_up": True,
    "next_task_state": T.RESIZE_PREP,
}

# Line numbers refer to nova/compute/api.py (see nova-facts.md §1.4).
_RULES: tuple[ActionRule, ...] = (
    ActionRule("pause", "pause", (V.ACTIVE,), next_task_state=T.PAUSING),  # 4827
    ActionRule("unpause", "unpause", (V.PAUSED,), next_task_state=T.UNPAUSING),  # 4836
    ActionRule("suspend", "suspend", (V.ACTIVE,), next_task_state=T.SUSPENDING),  # 4863
    ActionRule("resume", "resume", (V.SUSPENDED,), next_task_state=T.RESUMING),  # 4875
    # stop/start/trigger_crash_dump use check_instance_host() *without*
    # check_is_up. A down compute is not rejected here; the cast just sits there.
    ActionRule(
        "stop",
        "stop",
        (V.ACTIVE, V.ERROR),
        check_host=True,  # 2869
        host_before_state=True,
        next_task_state=T.POWERING_OFF,
    ),
    ActionRule(
        "start",
        "start",
        (V.STOPPED,),
        check_host=True,  # 2876
        host_before_state=True,
        next_task_state=T.POWERING_ON,
    ),
    ActionRule(
        "reboot_soft",
        "reboot",
        V.ALLOW_SOFT_REBOOT,  # 3649
        next_task_state=T.REBOOTING,
    ),
    ActionRule(
        "reboot_hard",
        "reboot",
        V.ALLOW_HARD_REBOOT,
        T.ALLOW_REBOOT,  # 3662
        next_task_state=T.REBOOTING_HARD,
    ),
    ActionRule(
        "rebuild",
        "rebuild",
        (V.ACTIVE, V.STOPPED, V.ERROR),  # 3685
        next_task_state=T.REBUILDING,
    ),
    ActionRule("resize", "resize", **_RESIZE),  # 4292
    ActionRule("migrate", "migrate", **_RESIZE),  # cold migrate = resize, same flavor
    # confirm_resize checks the *source* compute inside the method (4132);
    # no check_instance_host. The migration goes to "confirming"; task_state is not set.
    ActionRule(
        "confirm_resize",
        "confirmResize",
        (V.RESIZED,),  # 4113
        check_host_up=True,
    ),
    ActionRule(
        "revert_resize",
        "revertResize",
        (V.RESIZED,),  # 4002
        next_task_state=T.RESIZE_REVERTING,
    ),
    ActionRule(
        "live_migrate",
        "os-migrateLive",
        (V.ACTIVE, V.PAUSED),  # 5576
        next_task_state=T.MIGRATING,
    ),
    # Evacuate exists to recover from a dead host, so it takes any task_state
    # (the instance may be stuck mid-task) and skips the lock check.
    ActionRule(
        "evacuate",
        "evacuate",
        (V.ACTIVE, V.STOPPED, V.ERROR),
        ANY,  # 5709
        check_lock=False,
        requires_host_down=True,
        next_task_state=T.REBUILDING,
    ),
    ActionRule(
        "lock",
        "lock",
        ANY,
        ANY,
        check_lock=False,  # 5020
        must_have_launched=False,
    ),
    ActionRule(
        "unlock",
        "unlock",
        ANY,
        ANY,
        check_lock=False,  # 5054
        must_have_launched=False,
    ),
    ActionRule(
        "rescue",
        "rescue",
        (V.ACTIVE, V.STOPPED, V.ERROR),  # 4886
        next_task_state=T.RESCUING,
    ),
    ActionRule(
        "unrescue",
        "unrescue",
        (V.RESCUED,),  # 4950
        next_task_state=T.UNRESCUING,
    ),
    ActionRule("shelve", "shelve", _IMAGE_VM, next_task_state=T.SHELVING),  # 4547
    ActionRule(
        "shelve_offload",
        "shelveOffload",
        (V.SHELVED,),  # 4586
        next_task_state=T.SHELVING_OFFLOADING,
    ),
    ActionRule(
        "unshelve",
        "unshelve",
        (V.SHELVED, V.SHELVED_OFFLOADED),  # 4707
        next_task_state=T.UNSHELVING,
    ),
    # Snapshot and backup skip the lock check on purpose: a lock guards
    # against accidental change or delete, and taking a copy is neither.
    ActionRule(
        "create_image",
        "createImage",
        _IMAGE_VM,
        check_lock=False,  # 3443
        next_task_state=T.IMAGE_SNAPSHOT_PENDING,
    ),
    ActionRule(
        "create_backup",
        "createBackup",
        _IMAGE_VM,
        check_lock=False,  # 3402
        next_task_state=T.IMAGE_BACKUP,
    ),
    ActionRule(
        "change_password",
        "changePassword",
        (V.ACTIVE,),  # 4961
        next_task_state=T.UPDATING_PASSWORD,
    ),
    # os-resetState is admin-only and exists to clear stuck states, so it
    # checks nothing. The handler sets vm_state active|error and task_state NULL.
    ActionRule("reset_state", "os-resetState", ANY, ANY, check_lock=False, must_have_launched=False),
    ActionRule(
        "force_delete",
        "forceDelete",
        ANY,
        ANY,  # 2849
        must_have_launched=False,
        next_task_state=T.DELETING,
    ),
    ActionRule(
        "restore",
        "restore",
        (V.SOFT_DELETED,),  # 2816
        next_task_state=T.RESTORING,
    ),
    # DELETE /servers/{id}: a hard delete must work for instances that never
    # launched (a failed build). A soft delete (reclaim_instance_interval > 0)
    # keeps Nova's must_have_launched=True.
    ActionRule(
        "delete",
        "delete",
        ANY,
        ANY,
        must_have_launched=False,  # 2809
        next_task_state=T.DELETING,
    ),
    ActionRule(
        "soft_delete",
        "delete",
        ANY,
        ANY,  # 2793
        next_task_state=T.SOFT_DELETING,
    ),
    ActionRule(
        "trigger_crash_dump",
        "trigger_crash_dump",  # 2889
        V.ALLOW_TRIGGER_CRASH_DUMP,
        check_host=True,
        host_before_state=True,
    ),
    ActionRule("attach_volume", "attach_volume", _VOLUME_VM),  # 5204
    ActionRule("detach_volume", "detach_volume", _VOLUME_VM),  # 5307
    ActionRule("swap_volume", "swap_volume", (V.ACTIVE, V.PAUSED, V.RESIZED)),  # 5360
    ActionRule("attach_interface", "attach_interface", _INTERFACE_VM),  # 5475
    ActionRule("detach_interface", "detach_interface", _INTERFACE_VM),  # 5513
    # Metadata: any task_state (§1.3).
    ActionRule("update_metadata", "update metadata", _METADATA_VM, ANY),  # 5544
    ActionRule("delete_metadata", "delete metadata", _METADATA_VM, ANY),  # 5536
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


def check_action(
    action: str,
    *,
    uuid: str,
    vm_state: str,
    task_state: str | None,
    locked: bool,
    launched: bool,
    host: str | None,
    host_up: bool | None,
    is_admin: bool,
) -> None:
    """Raise a :class:`StateError` if ``action`` is not allowed right now.

    The checks run in Nova's decorator order:

    1. lock (when the rule checks it, the instance is locked and the caller is not admin);
    2. host set / host up, here only for rules with ``host_before_state``;
    3. vm_state, then task_state, then launched;
    4. otherwise the host set / host up checks come here;
    5. for evacuate, the source host must be down.

    ``launched`` is ``launched_at is not None``. ``host_up`` is the liveness
    of the compute service concerned, meaning the migration's source compute
    for ``confirm_resize``. None means "not looked up". A rule that needs the
    service up treats None as down. Evacuate treats it as not up, and so does
    not refuse.
    """
    rule = get_rule(action)
    if rule.check_lock and locked and not is_admin:
        raise InstanceIsLocked(uuid)
    if rule.host_before_state:
        _check_host(rule, uuid, host, host_up)
    if not rule.allows_vm_state(vm_state):
        raise InstanceInvalidState(rule.api_name, uuid, "vm_state", vm_state)
    if not rule.allows_task_state(task_state):
        raise InstanceInvalidState(rule.api_name, uuid, "task_state", task_state)
    if rule.must_have_launched and not launched:
        # Nova reports this as attr launched_at with value None, so the
        # message uses the "invalid state for" fallback wording.
        raise InstanceInvalidState(rule.api_name, uuid, "launched_at", None)
    if not rule.host_before_state:
        _check_host(rule, uuid, host, host_up)
    if rule.requires_host_down and host_up:
        raise ComputeServiceInUse(host)


def _check_host(rule: ActionRule, uuid: str, host: str | None, host_up: bool | None) -> None:
    """Nova's ``check_instance_host(check_is_up=...)``: is the host set, then is it up."""
    if rule.check_host and not host:
        raise InstanceNotReady(uuid)
    if rule.check_host_up and host_up is not True:
        raise ServiceUnavailable(host)
