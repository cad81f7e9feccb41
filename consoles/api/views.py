"""The console calls of the compute API, thin over consoles.remote and consoles.tokens:
POST /servers/{id}/remote-consoles (2.6+), the os-getVNCConsole / os-getSPICEConsole /
os-getSerialConsole / os-getRDPConsole actions (2.1-2.5), and GET
/os-console-auth-tokens/{token} (admins, 2.31+)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.exceptions import BadRequest, NotFound
from core.views import ComputeView
from servers.api.action_views import register
from servers.api.validation.schema import validate
from servers.models import Server

from .. import remote, tokens
from . import openapi as doc
from .schemas import LEGACY_ACTIONS, legacy_action, remote_console


class RemoteConsolesView(ComputeView):
    """POST /servers/{id}/remote-consoles: {"remote_console": {"protocol", "type", "url"}}."""

    openapi = {"post": doc.REMOTE_CONSOLE_CREATE}

    def post(self, request: Request, server_id: str) -> Response:
        version = request.api_version  # type: ignore[attr-defined]
        if version < mv.REMOTE_CONSOLES:
            raise NotFound("The resource could not be found.")
        body: Any = request.data
        validate(remote_console(version), body)
        args = body["remote_console"]
        console = remote.get_remote_console(self.caller, server_id, args["protocol"], args["type"])
        return Response({"remote_console": {"protocol": console.protocol, "type": console.type, "url": console.url}})


class ConsoleAuthTokenView(ComputeView):
    """GET /os-console-auth-tokens/{token}: what a valid token connects to."""

    openapi = {"get": doc.CONSOLE_AUTH_TOKEN_SHOW}

    def get(self, request: Request, token: str) -> Response:
        if request.api_version < mv.CONSOLE_AUTH_TOKENS_ALL_TYPES:  # type: ignore[attr-defined]
            # Before 2.31 only rdp-html5 tokens could be shown, and rdp is gone (as in Nova).
            raise BadRequest("The console auth tokens API needs microversion 2.31 or later.")
        connection = tokens.show(self.caller, token)
        body = {
            "instance_uuid": connection.instance_uuid,
            "host": connection.host,
            "port": connection.port,
            "internal_access_path": connection.internal_access_path,
        }
        return Response({"console": body})


def _legacy(action: str) -> Any:
    """The handler of a pre-2.6 console action: {"console": {"type", "url"}}."""
    protocol = LEGACY_ACTIONS[action][0]

    def handle(view: Any, server: Server, body: object) -> Response:
        if view.request.api_version >= mv.REMOTE_CONSOLES:
            raise NotFound(f"There is no such action: {action}")
        validate(legacy_action(action), {action: body})
        console_type = body["type"]  # type: ignore[index]
        console = remote.get_remote_console(view.caller, str(server.uuid), protocol, console_type)
        return Response({"console": {"type": console.type, "url": console.url}})

    return handle


for _action in LEGACY_ACTIONS:
    register(_action)(_legacy(_action))


@register("os-getRDPConsole")
def _rdp(view: Any, server: Server, body: object) -> Response:
    # RDP consoles went with the Hyper-V driver (Nova 29.0.0): always 400, as in Nova.
    if view.request.api_version >= mv.REMOTE_CONSOLES:
        raise NotFound("There is no such action: os-getRDPConsole")
    raise BadRequest("Unavailable console type rdp.")
