"""What only the server's hypervisor knows: diagnostics (GET /servers/{id}/diagnostics, admins)
and the console log (os-getConsoleOutput); ``ask_host`` also serves consoles/remote.py (a
guest's VNC address). The API asks the server's host directly: a task on queue
compute.<host> (workers/compute/queries.py) whose answer it waits for, at most
settings.COMPUTE_CALL_TIMEOUT seconds.

As Nova's check_instance_host: a server without a host is 409 (not ready). A host that is down
or does not answer in time is 503. A driver that cannot do it is 501; a guest the host does not
have, or one without a console log, is 404; a guest without the console asked for is 400 and
one that does not serve it now (not running) is 409."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.utils import timezone

from core import policy
from core.exceptions import BadRequest, Conflict, NotFound, NotSupported, Unavailable
from core.principal import Caller
from hosts.heartbeats import host_is_up
from novasite.celery import app as celery_app
from novasite.celery import compute_queue
from novasite.tracing import server_kwargs

from ..models import Server
from .lookup import get_server

NOT_SUPPORTED = "The requested functionality is not supported."
UNAVAILABLE = "Service is unavailable at this time."


@dataclass(frozen=True)
class Diagnostics:
    """The hypervisor's standard diagnostics (see ComputeDriver.get_diagnostics), plus what the
    control plane knows: the guest's uptime and whether it has a config drive."""

    measured: dict[str, Any]
    uptime: int | None
    config_drive: bool


def ask_host(server: Server, task: str, request_id: str) -> dict[str, Any]:
    """Send ``task`` to the server's host and wait for its answer; raise Nova's error for a
    failed one."""
    if not server.host:
        raise Conflict(f"Instance {server.uuid} is not ready")
    if not host_is_up(server.host):
        raise Unavailable(UNAVAILABLE)
    instance = {"uuid": str(server.uuid), "name": server.instance_name}
    pending = celery_app.send_task(
        task,
        args=[instance],
        kwargs=server_kwargs(server.uuid, request_id),
        queue=compute_queue(server.host),
        ignore_result=False,
    )
    try:
        answer: dict[str, Any] = pending.get(timeout=settings.COMPUTE_CALL_TIMEOUT, propagate=True)
    except CeleryTimeout:
        raise Unavailable(UNAVAILABLE) from None
    finally:
        pending.forget()
    if answer.get("ok"):
        return answer
    kind = answer.get("error_type")
    if kind == "NotSupported":
        raise NotSupported(NOT_SUPPORTED)
    if kind == "InstanceNotFound":
        raise NotFound(f"Instance {server.uuid} could not be found.")
    if kind == "ConsoleNotAvailable":
        raise NotFound("Guest does not have a console available.")
    if kind == "ConsoleTypeUnavailable":
        raise BadRequest(str(answer.get("error")))
    if kind == "ConsoleNotReady":
        raise Conflict(f"Instance {server.uuid} is not ready")
    raise Unavailable(f"{UNAVAILABLE} {answer.get('error', '')}".strip())


def get_diagnostics(caller: Caller, server_id: str) -> Diagnostics:
    """GET /servers/{id}/diagnostics (os_compute_api:os-server-diagnostics: admins)."""
    server = get_server(caller, server_id)
    policy.enforce(caller, policy.SERVER_DIAGNOSTICS, project_id=server.project_id)
    measured = ask_host(server, "compute.get_diagnostics", caller.request_id)["diagnostics"]
    uptime = int((timezone.now() - server.launched_at).total_seconds()) if server.launched_at else None
    return Diagnostics(measured, uptime, bool(server.config_drive))


def get_console_output(caller: Caller, server_id: str, length: int | None) -> str:
    """os-getConsoleOutput: the last ``length`` lines of the console log (all when None),
    without the control characters Nova strips."""
    server = get_server(caller, server_id)
    policy.enforce(caller, policy.CONSOLE_OUTPUT, project_id=server.project_id)
    output: str = ask_host(server, "compute.get_console_output", caller.request_id)["output"]
    if length is not None:
        output = "\n".join(output.split("\n")[-length:]) if length else ""
    return "".join(ch for ch in output if ch in "\t\n" or ord(ch) >= 0x20)
