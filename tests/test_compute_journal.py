"""The compute host's journal of running operations, without workers: what a restarted
worker finds it had started, and the redeliveries it must then discard."""

from __future__ import annotations

import os
import time

from workers.compute.journal import Entry, Journal


def test_an_operation_that_ends_leaves_nothing(tmp_path):
    journal = Journal(tmp_path)
    journal.begin(Entry("t1", "compute.stop_instance", "u1"))
    journal.end("t1")
    assert Journal(tmp_path).take_interrupted() == []


def test_a_restart_finds_what_was_running_once_and_discards_its_redelivery(tmp_path):
    journal = Journal(tmp_path)
    callback = {"task": "conductor.build_finished", "kwargs": {"host": "c1"}}
    journal.begin(Entry("t1", "compute.build_and_run_instance", "u1", callback))
    journal.begin(Entry("t2", "compute.reboot_instance", "u2"))
    journal.end("t2")

    restarted = Journal(tmp_path)
    assert restarted.take_interrupted() == [Entry("t1", "compute.build_and_run_instance", "u1", callback)]
    assert restarted.was_handled("t1") and not restarted.was_handled("t2")
    assert restarted.take_interrupted() == []  # reported once


def test_handled_entries_are_forgotten_after_the_redelivery_window(tmp_path):
    journal = Journal(tmp_path, keep_seconds=60)
    journal.begin(Entry("t1", "compute.build_and_run_instance", "u1"))
    journal.take_interrupted()
    old = time.time() - 120
    os.utime(tmp_path / "handled" / "t1", (old, old))
    journal.take_interrupted()
    assert not journal.was_handled("t1")
