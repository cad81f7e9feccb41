"""State-change primitives shared by the API and the conductor: compare-and-swap on
task_state, faults, and instance action events. Nothing else writes these fields."""

from __future__ import annotations

import traceback as traceback_module
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, Model, Q, QuerySet
from django.utils import timezone

from .models import InstanceAction, InstanceActionEvent, Server, ServerFault

ANY = object()  # "whatever the task_state is"


def compare_and_swap(server_uuid: str, expected_task_state: object, **changes: object) -> bool:
    """Apply `changes` only if the server's task_state is still the expected one (a value, a
    tuple of values, or ANY). Returns False when another workflow got there first: the
    caller must then leave the server alone (Nova's UnexpectedTaskStateError)."""
    return _swap(Server.objects.filter(uuid=server_uuid, deleted=False), expected_task_state, changes)


def compare_and_swap_on_host(server_uuid: str, host: str, expected_task_state: object, **changes: object) -> bool:
    """compare_and_swap, only while the server is on `host` too (an outcome reported by that
    host is about the server only if it has not moved on)."""
    return _swap(Server.objects.filter(uuid=server_uuid, deleted=False, host=host), expected_task_state, changes)


def _swap(query: QuerySet[Server], expected_task_state: object, changes: dict[str, object]) -> bool:
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


def _run(sql: str, params: list[Any]) -> int:
    """Run one of this module's statements on the step records (``{event}``, ``{action}`` and
    ``{server}`` name their tables); returns the number of rows it wrote. The steps of every
    workflow go through these few statements, which the ORM would build anew each time at
    several times the cost of running them."""
    tables = {
        "event": InstanceActionEvent._meta.db_table,
        "action": InstanceAction._meta.db_table,
        "server": Server._meta.db_table,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**{key: connection.ops.quote_name(name) for key, name in tables.items()}), params)
        return cursor.rowcount


def _column(model: type[Model], name: str, value: object) -> Any:
    """``value`` as the database takes it for column ``name`` of ``model`` (a time, a uuid)."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return field.get_db_prep_value(value, connection)


def event_start(request_id: str, server_uuid: str, event: str, *, host: str | None = None) -> None:
    """Record that a step of an action began: one INSERT ... SELECT of the server's action of
    that request (none: nothing), whose unique (action, event) pair makes a redelivered step's
    second INSERT a no-op."""
    _run(
        "INSERT INTO {event} (action_id, event, start_time, host) "
        "SELECT a.id, %s, %s, %s FROM {action} a INNER JOIN {server} s ON s.id = a.server_id "
        "WHERE a.request_id = %s AND s.uuid = %s LIMIT 1 ON CONFLICT (action_id, event) DO NOTHING",
        [
            event,
            _column(InstanceActionEvent, "start_time", timezone.now()),
            host,
            request_id,
            _column(Server, "uuid", server_uuid),
        ],
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
        assignments = ", ".join(f"{column} = %s" for column in result)
        values = [_column(InstanceActionEvent, column, value) for column, value in result.items()]
        started = _run(
            f"UPDATE {{event}} SET {assignments} WHERE event = %s AND action_id IN "
            "(SELECT a.id FROM {action} a INNER JOIN {server} s ON s.id = a.server_id "
            "WHERE a.request_id = %s AND s.uuid = %s)",
            [*values, event, request_id, _column(Server, "uuid", server_uuid)],
        )
        if started:
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
    now = _column(InstanceAction, "finish_time", timezone.now())
    _run(
        "UPDATE {action} SET finish_time = %s, updated_at = %s "
        "WHERE request_id = %s AND server_id IN (SELECT id FROM {server} WHERE uuid = %s)",
        [now, now, request_id, _column(Server, "uuid", server_uuid)],
    )


def format_exception(exc: BaseException) -> str:
    """The traceback of ``exc`` as text, for a fault's details."""
    return "".join(traceback_module.format_exception(exc))


def server_uuids(servers: Iterable[Server]) -> list[str]:
    """The servers' UUIDs as strings, in order."""
    return [str(server.uuid) for server in servers]
