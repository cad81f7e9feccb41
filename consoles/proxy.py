"""The console proxy (Nova's nova-novncproxy), built on websockify: it serves the noVNC client
(settings.NOVNC_WEB_DIR, Debian's novnc package) over HTTP, and relays each WebSocket that
carries a valid console token (``?token=``) to the VNC server the token names.

Each connection is handled in a process of its own (websockify forks), which checks the
token against the database (``tokens.validate``) and closes its connection afterwards, so
nothing is shared across the fork. A WebSocket whose Origin is another host than the one it
connects to is refused, as Nova's proxy does, so that a page elsewhere cannot use a console
URL it has learnt."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs, urlparse

from django.db import close_old_connections, connection
from websockify import token_plugins, websocketproxy

from . import tokens

log = logging.getLogger(__name__)


def lookup(token: str) -> tokens.Connection | None:
    """The connection ``token`` authorizes (None when invalid), with a database connection
    of this process's own that is closed again."""
    close_old_connections()
    try:
        return tokens.validate(token)
    finally:
        connection.close()


def same_origin(origin: str | None, host_header: str | None) -> bool:
    """Whether a WebSocket's Origin names the host it was opened on (no Origin: not a
    browser, allowed)."""
    if not origin:
        return True
    origin_host = urlparse(origin).hostname
    expected = urlparse(f"//{host_header or ''}").hostname
    return origin_host is not None and origin_host == expected


class DatabaseTokens(token_plugins.BasePlugin):
    """websockify's token plugin: a console token's target, from the database."""

    def lookup(self, token: str) -> tuple[str, int] | None:
        """``(host, port)`` of the VNC server a valid ``token`` names, else None."""
        found = lookup(token)
        if found is None:
            return None
        log.info("console of %s: connecting to %s:%s", found.instance_uuid, found.host, found.port)
        return found.host, found.port


class ConsoleProxyHandler(websocketproxy.ProxyRequestHandler):
    """websockify's proxy handler, refusing a foreign Origin and never logging a token."""

    def validate_connection(self) -> None:
        """Refuse a WebSocket opened from another host's page, then let the token choose
        the target (websockify calls ``get_target``)."""
        if not same_origin(self.headers.get("Origin"), self.headers.get("Host")):
            raise self.server.EClose("Origin header does not match this host")
        super().validate_connection()

    def get_target(self, target_plugin: Any) -> tuple[str, int]:
        """The target of the ``token`` query parameter (websockify's own logs the token)."""
        token = (parse_qs(urlparse(self.path).query).get("token") or [""])[0]
        target: tuple[str, int] | None = target_plugin.lookup(token) if token else None
        if target is None:
            raise self.server.EClose("Invalid or expired console token")
        return target


def serve(*, host: str, port: int, web: str | None, **options: Any) -> None:
    """Listen on ``host``:``port`` until stopped: serve ``web`` (the noVNC client; None for
    WebSockets only) and relay the consoles of valid tokens."""
    server = websocketproxy.WebSocketProxy(
        RequestHandlerClass=ConsoleProxyHandler,
        listen_host=host,
        listen_port=port,
        web=web or "",
        file_only=True,
        token_plugin=DatabaseTokens(""),
        **options,
    )
    server.start_server()
