"""The single home of the server state rules.

What lives here:

* ``VmState``, ``TaskState``, ``PowerState``: the constants, using Nova's wire
  strings and ints, since they show up unchanged in API bodies
  (``OS-EXT-STS:vm_state``, ``OS-EXT-STS:task_state``, ``OS-EXT-STS:power_state``).
* ``status_for`` / ``states_for_status``: the API ``status`` map in both
  directions.
* The per-action preconditions (``ActionRule``, ``ACTION_RULES``,
  ``check_action`` and the ``StateError`` exceptions). They are defined in
  ``servers.action_rules`` and re-exported here, so callers only ever import
  ``servers.states``.

The module is pure Python and must stay free of Django imports. Compute agents
and workers that have no database settings import it too.

Nova sources this follows: ``nova/compute/vm_states.py``, ``task_states.py``,
``power_state.py``, ``nova/objects/fields.py`` (wire strings),
``nova/api/openstack/common.py`` (``_STATE_MAP``, ``status_from_state``,
``task_and_vm_state_from_status``) and ``nova/virt/libvirt/guest.py``
(``LIBVIRT_POWER_STATE``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

LOG = logging.getLogger(__name__)


class VmState:
    """The stable state of an instance (``instances.vm_state``)."""

    ACTIVE = "active"
    BUILDING = "building"
    PAUSED = "paused"
    SUSPENDED = "suspended"
    STOPPED = "stopped"
    RESCUED = "rescued"
    RESIZED = "resized"
    # Nova's wire string is "soft-delete", not "soft_deleted"; the API's
    # status for it is still SOFT_DELETED.
    SOFT_DELETED = "soft-delete"
    DELETED = "deleted"
    ERROR = "error"
    SHELVED = "shelved"
    SHELVED_OFFLOADED = "shelved_offloaded"

    ALL: tuple[str, ...] = (
        ACTIVE,
        BUILDING,
        PAUSED,
        SUSPENDED,
        STOPPED,
        RESCUED,
        RESIZED,
        SOFT_DELETED,
        DELETED,
        ERROR,
        SHELVED,
        SHELVED_OFFLOADED,
    )

    # Named groups from nova/compute/vm_states.py.
    ALLOW_SOFT_REBOOT: tuple[str, ...] = (ACTIVE,)
    ALLOW_HARD_REBOOT: tuple[str, ...] = (ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR)
    ALLOW_TRIGGER_CRASH_DUMP: tuple[str, ...] = (ACTIVE, PAUSED, RESCUED, RESIZED, ERROR)


class TaskState:
    """The operation in progress (``instances.task_state``); NULL when idle.

    Wire strings are snake_case, except the three hyphenated ones Nova
    inherited from older releases: ``powering-off``, ``powering-on`` and
    ``soft-deleting``.
    """

    SCHEDULING = "scheduling"
    BLOCK_DEVICE_MAPPING = "block_device_mapping"
    NETWORKING = "networking"
    SPAWNING = "spawning"
    IMAGE_SNAPSHOT = "image_snapshot"
    IMAGE_SNAPSHOT_PENDING = "image_snapshot_pending"
    IMAGE_PENDING_UPLOAD = "image_pending_upload"
    IMAGE_UPLOADING = "image_uploading"
    IMAGE_BACKUP = "image_backup"
    UPDATING_PASSWORD = "updating_password"
    RESIZE_PREP = "resize_prep"
    RESIZE_MIGRATING = "resize_migrating"
    RESIZE_MIGRATED = "resize_migrated"
    RESIZE_FINISH = "resize_finish"
    RESIZE_REVERTING = "resize_reverting"
    RESIZE_CONFIRMING = "resize_confirming"
    REBOOTING = "rebooting"
    REBOOT_PENDING = "reboot_pending"
    REBOOT_STARTED = "reboot_started"
    REBOOTING_HARD = "rebooting_hard"
    REBOOT_PENDING_HARD = "reboot_pending_hard"
    REBOOT_STARTED_HARD = "reboot_started_hard"
    PAUSING = "pausing"
    UNPAUSING = "unpausing"
    SUSPENDING = "suspending"
    RESUMING = "resuming"
    POWERING_OFF = "powering-off"
    POWERING_ON = "powering-on"
    RESCUING = "rescuing"
    UNRESCUING = "unrescuing"
    REBUILDING = "rebuilding"
    REBUILD_BLOCK_DEVICE_MAPPING = "rebuild_block_device_mapping"
    REBUILD_SPAWNING = "rebuild_spawning"
    MIGRATING = "migrating"
    DELETING = "deleting"
    SOFT_DELETING = "soft-deleting"
    RESTORING = "restoring"
    SHELVING = "shelving"
    SHELVING_IMAGE_PENDING_UPLOAD = "shelving_image_pending_upload"
    SHELVING_IMAGE_UPLOADING = "shelving_image_uploading"
    SHELVING_OFFLOADING = "shelving_offloading"
    UNSHELVING = "unshelving"

    ALL: tuple[str, ...] = (
        SCHEDULING,
        BLOCK_DEVICE_MAPPING,
        NETWORKING,
        SPAWNING,
        IMAGE_SNAPSHOT,
        IMAGE_SNAPSHOT_PENDING,
        IMAGE_PENDING_UPLOAD,
        IMAGE_UPLOADING,
        IMAGE_BACKUP,
        UPDATING_PASSWORD,
        RESIZE_PREP,
        RESIZE_MIGRATING,
        RESIZE_MIGRATED,
        RESIZE_FINISH,
        RESIZE_REVERTING,
        RESIZE_CONFIRMING,
        REBOOTING,
        REBOOT_PENDING,
        REBOOT_STARTED,
        REBOOTING_HARD,
        REBOOT_PENDING_HARD,
        REBOOT_STARTED_HARD,
        PAUSING,
        UNPAUSING,
        SUSPENDING,
        RESUMING,
        POWERING_OFF,
        POWERING_ON,
        RESCUING,
        UNRESCUING,
        REBUILDING,
        REBUILD_BLOCK_DEVICE_MAPPING,
        REBUILD_SPAWNING,
        MIGRATING,
        DELETING,
        SOFT_DELETING,
        RESTORING,
        SHELVING,
        SHELVING_IMAGE_PENDING_UPLOAD,
        SHELVING_IMAGE_UPLOADING,
        SHELVING_OFFLOADING,
        UNSHELVING,
    )

    # Groups. The status map and the action rules both use them, so a state
    # is never added to one place and missed in the other.
    BUILD: tuple[str, ...] = (SCHEDULING, BLOCK_DEVICE_MAPPING, NETWORKING, SPAWNING)
    REBOOT_SOFT: tuple[str, ...] = (REBOOTING, REBOOT_PENDING, REBOOT_STARTED)
    REBOOT_HARD: tuple[str, ...] = (REBOOTING_HARD, REBOOT_PENDING_HARD, REBOOT_STARTED_HARD)
    RESIZE: tuple[str, ...] = (RESIZE_PREP, RESIZE_MIGRATING, RESIZE_MIGRATED, RESIZE_FINISH)
    REBUILD: tuple[str, ...] = (REBUILDING, REBUILD_BLOCK_DEVICE_MAPPING, REBUILD_SPAWNING)
    IMAGE: tuple[str, ...] = (
        IMAGE_SNAPSHOT_PENDING,
        IMAGE_SNAPSHOT,
        IMAGE_BACKUP,
        IMAGE_PENDING_UPLOAD,
        IMAGE_UPLOADING,
    )
    SHELVE: tuple[str, ...] = (SHELVING, SHELVING_IMAGE_PENDING_UPLOAD, SHELVING_IMAGE_UPLOADING, SHELVING_OFFLOADING)
    # Task states a HARD reboot may interrupt (task_states.ALLOW_REBOOT). None
    # comes first because an idle instance may of course be rebooted. A hard
    # reboot is the way out of a stuck soft reboot or pause/suspend/resume.
    ALLOW_REBOOT: tuple[str | None, ...] = (
        None,
        REBOOTING,
        REBOOT_PENDING,
        REBOOT_STARTED,
        RESUMING,
        REBOOTING_HARD,
        UNPAUSING,
        PAUSING,
        SUSPENDING,
    )


class LibvirtState:
    """libvirt's ``virDomainState`` ints, copied here so that nothing has to import libvirt."""

    NOSTATE = 0
    RUNNING = 1
    BLOCKED = 2
    PAUSED = 3
    SHUTDOWN = 4  # being shut down: the guest is still running
    SHUTOFF = 5
    CRASHED = 6
    PMSUSPENDED = 7

    ALL: tuple[int, ...] = (NOSTATE, RUNNING, BLOCKED, PAUSED, SHUTDOWN, SHUTOFF, CRASHED, PMSUSPENDED)


