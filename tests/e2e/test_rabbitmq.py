"""RabbitMQ as the broker (`make test-rabbitmq` runs the whole e2e suite on it; these tests run
only there): every work queue is a durable quorum queue, whoever declared it, as the broker
itself lists them; a queue declared by its publisher keeps the work until its host comes; a
task sent with a countdown waits in the broker (Celery's native delayed delivery), not in a
worker, and then runs."""

from __future__ import annotations

from typing import Any

import kombu
import pytest
from django.conf import settings

from novasite.broker import is_amqp
from novasite.celery import app as celery_app
from novasite.celery import compute_queue
from tests.waiting import wait_until

from .cloud import vhost_queues
from .helpers import boot_active

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not is_amqp(settings.CELERY_BROKER_URL), reason="RabbitMQ only (make test-rabbitmq, TEST_BROKER_URL=amqp://)"
    ),
]


def listed_queues() -> dict[str, dict[str, str]]:
    return {queue["name"]: queue for queue in vhost_queues(settings.CELERY_BROKER_URL)}


def test_work_queues_are_durable_quorum_queues(admin):
    server = boot_active(admin)
    # The API's call-and-wait: the host's answer comes back beside the broker (Redis).
    diagnostics = admin.get(f"/compute/v2.1/servers/{server['id']}/diagnostics")
    assert diagnostics.status_code == 200, diagnostics.text

    queues = listed_queues()
    for name in ("conductor", "scheduler", compute_queue("compute1"), compute_queue("compute2")):
        assert (name, queues[name]["type"], queues[name]["durable"]) == (name, "quorum", "true"), queues
    # Only queues that end with their consumer (replies to the API, workers' control and event
    # queues) are classic: whatever outlives a process is a durable quorum queue.
    lasting = {name: (q["type"], q["durable"]) for name, q in queues.items() if q["auto_delete"] != "true"}
    assert set(lasting.values()) == {("quorum", "true")}, lasting


def test_a_queue_its_publisher_declares_is_quorum_and_keeps_the_work(cloud):
    queue = compute_queue("not-yet-started")
    celery_app.send_task("compute.get_console_output", args=[{"uuid": "x", "name": "x"}], queue=queue)

    listed = listed_queues()[queue]
    assert (listed["type"], listed["durable"]) == ("quorum", "true")
    with kombu.Connection(settings.CELERY_BROKER_URL) as connection:
        assert ready_messages(connection, queue) == 1


def ready_messages(connection: kombu.Connection, queue: str) -> int:
    """Messages ready in `queue`, as RabbitMQ counts them now (a passive declare)."""
    declared: Any = kombu.Queue(queue).bind(connection.default_channel).queue_declare(passive=True)
    return int(declared.message_count)


def delayed_messages(connection: kombu.Connection) -> int:
    """Messages waiting in Celery's delay levels (celery_delayed_0..27, quorum queues)."""
    return sum(ready_messages(connection, f"celery_delayed_{level}") for level in range(28))


def test_a_task_with_a_countdown_waits_in_the_broker_then_runs(cloud):
    with kombu.Connection(settings.CELERY_BROKER_URL) as connection:
        before = delayed_messages(connection)
        celery_app.send_task("conductor.noop", countdown=600)
        assert delayed_messages(connection) == before + 1
        soon = celery_app.send_task("conductor.noop", countdown=1)
    conductor = cloud.workers["conductor"]
    wait_until(lambda: f"conductor.noop[{soon.id}] succeeded" in conductor.output(), 30, what=conductor.output)
