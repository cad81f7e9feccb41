"""Tests for servers.states: the constants, the status map both ways, power states, and the
package's shape (no Django, no import cycle). The action rules are in test_state_rules.py
(preconditions) and test_state_outcomes.py (what actions end in).

These are pure pytest tests with no Django settings and no database. The
expected values are written out here rather than read back from the module,
so a wrong table entry shows up as a failure instead of agreeing with itself.
"""

from __future__ import annotations

import ast
import logging
import subprocess
import sys
from graphlib import TopologicalSorter
from pathlib import Path

import pytest

from servers.states import (
    ALL_STATUSES,
    LibvirtState,
    PowerState,
    states_for_status,
    status_for,
)
from servers.states import (
    TaskState as T,
)
from servers.states import (
    VmState as V,
)

PACKAGE = Path(__file__).resolve().parent.parent / "servers" / "states"

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


def _package_imports() -> dict[str, set[str]]:
    """module -> the modules of servers.states it imports (relative or absolute)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1 and node.module:
                    imported.add(node.module)
                elif node.module and node.module.startswith("servers.states."):
                    imported.add(node.module.removeprefix("servers.states."))
                elif node.module == "servers.states" or (node.module == "servers" and node.names[0].name == "states"):
                    imported.add("__init__")
        graph[path.stem] = imported
    return graph


def test_state_modules_import_one_way() -> None:
    graph = _package_imports()
    assert set(graph) >= {"__init__", "constants", "status", "action_rule", "rules", "checks", "errors"}
    inner = {module: deps for module, deps in graph.items() if module != "__init__"}
    assert all("__init__" not in deps for deps in inner.values()), "a module imports the package it is in"
    tuple(TopologicalSorter(inner).static_order())  # raises CycleError on a cycle
    assert graph["constants"] == set(), "the constants depend on nothing"


def test_no_lazy_re_exports() -> None:
    """Every name is imported eagerly: no module __getattr__ (PEP 562) resolving names late."""
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        assert not any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body), path.name


# ---------------------------------------------------------------- status map

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