class PowerState:
    """Hypervisor power state as an int (``OS-EXT-STS:power_state``).

    The gaps (2, 5) are values Nova retired; they are kept unused so the
    numbers still match Nova's.
    """

    NOSTATE = 0
    RUNNING = 1
    PAUSED = 3
    SHUTDOWN = 4
    CRASHED = 6
    SUSPENDED = 7

    ALL: tuple[int, ...] = (NOSTATE, RUNNING, PAUSED, SHUTDOWN, CRASHED, SUSPENDED)
    NAMES: dict[int, str] = {
        NOSTATE: "NOSTATE",
        RUNNING: "RUNNING",
        PAUSED: "PAUSED",
        SHUTDOWN: "SHUTDOWN",
        CRASHED: "CRASHED",
        SUSPENDED: "SUSPENDED",
    }

    # nova/virt/libvirt/guest.py LIBVIRT_POWER_STATE. BLOCKED means the vCPU is
    # idle, so the guest counts as running. Nova deliberately maps SHUTDOWN (in
    # progress) and SHUTOFF (done) to the same SHUTDOWN. PMSUSPENDED is
    # guest-initiated S3/S4, which for the API is SUSPENDED.
    _FROM_LIBVIRT: dict[int, int] = {
        LibvirtState.NOSTATE: NOSTATE,
        LibvirtState.RUNNING: RUNNING,
        LibvirtState.BLOCKED: RUNNING,
        LibvirtState.PAUSED: PAUSED,
        LibvirtState.SHUTDOWN: SHUTDOWN,
        LibvirtState.SHUTOFF: SHUTDOWN,
        LibvirtState.CRASHED: CRASHED,
        LibvirtState.PMSUSPENDED: SUSPENDED,
    }

    @staticmethod
    def from_libvirt(state: int) -> int:
        """Map a libvirt ``virDomainState`` int to a Nova power state int.

        A value this table does not know (say, from a newer libvirt) maps to
        NOSTATE. The power-sync loop then treats it as "don't know" and does
        not act on a guess.
        """
        return PowerState._FROM_LIBVIRT.get(state, PowerState.NOSTATE)


