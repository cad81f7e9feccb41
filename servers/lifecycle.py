"""State-change primitives shared by the API and the conductor: compare-and-swap on
task_state, faults, and instance action events. Nothing else writes these fields."""

from __future__ import annotations

import traceback as traceback_module
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import InstanceAction, InstanceActionEvent, Server, ServerFault

ANY = object()  # "whatever the task_state is"


def compare_and_swap(server_uuid: str, expected_task_state: object, **changes: object) -> bool:
    """Apply `changes` only if the server's task_state is still the expected one (a value, a
    tuple of values, or ANY). Returns False when another workflow got there first: the
    caller must then leave the server alone (Nova's UnexpectedTaskStateError)."""
    query = Server.objects.filter(uuid=server_uuid, deleted=False)
    if expected_task_state is not ANY:
        expected = expected_task_state if isinstance(expected_task_state, (tuple, list)) else (expected_task_state,)
        values = [state for state in expected if state is not None]
        if None in expected:
            query = query.filter(Q(task_state__in=values) | Q(task_state__isnull=True))
        else:
            query = query.filter(task_state__in=values)
    return bool(query.update(**changes, updated_at=timezone.now()))


def record_fault(
    server: Server | str, message: str, *, code: int = 500, details: str = "", host: str | None = None
) -> None:
    """Attach a fault (shown as the server's `fault`)."""
    server_id = server.pk if isinstance(server, Server) else Server.objects.get(uuid=server).pk
    ServerFault.objects.create(server_id=server_id, code=code, message=message[:255], details=details, host=host)


def start_action(server: Server, action: str, *, request_id: str, user_id: str, project_id: str) -> InstanceAction:
    """Record the start of a user request on a server."""
    return InstanceAction.objects.create(
        server=server,
        action=action,
        request_id=request_id,
        user_id=user_id,
        project_id=project_id,
    )


def event_start(request_id: str, server_uuid: str, event: str, *, host: str | None = None) -> None:
    """Record that a step of an action began: one INSERT ... SELECT of the server's action of
    that request (none: nothing), whose unique (action, event) pair makes a redelivered step's
    second INSERT a no-op. (The ORM would take a SELECT, then an INSERT in a transaction of its
    own: four statements on SQLite for one row, on every step of every workflow.)"""
    events, actions, servers = InstanceActionEvent._meta, InstanceAction._meta, Server._meta
    quote = connection.ops.quote_name
    started = events.get_field("start_time").get_db_prep_value(timezone.now(), connection)
    server_key = servers.get_field("uuid").get_db_prep_value(server_uuid, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(events.db_table)} (action_id, event, start_time, host) "
            f"SELECT a.id, %s, %s, %s FROM {quote(actions.db_table)} a "
            f"INNER JOIN {quote(servers.db_table)} s ON s.id = a.server_id "
            f"WHERE a.request_id = %s AND s.uuid = %s LIMIT 1 "
            f"ON CONFLICT (action_id, event) DO NOTHING",
            [event, started, host, request_id, server_key],
        )


def event_finish(
    request_id: str,
    server_uuid: str,
    event: str,
    *,
    ok: bool,
    traceback: str | None = None,
    host: str | None = None,
    details: str | None = None,
) -> None:
    """Record a step's result; a failed step marks the whole action's message "Error". A
    step that succeeded and whose start was recorded costs one UPDATE."""
    now = timezone.now()
    result = {"finish_time": now, "result": "Success" if ok else "Error", "traceback": traceback, "details": details}
    if host:
        result["host"] = host
    if ok:
        started = InstanceActionEvent.objects.filter(
            action__request_id=request_id, action__server__uuid=server_uuid, event=event
        )
        if started.update(**result):
            return
    with transaction.atomic():
        action = InstanceAction.objects.filter(request_id=request_id, server__uuid=server_uuid).first()
        if action is None:
            return
        record, _ = InstanceActionEvent.objects.get_or_create(action=action, event=event, defaults={"host": host})
        for field, value in result.items():
            setattr(record, field, value)
        record.save()
        if not ok:
            InstanceAction.objects.filter(pk=action.pk).update(message="Error", updated_at=now)


def finish_action(request_id: str, server_uuid: str) -> None:
    """Record that the user request on the server is over (whatever its result)."""
    InstanceAction.objects.filter(request_id=request_id, server__uuid=server_uuid).update(
        finish_time=timezone.now(), updated_at=timezone.now()
    )


def format_exception(exc: BaseException) -> str:
    """The traceback of ``exc`` as text, for a fault's details."""
    return "".join(traceback_module.format_exception(exc))


def server_uuids(servers: Iterable[Server]) -> list[str]:
    """The servers' UUIDs as strings, in order."""
    return [str(server.uuid) for server in servers]
