"""What a compute worker was running when it died, kept on the host's own disk.

A compute worker has no database, yet after a crash it must tell the conductor the truth:
which operations it had *started* (and so left half done), as opposed to the ones still
waiting in its queue (which simply run when it is back). Each compute task writes one small
file under ``<instances_dir>/.journal/running/`` before it touches the hypervisor and removes
it when it is done: one create and one unlink per task, nothing on the network.

On start, before consuming anything, the worker takes the files left behind
(:meth:`Journal.take_interrupted`): those operations were interrupted. Each moves to
``handled/`` under its task id, so that when the broker redelivers the very same message (it
was never acknowledged) the worker discards it instead of running it again behind the
conductor's back (:meth:`Journal.was_handled`). Handled entries are pruned after
``keep_seconds`` (longer than the broker's visibility timeout).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """One operation the worker had started: its task id and name, the server, and the step
    the chain would have run next (a build's conductor.build_finished, passwords removed)."""

    task_id: str
    task: str
    uuid: str
    callback: dict[str, Any] | None = field(default=None)


class Journal:
    """The running/handled files of one compute host."""

    def __init__(self, directory: str | os.PathLike[str], keep_seconds: float = 7200.0) -> None:
        self.running = Path(directory) / "running"
        self.handled = Path(directory) / "handled"
        self.keep_seconds = keep_seconds
        self.running.mkdir(parents=True, exist_ok=True)
        self.handled.mkdir(parents=True, exist_ok=True)

    def begin(self, entry: Entry) -> None:
        """Record that the operation starts now."""
        (self.running / entry.task_id).write_text(json.dumps(entry.__dict__))

    def end(self, task_id: str) -> None:
        """Record that the operation is over (whatever its outcome)."""
        (self.running / task_id).unlink(missing_ok=True)

    def was_handled(self, task_id: str) -> bool:
        """Whether this task was interrupted by an earlier crash and already reported: its
        redelivered message must not run again."""
        return (self.handled / task_id).exists()

    def take_interrupted(self) -> list[Entry]:
        """The operations a previous process of this host had started and never finished;
        each is moved to handled/ (call once, before consuming)."""
        self._prune()
        entries = []
        for path in sorted(self.running.iterdir()):
            try:
                entries.append(Entry(**json.loads(path.read_text())))
            except (OSError, ValueError, TypeError):
                log.warning("unreadable journal entry %s: dropped", path)
            handled = self.handled / path.name
            path.replace(handled)
            os.utime(handled)  # kept from now on, not from when the task began
        return entries

    def _prune(self) -> None:
        cutoff = time.time() - self.keep_seconds
        for path in self.handled.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass
