"""The console calls' bodies, as OpenAPI schemas (views name them in ``openapi``)."""

from __future__ import annotations

from core import microversions as mv
from core.openapi.types import INTEGER, STRING, TEXT_OR_NULL, UUID, Operation, envelope, obj

from .schemas import remote_console

REMOTE_CONSOLE_CREATE = Operation(
    "Get a URL to the server's console (2.6+): noVNC through the console proxy.",
    request=remote_console,
    response=envelope(
        "remote_console",
        obj({"protocol": STRING, "type": STRING, "url": {"type": "string", "format": "uri"}}),
    ),
    errors=(400, 403, 404, 409, 503),
    description=f"Before {mv.REMOTE_CONSOLES}: 404 (use the os-getVNCConsole action). The URL carries a "
    "token valid for CONSOLE_TOKEN_TTL seconds; 409 when the server is not running or is being "
    "deleted or migrated; 400 for a console type this cloud does not serve.",
)
CONSOLE_AUTH_TOKEN_SHOW = Operation(
    "Show where a console token connects to (administrators; 2.31+).",
    response=envelope(
        "console",
        obj({"instance_uuid": UUID, "host": STRING, "port": INTEGER, "internal_access_path": TEXT_OR_NULL}),
    ),
    errors=(400, 403, 404),
    description="404 when the token is unknown, expired, or its server deleted or moved.",
)
