"""The trace every task carries (novasite.tracing): the server's uuid and the request id by
name, taken by every task whether it declares them or not, messages of the older positional
form still bound as before, and no password in what task events (Flower) show."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from celery import shared_task

from novasite.celery import app
from novasite.tracing import MASK, TracedTask, masked, server_kwargs, servers_kwargs


@shared_task(name="tests.tracing.conductor_shaped")
def conductor_shaped(server_uuid: str, request_id: str, operation: str, params: dict | None = None) -> list:
    return [server_uuid, request_id, operation, params]


@shared_task(name="tests.tracing.compute_shaped")
def compute_shaped(instance: dict, params: dict | None = None) -> list:
    return [instance, params]


@shared_task(name="tests.tracing.any_keywords")
def any_keywords(*args: Any, **kwargs: Any) -> dict:
    return kwargs


@shared_task(name="tests.tracing.bound", bind=True)
def bound(self, instance: dict) -> str | None:
    return self.request.id


SERVER = str(uuid.uuid4())


def test_the_trace_leads_the_keyword_arguments():
    assert list(server_kwargs(uuid.UUID(SERVER), "req-1", operation="stop").items()) == [
        ("server_uuid", SERVER),
        ("request_id", "req-1"),
        ("operation", "stop"),
    ]
    assert servers_kwargs([uuid.UUID(SERVER)], "req-1", destination=None) == {
        "server_uuids": [SERVER],
        "request_id": "req-1",
        "destination": None,
    }


def test_every_task_of_the_app_is_traced():
    assert isinstance(conductor_shaped, TracedTask)
    assert isinstance(app.tasks["tests.tracing.compute_shaped"], TracedTask)


def test_a_task_that_declares_the_trace_gets_it_and_the_old_positional_form_still_binds():
    by_name = conductor_shaped.apply(kwargs=server_kwargs(SERVER, "req-1", operation="stop")).get()
    positional = conductor_shaped.apply(args=(SERVER, "req-1", "stop")).get()
    assert by_name == positional == [SERVER, "req-1", "stop", None]


def test_a_task_that_does_not_declare_the_trace_never_sees_it():
    instance = {"uuid": SERVER}
    kwargs = {**server_kwargs(SERVER, "req-1"), "server_uuids": [SERVER]}
    assert compute_shaped.apply(args=(instance,), kwargs=kwargs).get() == [instance, None]
    assert compute_shaped(instance, **kwargs) == [instance, None]  # called directly, too
    assert any_keywords.apply(kwargs=kwargs).get() == kwargs  # **kwargs takes them all


def test_a_traced_task_keeps_the_request_of_the_worker_running_it():
    """Run by the worker (here: apply), the task sees its own request, so the tasks it sends
    keep their parent and root: Flower's tree of a workflow."""
    result = bound.apply(args=({},), kwargs=server_kwargs(SERVER, "req-1"), task_id="the-task-id")
    assert result.get() == "the-task-id"


def test_sending_still_checks_the_arguments_but_accepts_the_trace(monkeypatch):
    sent: list[tuple] = []
    monkeypatch.setattr(app, "send_task", lambda *args, **kwargs: sent.append((args, kwargs)))
    with pytest.raises(TypeError):
        compute_shaped.apply_async(args=({},), kwargs={"bogus": 1})
    with pytest.raises(TypeError):
        conductor_shaped.apply_async(kwargs=server_kwargs(SERVER, "req-1"))  # operation is missing
    assert sent == []
    compute_shaped.apply_async(args=({},), kwargs=server_kwargs(SERVER, "req-1"))
    assert len(sent) == 1


def test_task_events_show_no_password_but_the_message_carries_it():
    args = [{"uuid": SERVER}, {"admin_password": "pw-1", "hard": True}]
    kwargs = server_kwargs(SERVER, "req-1", admin_password="pw-2", params={"password": "pw-3"}, nothing=None)
    message = app.amqp.create_task_message("id-1", "conductor.x", args, kwargs, create_sent_event=True)
    shown = message.headers["argsrepr"] + message.headers["kwargsrepr"] + repr(message.sent_event)
    assert not any(secret in shown for secret in ("pw-1", "pw-2", "pw-3"))
    assert f"'admin_password': '{MASK}'" in message.headers["kwargsrepr"]
    assert f"'server_uuid': '{SERVER}'" in message.sent_event["kwargs"]
    assert message.body[0] == args and message.body[1] == kwargs
    assert masked({"admin_password": None, "x": [{"password": "p"}]}) == {
        "admin_password": None,
        "x": [{"password": MASK}],
    }
