"""The API ``status`` of a server, from its (vm_state, task_state), and back.

Nova's ``_STATE_MAP``, ``status_from_state`` and ``task_and_vm_state_from_status`` in
``nova/api/openstack/common.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from .constants import TaskState, VmState

LOG = logging.getLogger(__name__)

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
