"""Console tokens (Nova's nova-consoleauth, now its ConsoleAuthToken): made when a client asks
for a console URL, checked by the console proxy when the browser connects, shown to admins by
GET /os-console-auth-tokens/{token}.

A token is a random UUID; only its SHA-256 is stored. It is valid until it expires
(settings.CONSOLE_TOKEN_TTL seconds, Nova's default 600) and may be used any number of times
until then, as Nova's are (noVNC reconnects with the same URL). It dies early when its server
is deleted or leaves the host it was made on (Nova deletes those tokens on delete and on
every move). Expired tokens are deleted by beat (conductor.purge_expired_console_tokens) and
when a proxy meets one."""

from __future__ import annotations

import hashlib
import uuid as uuidlib
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlparse

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core import policy
from core.exceptions import BadRequest, NotFound
from core.principal import Caller
from servers.models import Server

from .models import ConsoleAuthToken

TOKEN_NOT_FOUND = "Token not found"


@dataclass(frozen=True)
class Connection:
    """Where a valid token lets its holder connect."""

    instance_uuid: str
    console_type: str
    host: str
    port: int
    internal_access_path: str | None


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of ``token``: what the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def access_url(access_url_base: str, console_type: str, token: str) -> str:
    """The URL a client opens. noVNC (1.1 and later) reads the WebSocket path from the
    page's ``path`` parameter, so the token goes inside it (``?path=%3Ftoken%3D...``);
    other consoles take ``?token=`` directly."""
    if console_type != "novnc":
        return f"{access_url_base}?token={token}"
    base = urlparse(access_url_base)
    query = parse_qs(base.query)
    query["path"] = [f"{query.get('path', [''])[0]}?token={token}"]
    return base._replace(query=urlencode(query, doseq=True)).geturl()


def authorize(
    *,
    instance_uuid: str,
    compute_host: str,
    console_type: str,
    host: str,
    port: int,
    access_url_base: str,
    internal_access_path: str | None = None,
) -> str:
    """Store a new token's hash for a connection to ``host``:``port`` and return the console
    URL that carries the token (the token itself is not kept)."""
    token = str(uuidlib.uuid4())
    ConsoleAuthToken.objects.create(
        token_hash=token_hash(token),
        console_type=console_type,
        instance_uuid=instance_uuid,
        compute_host=compute_host,
        host=host,
        port=port,
        internal_access_path=internal_access_path,
        access_url_base=access_url_base,
        expires=timezone.now() + timedelta(seconds=settings.CONSOLE_TOKEN_TTL),
    )
    return access_url(access_url_base, console_type, token)


def validate(token: str) -> Connection | None:
    """The connection ``token`` authorizes, or None when it is unknown, expired, or its
    server is deleted or has left the host the token was made on. An expired token met here
    is deleted."""
    if not token:
        return None
    row = ConsoleAuthToken.objects.filter(token_hash=token_hash(token)).first()
    if row is None:
        return None
    if row.expires <= timezone.now():
        row.delete()
        return None
    on_host = Server.objects.filter(uuid=row.instance_uuid, deleted=False, host=row.compute_host)
    if not on_host.exists():
        return None
    return Connection(str(row.instance_uuid), row.console_type, row.host, row.port, row.internal_access_path)


def show(caller: Caller, token: str) -> Connection:
    """GET /os-console-auth-tokens/{token} (admins): the connection a valid token authorizes,
    else NotFound "Token not found"."""
    policy.enforce(caller, policy.CONSOLE_AUTH_TOKENS)
    if not token.strip():
        raise BadRequest("token not provided")
    connection = validate(token)
    if connection is None:
        raise NotFound(TOKEN_NOT_FOUND)
    return connection


def purge_expired() -> int:
    """Delete every expired token, and every token of a server that is deleted or has left
    the host its token was made on; return how many went."""
    now = timezone.now()
    expired, _ = ConsoleAuthToken.objects.filter(expires__lte=now).delete()
    still_there = Server.objects.filter(uuid=OuterRef("instance_uuid"), deleted=False, host=OuterRef("compute_host"))
    orphaned, _ = ConsoleAuthToken.objects.filter(~Exists(still_there)).delete()
    return expired + orphaned
