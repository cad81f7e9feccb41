"""Console URLs (POST /servers/{id}/remote-consoles from 2.6; the os-getVNCConsole family of
actions before): Nova's compute API and manager get_*_console, in Nova's order of checks.

1. the policy (os_compute_api:os-remote-consoles), then the removed rdp protocol (400);
2. the server has a host (409 "not ready") and is not being deleted or migrated (409);
3. the console kind is one this cloud serves: VNC through noVNC (``novnc``); a serial, SPICE
   or MKS console, or VNC disabled by configuration, is "Unavailable console type" (400, as
   Nova with those consoles disabled, its default but for VNC), a type that does not belong
   to its protocol "Invalid console type" (400);
4. the host is asked where the guest's VNC server listens (compute.get_vnc_console; 409 when
   the guest is not running, 400 when it has no VNC graphics, 503 when the host is down);
5. a token for that address is stored (tokens.authorize) and the proxy's URL returned."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from core import policy
from core.exceptions import BadRequest
from core.principal import Caller
from servers.services.host_queries import ask_host
from servers.services.lookup import get_server
from servers.states.constants import TaskState
from servers.states.errors import InstanceInvalidState, InstanceNotReady

from . import tokens

#: The console types of each protocol Nova knows (its request schema's values).
TYPES_OF_PROTOCOL = {
    "vnc": ("novnc", "xvpvnc"),
    "spice": ("spice-html5", "spice-direct"),
    "serial": ("serial",),
    "rdp": ("rdp-html5",),
    "mks": ("webmks",),
}
#: What a request may name, as in Nova's request schemas (2.8 adds mks, 2.99 spice-direct).
PROTOCOLS = tuple(TYPES_OF_PROTOCOL)
CONSOLE_TYPES = tuple(t for types in TYPES_OF_PROTOCOL.values() for t in types)
# Nova's compute API refuses a console while the server is going away or moving live.
REFUSED_TASK_STATES = (TaskState.DELETING, TaskState.MIGRATING)


@dataclass(frozen=True)
class RemoteConsole:
    """What the API answers: ``{"protocol", "type", "url"}``."""

    protocol: str
    type: str
    url: str


def get_remote_console(caller: Caller, server_id: str, protocol: str, console_type: str) -> RemoteConsole:
    """A URL to the server's console of ``protocol`` / ``console_type`` (see the module)."""
    server = get_server(caller, server_id)
    policy.enforce(caller, policy.REMOTE_CONSOLES, project_id=server.project_id)
    if protocol == "rdp":
        raise BadRequest(f"Unavailable console type {protocol}.")
    action = f"get_{protocol}_console"
    if not server.host:
        raise InstanceNotReady(str(server.uuid))
    if server.task_state in REFUSED_TASK_STATES:
        raise InstanceInvalidState(action, str(server.uuid), "task_state", server.task_state)
    if protocol != "vnc" or not settings.VNC_ENABLED:
        # No guest here has SPICE or MKS graphics or a TCP serial port (Nova's [spice],
        # [mks] and [serial_console] enabled = False), and VNC can be switched off.
        raise BadRequest(f"Unavailable console type {console_type}.")
    if console_type != "novnc":
        raise BadRequest(f"Invalid console type {console_type}")
    where = ask_host(server, "compute.get_vnc_console", caller.request_id)["console"]
    url = tokens.authorize(
        instance_uuid=str(server.uuid),
        compute_host=server.host,
        console_type=console_type,
        host=str(where["host"]),
        port=int(where["port"]),
        access_url_base=settings.NOVNCPROXY_BASE_URL,
    )
    return RemoteConsole(protocol, console_type, url)
