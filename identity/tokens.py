"""Issuing, validating and revoking tokens: the one home of token rules.

A token is scoped to a project, or to a domain (its roles are those granted on the domain;
no project-scoped service accepts it), or unscoped (no project, no roles, no catalog: what a user
without a default project gets from a password request that names no scope, and what may
only be used with the Identity API or rescoped). Its roles are the user's roles on the
project and the roles they imply, as ``keystone-manage bootstrap`` sets them up (admin
implies manager, manager implies member, member implies reader; keystone/cmd/bootstrap.py).
A rescoped token (the ``token`` method) keeps the expiry of the token it came from, so no
chain of rescoping outlives the password that started it (keystone/auth/plugins/token.py)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import DEFAULT_DOMAIN_NAME, DomainRoleAssignment, Project, Role, RoleAssignment, Token, User

#: Keystone's bootstrap implied roles: each role gives the next one too.
IMPLIED_ROLES = {"admin": "manager", "manager": "member", "member": "reader"}


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's user, project ("" when not scoped to one), domain ("" when
    not domain-scoped) and effective roles. DRF sees it as request.user."""

    user_id: str
    user_name: str
    project_id: str
    project_name: str
    roles: tuple[str, ...] = field(default_factory=tuple)
    expires_at: datetime | None = None
    issued_at: datetime | None = None
    audit_id: str = ""
    methods: tuple[str, ...] = ("password",)
    parent_audit_id: str = ""
    domain_id: str = ""

    is_authenticated = True

    @property
    def is_admin(self) -> bool:
        """Whether the token carries the admin role on its project."""
        return "admin" in self.roles

    @property
    def scoped(self) -> bool:
        """Whether the token is scoped to a project or a domain."""
        return bool(self.project_id or self.domain_id)

    @property
    def domain_name(self) -> str:
        """The name of the token's domain (only Default exists); "" when not domain-scoped."""
        return DEFAULT_DOMAIN_NAME if self.domain_id else ""

    @property
    def audit_ids(self) -> list[str]:
        """Keystone's ``audit_ids``: this token's, then the first of its rescoping chain."""
        return [self.audit_id, self.parent_audit_id] if self.parent_audit_id else [self.audit_id]


class AuthError(Exception):
    """Credentials were wrong, or the user has no role on the requested project."""


@dataclass(frozen=True)
class Invalid:
    """Why a token is not valid, in Keystone's words for a TokenNotFound (404 where a token is
    the subject of the request)."""

    message: str


