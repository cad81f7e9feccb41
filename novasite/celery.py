"""The Celery application: queues, routes, reliability settings and the beat schedule.

Queues: `conductor` (workflows, all database writes), `scheduler` (placement decisions and
claims) and one `compute.<host>` queue per hypervisor host. Choosing a host *is* choosing the
queue a compute task is sent to.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasite.settings")


class NovasiteCelery(Celery):
    """Celery, except that a task sent by name follows ``task_ignore_result`` (or the task's own
    setting, when this process has it registered) unless the caller says otherwise."""

    def send_task(self, name: str, *args: Any, **options: Any) -> Any:
        """Celery's send_task. A registered task's apply_async passes its ``ignore_result``;
        by name, Celery takes "not given" as "wanted" and subscribes this process to the
        task's result channel on the result backend: one more Redis round trip per message,
        and a subscription kept for every task ever sent, which nobody reads here (a caller
        that waits for a result says ``ignore_result=False``)."""
        if "ignore_result" not in options:
            # The registry as it stands (Celery's _tasks): sending must not finalize the app.
            task = getattr(self, "_tasks", {}).get(name)
            options["ignore_result"] = task.ignore_result if task is not None else self.conf.task_ignore_result
        return super().send_task(name, *args, **options)


# Every task takes the trace keywords (server uuid, request id) that make Flower's search find
# all the tasks of one server, and no task event shows a password (novasite/tracing.py).
# Each task's task-received travels inside its outcome event when the task ends soon enough
# (novasite/task_events.py).
app = NovasiteCelery(
    "novasite",
    task_cls="novasite.tracing:TracedTask",
    amqp="novasite.tracing:MaskingAMQP",
    events="novasite.task_events:Events",
)
app.config_from_object("django.conf:settings", namespace="CELERY")

CONDUCTOR_QUEUE = "conductor"
SCHEDULER_QUEUE = "scheduler"

# Modules holding tasks that run on the control plane. Compute workers import only
# COMPUTE_TASK_MODULES (see workers/management/commands/compute_worker.py) so that nothing able
# to reach the database is even registered in a hypervisor process.
CONTROL_TASK_MODULES = (
    "workers.conductor.build",
    "workers.conductor.delete",
    "workers.conductor.heartbeats",
    "workers.conductor.operations",
    "workers.conductor.resize",
    "workers.conductor.snapshot",
    "workers.conductor.shelve",
    "workers.conductor.live_migrate",
    "workers.conductor.evacuate",
    "workers.conductor.recovery",
    "workers.conductor.periodic",
    "workers.conductor.attachments",
    "scheduling.tasks",
)
COMPUTE_TASK_MODULES = ("workers.compute.tasks", "workers.compute.queries")


def compute_queue(host: str) -> str:
    """The queue a compute worker for `host` consumes."""
    return f"compute.{host}"


app.conf.update(
    imports=CONTROL_TASK_MODULES,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    event_serializer="json",
    # A task is acknowledged only once it has finished, and a worker that dies mid-task gives
    # it back: every task is written to be safe to run twice.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    # Events let Flower show every task by name, from the worker's task-received on: the
    # sender's task-sent would only say it earlier, at one more PUBLISH per task
    # (novasite/task_events.py says which events are sent).
    worker_send_task_events=True,
    task_send_sent_event=False,
    task_default_queue=CONDUCTOR_QUEUE,
    task_routes={
        "conductor.*": {"queue": CONDUCTOR_QUEUE},
        "scheduler.*": {"queue": SCHEDULER_QUEUE},
        # compute.* tasks are always sent with an explicit queue: compute_queue(host).
    },
    # Workflows chain their steps and never wait on a result; only the API's short questions to
    # a compute host (workers/compute/queries.py) store one, kept for a few minutes.
    task_ignore_result=True,
    result_expires=300,
    # Broker outages (novasite/redis_transport.py, tests/e2e/test_broker_restart.py): workers
    # reconnect for as long as it takes, and a publish waits out a short outage (about half a
    # minute: 0, 0.5, 1, 1.5, then every 2 s) before the task that makes it fails.
    broker_connection_retry=True,
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=None,
    task_publish_retry=True,
    task_publish_retry_policy={"max_retries": 18, "interval_start": 0, "interval_step": 0.5, "interval_max": 2},
    beat_schedule={
        "purge-expired-tokens": {"task": "conductor.purge_expired_tokens", "schedule": 3600.0},
        "purge-expired-console-tokens": {"task": "conductor.purge_expired_console_tokens", "schedule": 600.0},
        "reclaim-deleted-servers": {"task": "conductor.reclaim_deleted_servers", "schedule": 60.0},
        "expire-stuck-tasks": {"task": "conductor.expire_stuck_tasks", "schedule": 60.0},
        # Builds whose message was lost are driven again (RECONCILE_AFTER says when one is stalled).
        "reconcile-stalled-builds": {
            "task": "conductor.reconcile_stalled_builds",
            "schedule": float(os.environ.get("RECONCILE_INTERVAL", 30)),
        },
    },
)


from celery.signals import task_postrun, task_prerun, worker_ready  # noqa: E402


@task_prerun.connect
@task_postrun.connect
def _recycle_database_connections(sender=None, **kwargs):
    """Around each task, what Django does around each request: drop this thread's connection
    if it is older than CONN_MAX_AGE or unusable (after an error), and health-check it before
    its next use; otherwise keep it (settings.CELERY_DB_REUSE_MAX stops the fix-up closing it)."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # run inline by its caller, inside the caller's transaction: not ours to touch
    from django.db import close_old_connections

    close_old_connections()


@app.on_after_configure.connect
def _redis_transport(sender: Celery, **kwargs: object) -> None:
    """A redis:// broker goes through novasite's Redis transport, which survives an ack made
    after a lost connection (novasite/redis_transport.py); any other URL picks its own."""
    from .redis_transport import REDIS_SCHEMES, TRANSPORT

    if not sender.conf.broker_transport and str(sender.conf.broker_url or "").startswith(REDIS_SCHEMES):
        sender.conf.broker_transport = TRANSPORT


# Conductor and scheduler workers report heartbeats (os-services, internal zone).
@worker_ready.connect
def _control_heartbeat(sender=None, **kwargs):
    from hosts.control_heartbeat import on_worker_ready

    on_worker_ready(sender, **kwargs)
