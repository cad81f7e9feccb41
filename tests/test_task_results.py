"""Who subscribes to a task's result (novasite.celery.NovasiteCelery.send_task): a task sent by
name follows ``task_ignore_result`` unless its caller asks for the result. Celery alone takes
"not given" as "wanted": each publish then cost a Redis round trip more and left this process
subscribed to the task's result channel for good (a set that grew by one per message, all
read back with MGET and subscribed again after a Redis restart)."""

from __future__ import annotations

import pytest
from django.conf import settings

from novasite.celery import app

QUEUE = "test-task-results"


@pytest.fixture
def redis_results():
    if not str(settings.CELERY_RESULT_BACKEND).startswith("redis"):
        pytest.skip("the result subscriptions are the Redis result backend's")
    return app.backend.result_consumer  # type: ignore[attr-defined]  # the Redis backend's


def _subscribed(consumer, task_id: str) -> bool:
    return any(task_id in key.decode() if isinstance(key, bytes) else task_id in key for key in consumer.subscribed_to)


def test_a_task_sent_by_name_subscribes_to_no_result(redis_results):
    sent = app.send_task("conductor.build_servers", args=[[], "req-x"], queue=QUEUE)
    assert sent.ignored is True
    assert not _subscribed(redis_results, sent.id)


def test_a_caller_that_waits_for_the_result_is_subscribed(redis_results):
    sent = app.send_task("compute.list_guests", queue=QUEUE, ignore_result=False)
    try:
        assert sent.ignored is False
        assert _subscribed(redis_results, sent.id)
    finally:
        sent.forget()


def test_a_registered_task_keeps_its_own_setting():
    """conductor.build_wanted answers the compute worker that asks: its result is wanted."""
    app.loader.import_default_modules()
    assert app.tasks["conductor.build_wanted"].ignore_result is False
    sent = app.send_task("conductor.build_wanted", args=["x", "h"], queue=QUEUE)
    try:
        assert sent.ignored is False
    finally:
        sent.forget()
