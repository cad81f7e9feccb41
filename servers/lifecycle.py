"""State-change primitives shared by the API and the conductor: compare-and-swap on
task_state, faults, and instance action events. Nothing else writes these fields."""

from __future__ import annotations

import traceback as traceback_module
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, Model
from django.utils import timezone

from .models import InstanceAction, InstanceActionEvent, Server, ServerFault

ANY = object()  # "whatever the task_state is"


def compare_and_swap(server_uuid: str, expected_task_state: object, **changes: object) -> bool:
    """Apply `changes` only if the server's task_state is still the expected one (a value, a
    tuple of values, or ANY). Returns False when another workflow got there first: the
    caller must then leave the server alone (Nova's UnexpectedTaskStateError)."""
    statement = _swap_statement(server_uuid, expected_task_state, changes)
    return statement is not None and bool(_run(*statement))


def compare_and_swap_on_host(server_uuid: str, host: str, expected_task_state: object, **changes: object) -> bool:
    """compare_and_swap, only while the server is on `host` too (an outcome reported by that
    host is about the server only if it has not moved on)."""
    statement = _swap_statement(server_uuid, expected_task_state, changes, host=host)
    return statement is not None and bool(_run(*statement))


def swap_and_read(server_uuid: str, expected_task_state: object, **changes: object) -> Server | None:
    """compare_and_swap that returns the server as it wrote it (None when it did not): one
    UPDATE ... RETURNING, where the swap and a read of the row would take two statements."""
    statement = _swap_statement(server_uuid, expected_task_state, changes)
    if statement is None:
        return None
    sql, params = statement
    return next(iter(Server.objects.raw(_statement(f"{sql} RETURNING *"), params)), None)


def _swap_statement(
    server_uuid: str, expected_task_state: object, changes: dict[str, object], *, host: str | None = None
) -> tuple[str, list[Any]] | None:
    """The conditional UPDATE of a compare-and-swap and its parameters (None: no task_state
    can match, so nothing is to be run)."""
    values = {**changes, "updated_at": timezone.now()}
    fields = {_field(Server, name): value for name, value in values.items()}
    assignments = ", ".join(f"{connection.ops.quote_name(str(field.column))} = %s" for field in fields)
    params = [field.get_db_prep_save(value, connection) for field, value in fields.items()]
    conditions = ["uuid = %s", "NOT deleted"]
    params.append(_column(Server, "uuid", server_uuid))
    if host is not None:
        conditions.append("host = %s")
        params.append(host)
    if expected_task_state is not ANY:
        expected = expected_task_state if isinstance(expected_task_state, (tuple, list)) else (expected_task_state,)
        states = [state for state in expected if state is not None]
        alternatives = [f"task_state IN ({', '.join(['%s'] * len(states))})"] if states else []
        params += states
        if None in expected:
            alternatives.append("task_state IS NULL")
        if not alternatives:
            return None
        conditions.append(f"({' OR '.join(alternatives)})")
    return f"UPDATE {{server}} SET {assignments} WHERE {' AND '.join(conditions)}", params


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


def _statement(sql: str) -> str:
    """One of this module's statements on the step records, whose ``{event}``, ``{action}``
    and ``{server}`` name their tables."""
    tables = {
        "event": InstanceActionEvent._meta.db_table,
        "action": InstanceAction._meta.db_table,
        "server": Server._meta.db_table,
    }
    return sql.format(**{key: connection.ops.quote_name(name) for key, name in tables.items()})


def _run(sql: str, params: list[Any]) -> int:
    """Run one of this module's statements (``_statement``); returns the number of rows it
    wrote. The steps of every workflow go through these few statements, which the ORM would
    build anew each time at several times the cost of running them."""
    with connection.cursor() as cursor:
        cursor.execute(_statement(sql), params)
        return cursor.rowcount


def _field(model: type[Model], name: str) -> Field:
    """The concrete field ``name`` of ``model``."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def _column(model: type[Model], name: str, value: object) -> Any:
    """``value`` as the database takes it for column ``name`` of ``model`` (a time, a uuid)."""
    return _field(model, name).get_db_prep_value(value, connection)


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
