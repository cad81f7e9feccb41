"""The typed arguments of authentication: what a POST /v3/auth/tokens request asks for.

``identity.api.auth_parsing`` builds them from Keystone's request body (its JSON schema,
keystone/auth/schema.py); ``identity.services.auth`` checks them in Keystone's order
(keystone/auth/core.py, keystone/api/_shared/authentication.py). A part the body left out is
None, so the service raises Keystone's error for it at the moment Keystone would."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

#: The authentication methods this Keystone offers.
PASSWORD, TOKEN = "password", "token"
SUPPORTED_METHODS = (PASSWORD, TOKEN)


class ScopeKind(StrEnum):
    """What a token is asked to be scoped to. DEFAULT (no scope given) is the user's default
    project when it may use it, else no scope; UNSCOPED (``"scope": "unscoped"``) is none."""

    DEFAULT = "default"
    UNSCOPED = "unscoped"
    PROJECT = "project"
    DOMAIN = "domain"
    SYSTEM = "system"
    TRUST = "OS-TRUST:trust"


@dataclass(frozen=True)
class DomainRef:
    """A domain named by id or by name."""

    id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class PasswordUser:
    """The password method's user: by id, or by name in a domain (``domain`` None: not given)."""

    id: str | None = None
    name: str | None = None
    domain: DomainRef | None = None
    password: str | None = None


@dataclass(frozen=True)
class ProjectRef:
    """A project named by id, or by name in a domain (``domain`` None: not given)."""

    id: str | None = None
    name: str | None = None
    domain: DomainRef | None = None


@dataclass(frozen=True)
class Scope:
    """The scope asked for; ``project``, ``domain`` or ``trust_id`` as its kind needs."""

    kind: ScopeKind = ScopeKind.DEFAULT
    project: ProjectRef | None = None
    domain: DomainRef | None = None
    trust_id: str | None = None


@dataclass(frozen=True)
class AuthRequest:
    """POST /v3/auth/tokens: the methods in the order given (each supported and with its
    payload), the password method's user (None when its payload has no user) and the token
    method's token id, and the scope."""

    methods: tuple[str, ...]
    password_user: PasswordUser | None = None
    token_id: str | None = None
    scope: Scope = Scope()
