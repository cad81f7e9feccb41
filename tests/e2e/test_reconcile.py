"""Work whose message the broker lost (a Redis without persistence loses its queues when it
restarts) is driven again from the database by the conductor's reconciler
(conductor.reconcile_stalled_builds, run by beat; here sent by the test as beat would)."""

from __future__ import annotations

import signal
import time

import pytest
from kombu import Queue

from hosts.models import Allocation
from novasite.celery import app, compute_queue

from .helpers import boot, boot_on, guests_on

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def worker_env():
    # A build that has not moved for 2 s counts as stalled when the reconciler runs.
    return {"RECONCILE_AFTER": "2"}


def _drop_queue(queue: str) -> int:
    """Lose a queue's messages, as a Redis without persistence does when it restarts: a purge
    through the broker's own transport (Redis, under the run's key prefix, or RabbitMQ), which
    returns how many messages went."""
    with app.connection_for_write() as connection:
        return Queue(queue, channel=connection.default_channel).purge() or 0


def test_reconciler_drives_a_lost_build_message_again(admin, cloud):
    worker = cloud.workers["compute1"]
    cloud.kill("compute1", signal.SIGKILL)
    sid = boot_on(admin, "compute1", "lost")
    admin.wait_for(sid, lambda s: s is not None and s["OS-EXT-STS:task_state"] == "spawning", 30)
    assert _drop_queue(compute_queue("compute1")) == 1
    cloud.start("compute1", worker.argv, worker.env)
    time.sleep(3)
    assert admin.server(sid)["OS-EXT-STS:task_state"] == "spawning"  # nothing left to run it

    app.send_task("conductor.reconcile_stalled_builds")  # as beat does every 30 s
    server = admin.wait_until_settled(sid, timeout=60)
    assert (server["status"], server["OS-EXT-SRV-ATTR:host"]) == ("ACTIVE", "compute1")
    assert sid in guests_on("compute1")
    assert list(Allocation.objects.filter(consumer=sid).values_list("compute_node__host", flat=True)) == ["compute1"]


def _drop_task(queue: str, task: str) -> int:
    """Lose the messages of ``task`` waiting in ``queue``, as a Redis restart would (through
    the broker's own transport); the queue's other messages go back. Returns how many went."""
    dropped, kept = 0, []
    with app.connection_for_write() as connection:
        waiting = Queue(queue, channel=connection.default_channel)
        while (message := waiting.get(no_ack=False)) is not None:
            if message.headers.get("task") == task:
                message.ack()
                dropped += 1
            else:
                kept.append(message)
        for message in kept:
            message.requeue()
    return dropped


def test_reconciler_drives_a_lost_schedule_message_again(admin, cloud):
    # The conductor is down, so the create's first message waits in its queue, beside the
    # hosts' heartbeats: that message alone is lost.
    worker = cloud.workers["conductor"]
    cloud.kill("conductor", signal.SIGKILL)
    sid = boot(admin, name="lost-early")
    assert admin.server(sid)["OS-EXT-STS:task_state"] == "scheduling"
    assert _drop_task("conductor", "conductor.schedule_and_build_instances") == 1
    cloud.start("conductor", worker.argv, worker.env)
    time.sleep(3)
    assert admin.server(sid)["OS-EXT-STS:task_state"] == "scheduling"

    app.send_task("conductor.reconcile_stalled_builds")
    server = admin.wait_until_settled(sid, timeout=60)
    assert server["status"] == "ACTIVE"
    assert Allocation.objects.filter(consumer=sid).count() == 1