def vm_state_after_move(power_state: int) -> str:
    """The vm_state a server settles in after an operation that keeps its guest's power
    (rebuild, confirm/revert resize, evacuate): ACTIVE when the guest runs, else STOPPED."""
    return VmState.ACTIVE if power_state == PowerState.RUNNING else VmState.STOPPED


# --------------------------------------------------------------------------
# API status map (nova/api/openstack/common.py _STATE_MAP)
# --------------------------------------------------------------------------

#: Key, inside each vm_state's task map, for the status used when no override applies.
#: The key is the same as Nova's, so the table can be compared with Nova's line by line.
DEFAULT_KEY = "default"

_TS = TaskState
STATUS_MAP: Mapping[str, Mapping[str, str]] = {
    VmState.ACTIVE: {
        DEFAULT_KEY: "ACTIVE",
        **dict.fromkeys(_TS.REBOOT_SOFT, "REBOOT"),
        **dict.fromkeys(_TS.REBOOT_HARD, "HARD_REBOOT"),
        _TS.UPDATING_PASSWORD: "PASSWORD",
        **dict.fromkeys(_TS.REBUILD, "REBUILD"),
        _TS.MIGRATING: "MIGRATING",
        **dict.fromkeys(_TS.RESIZE, "RESIZE"),
    },
    VmState.BUILDING: {DEFAULT_KEY: "BUILD"},
    VmState.STOPPED: {
        DEFAULT_KEY: "SHUTOFF",
        **dict.fromkeys(_TS.RESIZE, "RESIZE"),
        **dict.fromkeys(_TS.REBUILD, "REBUILD"),
    },
    # Nova has no CONFIRMING_RESIZE status, so RESIZE_CONFIRMING stays VERIFY_RESIZE.
    VmState.RESIZED: {DEFAULT_KEY: "VERIFY_RESIZE", _TS.RESIZE_REVERTING: "REVERT_RESIZE"},
    VmState.PAUSED: {DEFAULT_KEY: "PAUSED", _TS.MIGRATING: "MIGRATING"},
    VmState.SUSPENDED: {DEFAULT_KEY: "SUSPENDED"},
    VmState.RESCUED: {DEFAULT_KEY: "RESCUE"},
    VmState.ERROR: {DEFAULT_KEY: "ERROR", **dict.fromkeys(_TS.REBUILD, "REBUILD")},
    VmState.DELETED: {DEFAULT_KEY: "DELETED"},
    VmState.SOFT_DELETED: {DEFAULT_KEY: "SOFT_DELETED"},
    VmState.SHELVED: {DEFAULT_KEY: "SHELVED"},
    VmState.SHELVED_OFFLOADED: {DEFAULT_KEY: "SHELVED_OFFLOADED"},
}
del _TS

