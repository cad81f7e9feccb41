"""Which server and which request a Celery message is about, so that Flower tells a server's
story: every task about a server carries ``server_uuid`` (``server_uuids`` for a build of
several) and ``request_id`` among its keyword arguments, and Flower's search finds them all
(novasite.flower.tasks_of_server_url).

Senders build the keyword arguments with `server_kwargs` / `servers_kwargs`; task parameters
go by name, never by position. Every task of the app is a `TracedTask` (novasite.celery sets
it as the app's task class), which takes the trace keywords whether its function declares them
or not: conductor tasks declare ``server_uuid`` and ``request_id`` and use them; a compute or
scheduler task that has no use for them never sees them. A TracedTask also waits out a
database outage (novasite/outages.py). Messages sent before tasks were
traced (positional arguments, which Redis may redeliver during an upgrade) still bind as they
did: the parameters kept their names and order.

What Flower shows of a message (its task events carry a repr of the arguments) never shows a
password: `MaskingAMQP` writes those reprs with SECRET_KEYS masked; the message itself still
carries them to the host that sets them in the guest.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from celery import Task
from celery.app.amqp import AMQP

from .outages import through_database_outages

SERVER_UUID = "server_uuid"
SERVER_UUIDS = "server_uuids"
REQUEST_ID = "request_id"
TRACE_KEYS = frozenset({SERVER_UUID, SERVER_UUIDS, REQUEST_ID})
#: Arguments (at any depth) whose value the task events, hence Flower, never show.
SECRET_KEYS = frozenset({"admin_password", "password"})
MASK = "***"


def server_kwargs(server_uuid: str | UUID, request_id: str | None, **params: Any) -> dict[str, Any]:
    """Keyword arguments of a task about one server: its uuid and the request first (they lead
    what Flower shows and stay inside the part of the kwargs it keeps), then the task's own."""
    return {SERVER_UUID: str(server_uuid), REQUEST_ID: request_id, **params}


def servers_kwargs(server_uuids: Iterable[str | UUID], request_id: str | None, **params: Any) -> dict[str, Any]:
    """Keyword arguments of a task about several servers at once (one create of many)."""
    return {SERVER_UUIDS: [str(uuid) for uuid in server_uuids], REQUEST_ID: request_id, **params}


class TracedTask(Task):
    """A task that accepts the trace keywords (TRACE_KEYS) whatever its function declares:
    the ones it does not declare are dropped before it runs, and before Celery checks the
    arguments of a message it sends."""

    # Celery's own check (Task.typing) would refuse the undeclared trace keywords: apply_async
    # makes the same check without them.
    typing = False
    # Fewer task events per task, with Flower's view kept (novasite/task_events.py).
    Request = "novasite.task_events:LeanEventsRequest"
    _trace_parameters: tuple[bool, frozenset[str]] | None = None

    @classmethod
    def _parameters(cls) -> tuple[bool, frozenset[str]]:
        """Whether the function takes any keyword, and the names it declares (once per task)."""
        known = cls.__dict__.get("_trace_parameters")
        if known is None:
            parameters = inspect.signature(cls.run).parameters.values()
            accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
            known = (accepts_any, frozenset(p.name for p in parameters))
            cls._trace_parameters = known
        return known

    def accepted(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """``kwargs`` without the trace keywords this task's function does not declare."""
        accepts_any, declared = self._parameters()
        if accepts_any:
            return kwargs
        return {key: value for key, value in kwargs.items() if key not in TRACE_KEYS or key in declared}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        accepted = self.accepted(kwargs)
        # A database outage is waited out, not failed (novasite/outages.py).
        return through_database_outages(lambda: super(TracedTask, self).__call__(*args, **accepted), self.name)

    def apply_async(self, args: Any = None, kwargs: Any = None, *rest: Any, **options: Any) -> Any:
        header = getattr(self, "__header__", None)
        if header is not None and getattr(self.app, "strict_typing", True):
            header(*(args or ()), **self.accepted(dict(kwargs or {})))
        return super().apply_async(args, kwargs, *rest, **options)


def masked(value: Any) -> Any:
    """``value`` with every SECRET_KEYS entry of its dicts, at any depth, masked."""
    if isinstance(value, dict):
        return {key: (MASK if key in SECRET_KEYS and item is not None else masked(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    if isinstance(value, tuple):
        return tuple(masked(item) for item in value)
    return value


def shown(value: Any, maxsize: int) -> str:
    """What Flower shows of arguments: their repr, cut to ``maxsize`` characters. A message's
    arguments are JSON data (the serializer refuses anything else), so the builtin repr is
    bounded and safe, and about thirty times cheaper than Celery's saferepr, which walks
    them in Python (0.1 ms per argument list, twice per message)."""
    text = repr(value)
    return text if len(text) <= maxsize else text[: max(0, maxsize - 3)] + "..."


class MaskingAMQP(AMQP):
    """Celery's message builder, with the arguments' reprs (what task events and Flower show)
    written from `masked` arguments unless the sender gave its own."""

    def as_task_v2(self, task_id: Any, name: Any, args: Any = None, kwargs: Any = None, *rest: Any, **options: Any):
        if options.get("argsrepr") is None:
            options["argsrepr"] = shown(masked(args or ()), self.argsrepr_maxsize)
        if options.get("kwargsrepr") is None:
            options["kwargsrepr"] = shown(masked(kwargs or {}), self.kwargsrepr_maxsize)
        return super().as_task_v2(task_id, name, args, kwargs, *rest, **options)
