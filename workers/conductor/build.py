"""The build workflow: schedule → dispatch to the chosen host → record the outcome, with
reschedules onto alternates (at most settings.MAX_ATTEMPTS hosts) and a truthful end state
whatever fails."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from hosts.zones import zone_of_host
from networks import ipam
from networks.models import Port
from novasite.celery import app
from novasite.outages import DATABASE_OUTAGE_ERRORS
from scheduling import claims
from scheduling.alternates import claim_alternate
from scheduling.stats import record_build_failure, record_build_success
from scheduling.tasks import decide
from servers import lifecycle
from servers.models import Server
from servers.services import build_start
from servers.services.build_start import EVENT_SCHEDULE, request_spec
from servers.states import PowerState, TaskState, VmState

from . import block_devices
from .dispatch import compute_then, destroy_guest, instance_payload
from .placement import server_resources

log = logging.getLogger(__name__)

EVENT_BUILD = "compute_build_and_run_instance"


def fail_build(server_uuid: str, message: str, details: str = "") -> None:
    """End a build in ERROR with a fault; releases whatever it holds on hosts."""
    claims.release(server_uuid)
    server = Server.objects.filter(uuid=server_uuid).first()
    if server is None:
        return
    # One transaction: nobody sees the server in ERROR while its volumes still say attached.
    with transaction.atomic():
        if lifecycle.compare_and_swap(
            server_uuid,
            (TaskState.SCHEDULING, TaskState.NETWORKING, TaskState.SPAWNING),
            vm_state=VmState.ERROR,
            task_state=None,
            power_state=PowerState.NOSTATE,
        ):
            lifecycle.record_fault(server, message, details=details, host=server.host)
            block_devices.release(server)
    revoke_build(server)
    ipam.release_ports_of_server(server_uuid, server.requested_networks)


@shared_task(name="conductor.build_servers")
def build_servers(
    server_uuids: list[str],
    request_id: str,
    admin_password: str | None = None,
    destination: dict[str, str] | None = None,
) -> None:
    """Start the build of servers created by one request, as the API does itself since it
    publishes the build (servers.services.build_start): for a message sent before that, or a
    build driven again from the database. Idempotent: only servers still scheduling go."""
    servers = list(Server.objects.filter(uuid__in=server_uuids, deleted=False).order_by("launch_index"))
    waiting = [server for server in servers if server.task_state == TaskState.SCHEDULING]
    if not waiting:
        return  # a redelivery after the chain already moved on
    for server in waiting:
        lifecycle.event_start(request_id, str(server.uuid), EVENT_SCHEDULE)
    build_start.publish_build(request_spec(waiting, destination), request_id, admin_password)


@shared_task(name="conductor.schedule_and_build_instances")
def schedule_and_build_instances(request_spec: dict, request_id: str, admin_password: str | None = None) -> None:
    """A build's first step (Nova's conductor method of that name): place and claim the
    spec's servers (the scheduler's decision, made here as Nova's conductor calls its
    scheduler) and send each to its host. One task where it took two messages
    (scheduler.select_destinations chained to conductor.dispatch_build, which still run for
    messages sent before): a Celery hop cost more CPU than the decision itself. Safe to run
    twice: a claim is keyed by its instance, and only servers still scheduling are sent."""
    dispatch_build.run(decide(request_spec), request_id, admin_password)


@shared_task(name="conductor.dispatch_build")
def dispatch_build(result: dict, request_id: str, admin_password: str | None = None) -> None:
    """Record the scheduler's decision and send each server to its host."""
    if not result.get("ok"):
        for server in Server.objects.filter(task_state=TaskState.SCHEDULING, actions__request_id=request_id):
            lifecycle.event_finish(request_id, str(server.uuid), EVENT_SCHEDULE, ok=False, details=result["reason"])
            fail_build(str(server.uuid), result["reason"], details=result["reason"])
            lifecycle.finish_action(request_id, str(server.uuid))
        return
    for selection in result["selections"]:
        server_uuid = selection["instance_uuid"]
        lifecycle.event_finish(request_id, server_uuid, EVENT_SCHEDULE, ok=True)
        _send_to_host(
            server_uuid,
            request_id,
            selection["host"],
            selection["node"],
            selection["alternates"],
            attempt=1,
            expected=TaskState.SCHEDULING,
            admin_password=admin_password,
            zone=selection.get("availability_zone"),
        )


