"""Task events (novasite/task_events.py): a task that ends soon after it was received sends one
event, its outcome carrying what task-received would have said, and Flower's event state
shows the same task from it; a task still running after RECEIVED_HOLD is announced on its
own."""

from __future__ import annotations

import time
from typing import Any

import pytest
from celery.events import Event
from celery.events.dispatcher import EventDispatcher
from celery.events.state import State

from novasite import task_events
from novasite.celery import app

RECEIVED = {
    "uuid": "t-1",
    "name": "conductor.dispatch_build",
    "args": "({'ok': True},)",
    "kwargs": "{'server_uuids': ['s-1'], 'request_id': 'req-1'}",
    "root_id": "t-0",
    "parent_id": "t-0",
    "retries": 0,
    "eta": None,
    "expires": None,
}


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    """What the dispatcher hands to Celery's own send (which builds and publishes)."""
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(EventDispatcher, "send", lambda self, type, **fields: sent.append((type, fields)))
    return sent


@pytest.fixture
def dispatcher():
    dispatcher = app.events.Dispatcher(connection=None, enabled=False)
    assert isinstance(dispatcher, task_events.MergingDispatcher)
    dispatcher.enabled = True  # without a broker: Celery's send is replaced by the `sent` fixture
    yield dispatcher
    dispatcher.close()  # its releaser thread ends


def test_a_quick_task_sends_one_event_that_says_everything(sent, dispatcher):
    dispatcher.send("task-received", **RECEIVED)
    assert sent == []
    dispatcher.send("task-succeeded", uuid="t-1", result="None", runtime=0.01)
    [(kind, fields)] = sent
    assert kind == "task-succeeded"
    assert {key: fields[key] for key in RECEIVED} == RECEIVED
    assert fields["runtime"] == 0.01 and fields["received"] <= time.time()

    # Flower's state (Celery's) lists the task by name, with its arguments and times.
    state = State()
    state.event(
        Event(kind, hostname="conductor@h", clock=1, timestamp=time.time(), local_received=time.time(), **fields)
    )
    task = state.tasks["t-1"]  # type: ignore[attr-defined]
    assert task.name == "conductor.dispatch_build" and task.state == "SUCCESS"
    assert "s-1" in task.kwargs and task.received == fields["received"] and task.worker.hostname == "conductor@h"


def test_a_task_still_running_is_announced_after_the_hold(sent, dispatcher, monkeypatch):
    monkeypatch.setattr(task_events, "RECEIVED_HOLD", 0.2)
    dispatcher.send("task-received", **RECEIVED)
    deadline = time.time() + 5
    while not sent and time.time() < deadline:
        time.sleep(0.05)
    assert sent == [("task-received", RECEIVED)]
    dispatcher.send("task-failed", uuid="t-1", exception="boom", traceback="")
    assert sent[1] == ("task-failed", {"uuid": "t-1", "exception": "boom", "traceback": ""})


def test_other_events_pass_through(sent, dispatcher):
    dispatcher.send("worker-heartbeat", freq=2.0)
    dispatcher.send("task-succeeded", uuid="t-9", result="None", runtime=0.1)  # received elsewhere
    assert sent == [
        ("worker-heartbeat", {"freq": 2.0}),
        ("task-succeeded", {"uuid": "t-9", "result": "None", "runtime": 0.1}),
    ]


def test_closing_announces_what_it_held(sent, dispatcher, monkeypatch):
    monkeypatch.setattr(EventDispatcher, "close", lambda self: None)
    dispatcher.send("task-received", **RECEIVED)
    dispatcher.close()
    assert sent == [("task-received", RECEIVED)]
