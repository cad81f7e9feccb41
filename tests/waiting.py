"""Waiting on state: poll a condition until it holds or a deadline passes. Tests wait this
way instead of sleeping for a guessed time, so they neither race a slow machine nor idle on a
fast one."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T],
    timeout: float = 30.0,
    *,
    what: str | Callable[[], str] = "the condition",
    interval: float = 0.1,
) -> T:
    """Call ``condition`` until it returns something true, and return that; after
    ``timeout`` seconds fail with ``what`` (a string, or a function that describes the last
    state seen)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            description = what() if callable(what) else what
            raise AssertionError(f"not reached within {timeout:g} s: {description}")
        time.sleep(interval)  # the polling interval, not a guess at how long something takes