def _send_to_host(
    server_uuid: str,
    request_id: str,
    host: str,
    node: str,
    alternates: list[dict],
    *,
    attempt: int,
    expected: str,
    admin_password: str | None = None,
    zone: str | None = None,
) -> None:
    """Move the server from `expected` (scheduling, or spawning for a reschedule) to
    networking then spawning on `host` (in availability zone `zone`, when the decision said:
    else it is looked up), which it holds a claim on, and cast the build. If the
    server moved on meanwhile (deleted, or sent elsewhere), give the claim back instead. If it
    is already spawning on `host`, an earlier delivery of this step got that far but may have
    died before the cast: cast it again (building is idempotent)."""
    recast: Server | None = None
    failure: Exception | None = None
    ports: list[Port] = []
    with transaction.atomic():
        # Straight to spawning: a networking state written and left in this one transaction
        # would be seen by nobody (a failure to bind rolls the whole step back).
        server = lifecycle.swap_and_read(
            server_uuid,
            expected,
            task_state=TaskState.SPAWNING,
            host=host,
            node=node,
            availability_zone=zone or zone_of_host(host),
        )
        if server is None:
            current = Server.objects.filter(uuid=server_uuid).first()
            if current is None or current.deleted or current.host != host:
                claims.release(server_uuid, host=host)  # the claim is nobody's now
            elif current.task_state == TaskState.SPAWNING:
                recast = current
        else:
            try:
                ports = ipam.bind_ports_for_server(server_uuid, server.project_id, server.requested_networks)
            except DATABASE_OUTAGE_ERRORS:
                raise  # not the build's fault: the task runs again once the database is back
            except Exception as exc:
                transaction.set_rollback(True)
                failure = exc
    if server is None:
        if recast is not None:
            _cast_build(recast, request_id, host, alternates, attempt, admin_password)
        return
    if failure is not None:
        fail_build(
            server_uuid, f"Build of instance {server_uuid} aborted: {failure}", lifecycle.format_exception(failure)
        )
        lifecycle.finish_action(request_id, server_uuid)
        return
    try:
        has_volumes = block_devices.prepare(server)
    except block_devices.BuildVolumeError as exc:
        fail_build(
            server_uuid, f"Build of instance {server_uuid} aborted: {exc}"[:255], lifecycle.format_exception(exc)
        )
        lifecycle.finish_action(request_id, server_uuid)
        return
    payload = instance_payload(server, ports=ports, has_volumes=has_volumes)
    _cast_build(server, request_id, host, alternates, attempt, admin_password, payload=payload, volumes=has_volumes)


def _cast_build(
    server: Server,
    request_id: str,
    host: str,
    alternates: list[dict],
    attempt: int,
    admin_password: str | None,
    *,
    confirm: bool = False,
    payload: dict | None = None,
    volumes: bool | None = None,
) -> None:
    """Ask `host` to build the server, then conductor.build_finished. The message says when
    it was sent, so that a worker started since treats it as possibly stale; `confirm` makes
    the worker ask whether the build is still wanted whatever its age (a re-sent message).
    ``payload``: the server's instance_payload, when the caller made it already; ``volumes``:
    whether the server maps volumes, when the caller knows (build_finished then need not ask)."""
    server_uuid = str(server.uuid)
    lifecycle.event_start(request_id, server_uuid, EVENT_BUILD, host=host)
    params: dict[str, object] = {"admin_password": admin_password, "sent_at": time.time()}
    if confirm:
        params["confirm"] = True
    compute_then(
        "compute.build_and_run_instance",
        host,
        [payload if payload is not None else instance_payload(server), params],
        "conductor.build_finished",
        server_uuid=server_uuid,
        request_id=request_id,
        task_id=build_task_id(server_uuid, host),
        host=host,
        alternates=alternates,
        attempt=attempt,
        admin_password=admin_password,
        **({} if volumes is None else {"volumes": volumes}),
    )


def build_task_id(server_uuid: str, host: str) -> str:
    """The id of every build message of the server to `host`: whoever ends or moves the build
    can revoke it without having stored it."""
    return f"build-{server_uuid}-{host}"


def revoke_build(server: Server) -> None:
    """A build that ended (deleted, ERROR) must create no guest: live workers of its host
    discard its message if it is still queued (a worker started later asks the conductor,
    workers/compute/build_checks.py)."""
    if server.host and server.vm_state == VmState.BUILDING:
        app.control.revoke(build_task_id(str(server.uuid), server.host))


def redrive_spawning(server: Server, request_id: str) -> None:
    """Send the build of a server spawning on its host again (its message may be lost); the
    worker confirms it is still wanted before it builds, and a build already running there
    is not duplicated. The alternates travelled in the lost message: a failure now ends the
    build."""
    assert server.host is not None
    _cast_build(server, request_id, server.host, [], 1, None, confirm=True)


