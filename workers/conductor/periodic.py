"""Periodic conductor work (run by beat): reclaim soft-deleted servers; drive again builds
whose message was lost (the database is the source of truth, the broker only carries work:
a Redis without persistence loses its queues when it restarts); and end task_states whose
workflow never reported back (a lost message, a host that died mid-task): nothing keeps a
task_state forever."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from hosts.heartbeats import host_is_up
from novasite.celery import app
from novasite.tracing import server_kwargs, servers_kwargs
from servers import lifecycle
from servers.models import Server
from servers.states import TaskState, VmState

from .build import redrive_spawning
from .recovery import latest_request_id, recover_instance

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


@shared_task(name="conductor.reconcile_stalled_builds")
def reconcile_stalled_builds() -> int:
    """Builds that have not moved for RECONCILE_AFTER seconds get their step sent again: a
    server still scheduling gets conductor.build_servers (the scheduler keeps a claim it
    already made, and dispatch moves a server once), one spawning on its host gets its
    build message (the worker asks whether it is still wanted, and never runs one build
    twice at once). Each re-send touches the server, so the next waits RECONCILE_AFTER again."""
    if settings.RECONCILE_AFTER <= 0:
        return 0
    cutoff = timezone.now() - timedelta(seconds=settings.RECONCILE_AFTER)
    stalled = Server.objects.filter(
        deleted=False,
        vm_state=VmState.BUILDING,
        task_state__in=(TaskState.SCHEDULING, TaskState.SPAWNING),
        updated_at__lt=cutoff,
    )
    count = 0
    for server in stalled:
        uuid = str(server.uuid)
        spawning = server.task_state == TaskState.SPAWNING
        if spawning and not (server.host and host_is_up(server.host)):
            continue  # a host that is down keeps the build in its queue: it runs when it is back
        if not lifecycle.compare_and_swap(uuid, server.task_state):  # touched, unless it moved meanwhile
            continue
        request_id = latest_request_id(server, "create")
        log.warning("build of %s stalled in %s since %s: driving it again", uuid, server.task_state, server.updated_at)
        if spawning:
            redrive_spawning(server, request_id)
        else:
            app.send_task("conductor.build_servers", kwargs=servers_kwargs([uuid], request_id))
        count += 1
    return count


@shared_task(name="conductor.expire_stuck_tasks")
def expire_stuck_tasks() -> int:
    """Servers whose task_state has not moved for TASK_TIMEOUT seconds (LIVE_MIGRATION_TIMEOUT
    for live migrations), and builds older than TASK_TIMEOUT however often the reconciler
    drove them again, are brought to a truthful state as a restarted host would."""
    now = timezone.now()
    timeout = now - timedelta(seconds=settings.TASK_TIMEOUT)
    stuck = (
        Server.objects.filter(deleted=False)
        .exclude(task_state=None)
        .filter(Q(updated_at__lt=timeout) | Q(vm_state=VmState.BUILDING, created_at__lt=timeout))
    )
    count = 0
    for server in stuck:
        limit = settings.LIVE_MIGRATION_TIMEOUT if server.task_state == TaskState.MIGRATING else settings.TASK_TIMEOUT
        cutoff = now - timedelta(seconds=limit)
        too_old = server.vm_state == VmState.BUILDING and server.created_at < cutoff
        if server.updated_at >= cutoff and not too_old:
            continue
        log.warning("server %s stuck in %s since %s: ending it", server.uuid, server.task_state, server.updated_at)
        recover_instance(server, server.power_state, cause=f"a timeout ({limit} s without progress)")
        count += 1
    return count