def digest(token: str) -> str:
    """What is stored of a token: its SHA-256, so a database dump reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def effective_roles(user: User, project: Project) -> tuple[str, ...]:
    """The names of the roles ``user`` holds on ``project`` and of the existing roles they
    imply, sorted; empty when it holds none."""
    return _with_implied(
        set(RoleAssignment.objects.filter(user=user, project=project).values_list("role__name", flat=True))
    )


def effective_domain_roles(user: User, domain_id: str) -> tuple[str, ...]:
    """The names of the roles ``user`` holds on domain ``domain_id`` and of those they imply."""
    granted = DomainRoleAssignment.objects.filter(user=user, domain_id=domain_id).values_list("role__name", flat=True)
    return _with_implied(set(granted))


def _with_implied(names: set[str]) -> tuple[str, ...]:
    """``names`` and the existing roles they imply, sorted."""
    implied = set()
    for name in names:
        while name in IMPLIED_ROLES:
            name = IMPLIED_ROLES[name]
            implied.add(name)
    if implied - names:
        names |= set(Role.objects.filter(name__in=implied - names).values_list("name", flat=True))
    return tuple(sorted(names))


def issue_token(
    user: User,
    project: Project | None,
    *,
    methods: tuple[str, ...] = ("password",),
    expires_at: datetime | None = None,
    parent_audit_id: str = "",
    domain_id: str = "",
) -> tuple[str, Principal]:
    """Create a token for ``user``, scoped to ``project`` or to domain ``domain_id`` (neither:
    unscoped); returns the secret (shown once) and the principal. AuthError when the user
    holds no role on the project or domain. ``expires_at`` (a rescoped token's) may only
    shorten the configured lifetime."""
    roles: tuple[str, ...] = ()
    if project is not None:
        roles = effective_roles(user, project)
        if not roles:
            raise AuthError(f"User {user.id} has no access to project {project.id}.")
    elif domain_id:
        roles = effective_domain_roles(user, domain_id)
        if not roles:
            raise AuthError(f"User {user.id} has no access to domain {domain_id}.")
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    expires = now + timedelta(seconds=settings.TOKEN_TTL_SECONDS)
    if expires_at is not None:
        expires = min(expires, expires_at)
    audit_id = uuid.uuid4().hex[:22]
    Token.objects.create(
        digest=digest(secret),
        user=user,
        project=project,
        domain_id=domain_id,
        roles=list(roles),
        methods=list(methods),
        audit_id=audit_id,
        parent_audit_id=parent_audit_id,
        issued_at=now,
        expires_at=expires,
    )
    principal = _principal(user, project, roles, expires, now, audit_id, tuple(methods), parent_audit_id, domain_id)
    return secret, principal


def _principal(
    user: User,
    project: Project | None,
    roles: tuple[str, ...],
    expires_at: datetime,
    issued_at: datetime,
    audit_id: str,
    methods: tuple[str, ...],
    parent_audit_id: str,
    domain_id: str,
) -> Principal:
    return Principal(
        user.id,
        user.name,
        project.id if project else "",
        project.name if project else "",
        roles,
        expires_at,
        issued_at,
        audit_id,
        methods,
        parent_audit_id,
        domain_id,
    )


def check(secret: str) -> Principal | Invalid:
    """The principal of a valid token, or why it is not one (keystone/token/provider.py):
    revoked or expired ("Failed to validate token"), unknown, or its user or project disabled
    since it was issued (Keystone's TokenNotFound naming the token)."""
    token = Token.objects.select_related("user", "project").filter(digest=digest(secret)).first()
    if token is None:
        return Invalid(f"Could not find token: {secret}.")
    if token.revoked or token.expires_at <= timezone.now():
        return Invalid("Failed to validate token")
    project = token.project
    if not token.user.enabled or (project is not None and not project.enabled):
        return Invalid(f"Could not find token: {secret}.")
    return _principal(
        token.user,
        project,
        tuple(token.roles),
        token.expires_at,
        token.issued_at,
        token.audit_id,
        tuple(token.methods),
        token.parent_audit_id,
        token.domain_id,
    )


def validate(secret: str) -> Principal | None:
    """The principal of a valid token, or None when it is unknown, revoked or expired."""
    found = check(secret)
    return found if isinstance(found, Principal) else None


def revoke(secret: str) -> bool:
    """Revoke a token; False when there was no such live token."""
    revoked = bool(Token.objects.filter(digest=digest(secret), revoked=False).update(revoked=True))
    _forget_cached()
    return revoked


def revoke_user_tokens(user_id: str, project_id: str | None = None) -> int:
    """End a user's sessions, on one project or on all (a new password, a revoked grant or
    role); returns how many live tokens were revoked."""
    tokens = Token.objects.filter(user_id=user_id, revoked=False)
    if project_id is not None:
        tokens = tokens.filter(project_id=project_id)
    revoked = tokens.update(revoked=True)
    _forget_cached()
    return revoked


def _forget_cached() -> None:
    """Revoked tokens leave this process's cache of validated ones (identity/token_cache.py
    bounds how soon other processes forget them)."""
    from . import token_cache  # it builds on this module

    token_cache.clear()


def purge_expired() -> int:
    """Delete expired tokens; returns how many."""
    deleted, _ = Token.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
