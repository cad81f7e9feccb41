"""A control plane whose identity service is another region's (``IDENTITY_URL``): the one
HTTP client of that Keystone, as keystonemiddleware and keystoneauth use it.

Every call has a connect and a read timeout (``IDENTITY_CONNECT_TIMEOUT``,
``IDENTITY_READ_TIMEOUT``): an identity service that is down, unreachable or stuck makes the
call fail with ``IdentityUnavailable`` (503 in the calling service's format), never a hang.
Tokens travel only in headers and are never logged."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from core.exceptions import Unavailable

log = logging.getLogger(__name__)


class IdentityUnavailable(Unavailable):
    """The shared identity service did not answer (connection refused, timeout) or failed (5xx)."""


def configured() -> bool:
    """Whether this control plane trusts another region's identity service (IDENTITY_URL set)."""
    return bool(settings.IDENTITY_URL)


def identity_uri() -> str:
    """Where clients get tokens: the shared identity service, else this control plane's own."""
    return settings.IDENTITY_URL or "/identity/v3"


def unavailable_message() -> str:
    """What a client reads when the identity service cannot be asked."""
    return f"The identity service ({settings.IDENTITY_URL}) is unavailable; retry later."


@dataclass(frozen=True)
class Answer:
    """One HTTP answer of the identity service."""

    status: int
    headers: dict[str, str]
    body: Any


def call(method: str, path: str, *, token: str = "", subject: str = "", body: dict | None = None) -> Answer:
    """``method`` ``IDENTITY_URL + path`` with ``token`` (X-Auth-Token) and ``subject``
    (X-Subject-Token) when given; IdentityUnavailable when it cannot be reached in time or
    answers 5xx."""
    headers = {"Accept": "application/json"}
    if token:
        headers["X-Auth-Token"] = token
    if subject:
        headers["X-Subject-Token"] = subject
    url = settings.IDENTITY_URL.rstrip("/") + path
    try:
        response = requests.request(
            method,
            url,
            headers=headers,
            json=body,
            timeout=(settings.IDENTITY_CONNECT_TIMEOUT, settings.IDENTITY_READ_TIMEOUT),
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        log.warning("identity service unreachable: %s %s: %s", method, path, type(exc).__name__)
        raise IdentityUnavailable(unavailable_message()) from exc
    if response.status_code >= 500:
        log.warning("identity service failed: %s %s: %s", method, path, response.status_code)
        raise IdentityUnavailable(unavailable_message())
    try:
        parsed = response.json() if response.content else None
    except ValueError:
        parsed = None
    return Answer(response.status_code, dict(response.headers), parsed)


def password_scope(user: str, password: str, project: str = "") -> dict:
    """The body of POST /v3/auth/tokens for ``user`` (Default domain) scoped to ``project``
    (none: the user's default project, or an unscoped token)."""
    body: dict = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "domain": {"id": "default"}, "password": password}},
            }
        }
    }
    if project:
        body["auth"]["scope"] = {"project": {"name": project, "domain": {"id": "default"}}}
    return body


def issue(user: str, password: str, project: str) -> Answer:
    """A token for ``user`` scoped to ``project`` (none: as ``password_scope`` says), its
    secret in the answer's X-Subject-Token; the answer as it came (201, or the refusal)."""
    return call("POST", "/auth/tokens?nocatalog", body=password_scope(user, password, project))
