"""Periodic conductor work (run by beat): reclaim soft-deleted servers, and end task_states
whose workflow never reported back (a lost message, a host that died mid-task): nothing keeps
a task_state forever."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from novasite.celery import app
from novasite.tracing import server_kwargs
from servers import lifecycle
from servers.models import Server
from servers.states import TaskState, VmState

from .recovery import recover_instance

log = logging.getLogger(__name__)


@shared_task(name="conductor.reclaim_deleted_servers")
def reclaim_deleted_servers() -> int:
    """Hard-delete servers soft-deleted more than RECLAIM_INSTANCE_INTERVAL seconds ago."""
    if settings.RECLAIM_INSTANCE_INTERVAL <= 0:
        return 0
    cutoff = timezone.now() - timedelta(seconds=settings.RECLAIM_INSTANCE_INTERVAL)
    reclaimed = 0
    for server in Server.objects.filter(
        vm_state=VmState.SOFT_DELETED, task_state=None, deleted=False, updated_at__lt=cutoff
    ):
        if lifecycle.compare_and_swap(str(server.uuid), None, task_state=TaskState.DELETING):
            app.send_task("conductor.delete_server", kwargs=server_kwargs(server.uuid, f"req-reclaim-{server.uuid}"))
            reclaimed += 1
    return reclaimed


@shared_task(name="conductor.expire_stuck_tasks")
def expire_stuck_tasks() -> int:
    """Servers whose task_state has not moved for TASK_TIMEOUT seconds (LIVE_MIGRATION_TIMEOUT
    for live migrations) are brought to a truthful state as a restarted host would."""
    now = timezone.now()
    stuck = (
        Server.objects.filter(deleted=False)
        .exclude(task_state=None)
        .filter(updated_at__lt=now - timedelta(seconds=settings.TASK_TIMEOUT))
    )
    count = 0
    for server in stuck:
        limit = settings.LIVE_MIGRATION_TIMEOUT if server.task_state == TaskState.MIGRATING else settings.TASK_TIMEOUT
        if server.updated_at >= now - timedelta(seconds=limit):
            continue
        log.warning("server %s stuck in %s since %s: ending it", server.uuid, server.task_state, server.updated_at)
        recover_instance(server, server.power_state, cause=f"a timeout ({limit} s without progress)")
        count += 1
    return count