@shared_task(name="conductor.build_wanted", ignore_result=False)
def build_wanted(server_uuid: str, host: str) -> bool:
    """A compute worker's question about a build message that may be stale: is the server
    still spawning on that host (not deleted, not ended, not moved elsewhere)?"""
    return Server.objects.filter(uuid=server_uuid, deleted=False, task_state=TaskState.SPAWNING, host=host).exists()


def _build_succeeded(outcome: dict, server_uuid: str, request_id: str, host: str, volumes: bool | None) -> None:
    """The guest runs on `host`: ACTIVE when the server is still spawning there (one
    conditional UPDATE; the server row is read only to attach volumes, or when the server
    moved on meanwhile). A guest built for a server that left `host` is nobody's, and one
    built for a server deleted meanwhile is torn down again (the teardown may have run
    before the guest existed; destroy is idempotent)."""
    finished = lifecycle.compare_and_swap_on_host(
        server_uuid,
        host,
        TaskState.SPAWNING,
        vm_state=VmState.ACTIVE,
        task_state=None,
        power_state=outcome.get("power_state", PowerState.RUNNING),
        launched_at=timezone.now(),
    )
    server = None if finished and volumes is False else Server.objects.filter(uuid=server_uuid).first()
    if not finished:
        if server is None:
            return
        if server.host != host and not server.deleted:
            # Built on a host the server has left (rescheduled, or ended and reset).
            log.warning("build of %s on %s came too late (now on %s): destroying it", server_uuid, host, server.host)
            destroy_guest(host, server, request_id)
            return
    record_build_success(host)
    if finished:
        if server is not None:
            block_devices.attached(server)
    elif server is not None and (server.deleted or server.task_state == TaskState.DELETING):
        destroy_guest(host, server, request_id)
    lifecycle.finish_action(request_id, server_uuid)


@shared_task(name="conductor.build_finished")
def build_finished(
    outcome: dict,
    server_uuid: str,
    request_id: str,
    host: str,
    alternates: list[dict],
    attempt: int,
    admin_password: str | None = None,
    volumes: bool | None = None,
) -> None:
    """Write what the compute host saw: ACTIVE, a reschedule onto the next alternate, or ERROR.
    An interrupted build (its host restarted while it ran; the worker removed what it had
    made) is a failed build like any other, not counted against the host. Safe to run twice,
    and for an outcome that comes too late (the server moved on): only a server still
    spawning on `host` is written, and a guest built for one that is not is destroyed.
    ``volumes`` False: the dispatch saw that the server maps no volume (nothing to attach)."""
    lifecycle.event_finish(
        request_id,
        server_uuid,
        EVENT_BUILD,
        ok=outcome.get("ok", False),
        traceback=outcome.get("traceback"),
        host=host,
    )
    if outcome.get("ok"):
        _build_succeeded(outcome, server_uuid, request_id, host, volumes)
        return
    server = Server.objects.filter(uuid=server_uuid).first()
    if server is None:
        return
    error = outcome.get("error", "unknown error")
    log.warning("build of %s failed on %s: %s", server_uuid, host, error)
    if server.deleted or server.task_state != TaskState.SPAWNING or server.host != host:
        # Deleted, ended or moved meanwhile (or this outcome was already written): whoever did
        # that gave the claim back; nothing to reschedule, and not the host's fault.
        return
    claims.release(server_uuid, host=host)
    if not outcome.get("interrupted"):
        record_build_failure(host)
    for index, alternate in enumerate(alternates):
        if claim_alternate(
            server_uuid,
            alternate,
            server_resources(server, server.flavor),
            project_id=server.project_id,
            user_id=server.user_id,
            scheduler_hints=server.scheduler_hints,
        ):
            log.info("rescheduling %s to %s (attempt %d)", server_uuid, alternate["host"], attempt + 1)
            _send_to_host(
                server_uuid,
                request_id,
                alternate["host"],
                alternate["node"],
                alternates[index + 1 :],
                attempt=attempt + 1,
                expected=TaskState.SPAWNING,
                admin_password=admin_password,
                zone=alternate.get("availability_zone"),
            )
            return
    tried = attempt + len(alternates)
    fail_build(
        server_uuid,
        f"Exceeded maximum number of retries. Exhausted all hosts available for retrying build "
        f"failures for instance {server_uuid}. Attempts: {tried}. Last error on {host}: {error}"[:255],
        details=outcome.get("traceback", ""),
    )
    lifecycle.finish_action(request_id, server_uuid)