UNKNOWN_STATUS = "UNKNOWN"

#: Every status the map can produce. UNKNOWN is left out because a client
#: cannot filter on it.
ALL_STATUSES: tuple[str, ...] = tuple(
    sorted({status for task_map in STATUS_MAP.values() for status in task_map.values()})
)


def status_for(vm_state: str, task_state: str | None) -> str:
    """Return the API ``status`` for a (vm_state, task_state) pair.

    A task_state that has no override for this vm_state gives the vm_state's
    default status (ACTIVE + pausing is ACTIVE). An unknown vm_state gives
    ``"UNKNOWN"`` and logs an error, as Nova does. It means a bad upgrade or
    corrupted data, and a list request should not return 500 because of it.
    """
    task_map = STATUS_MAP.get(vm_state)
    if task_map is None:
        LOG.error(
            "status is UNKNOWN from vm_state=%s task_state=%s. Bad upgrade or db corrupted?", vm_state, task_state
        )
        return UNKNOWN_STATUS
    if task_state is None:
        return task_map[DEFAULT_KEY]
    return task_map.get(task_state, task_map[DEFAULT_KEY])


class StatusFilter(NamedTuple):
    """The DB filter that ``GET /servers?status=...`` translates to.

    * ``vm_states``: sorted list of vm_states to match (``vm_state IN ...``).
      Empty means no status was recognised. Nova then answers 400 "Invalid
      status value" from microversion 2.38 on, and an empty list before it.
    * ``task_states``: sorted list for ``task_state IN ...``. ``None`` means
      "do not filter on task_state".
    """

    vm_states: list[str]
    task_states: list[str] | None


def states_for_status(statuses: str | Iterable[str]) -> StatusFilter:
    """Reverse of :func:`status_for`, as Nova's ``task_and_vm_state_from_status`` does it.

    ``statuses`` is one status or several (``?status=A&status=B``), compared
    case-insensitively. Nova's rule, kept here on purpose: when any requested
    status is a vm_state's *default*, the task_state filter is dropped
    entirely. So ``status=ACTIVE`` also matches active servers that are
    rebooting. Otherwise the filter is the cross product of the matching
    vm_states and task_states. Across the whole map that is exact: every pair
    in it maps back to the requested status.
    """
    if isinstance(statuses, str):
        statuses = [statuses]
    wanted = {s.lower() for s in statuses}
    vm_states: set[str] = set()
    task_states: set[str] = set()
    any_task = False
    for vm_state, task_map in STATUS_MAP.items():
        for task_state, status in task_map.items():
            if status.lower() in wanted:
                vm_states.add(vm_state)
                if task_state == DEFAULT_KEY:
                    any_task = True
                else:
                    task_states.add(task_state)
    return StatusFilter(sorted(vm_states), None if any_task else sorted(task_states))


# --------------------------------------------------------------------------
# Re-exports of the action rules
# --------------------------------------------------------------------------
# servers.action_rules imports the constants above, so importing it eagerly
# from here would be circular. Module __getattr__ (PEP 562) resolves these
# names on first use instead, so `from servers.states import check_action`
# works whichever module is imported first.
_ACTION_RULE_EXPORTS = frozenset(
    {
        "ANY",
        "NULL_TASK",
        "ActionRule",
        "ACTION_RULES",
        "get_rule",
        "action_name_for_message",
        "check_action",
        "StateError",
        "InstanceInvalidState",
        "InstanceIsLocked",
        "InstanceNotReady",
        "ServiceUnavailable",
        "ComputeServiceInUse",
    }
)

if TYPE_CHECKING:  # let type checkers and IDEs see the re-exported names
    from servers.action_rules import (  # noqa: F401
        ACTION_RULES,
        ANY,
        NULL_TASK,
        ActionRule,
        ComputeServiceInUse,
        InstanceInvalidState,
        InstanceIsLocked,
        InstanceNotReady,
        ServiceUnavailable,
        StateError,
        action_name_for_message,
        check_action,
        get_rule,
    )


def __getattr__(name: str) -> Any:
    if name in _ACTION_RULE_EXPORTS:
        from servers import action_rules

        return getattr(action_rules, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "VmState",
    "TaskState",
    "PowerState",
    "LibvirtState",
    "STATUS_MAP",
    "DEFAULT_KEY",
    "UNKNOWN_STATUS",
    "ALL_STATUSES",
    "status_for",
    "StatusFilter",
    "states_for_status",
    "vm_state_after_move",
    *sorted(_ACTION_RULE_EXPORTS),
]
