"""Issuing, validating and revoking tokens: the one home of token rules."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME, Project, RoleAssignment, Token, User


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's user, project and roles. DRF sees it as request.user."""

    user_id: str
    user_name: str
    project_id: str
    project_name: str
    roles: tuple[str, ...] = field(default_factory=tuple)
    expires_at: datetime | None = None
    issued_at: datetime | None = None
    audit_id: str = ""

    is_authenticated = True

    @property
    def is_admin(self) -> bool:
        """Whether the token carries the admin role on its project."""
        return "admin" in self.roles


class AuthError(Exception):
    """Credentials were wrong, or the user has no role on the requested project."""


def digest(token: str) -> str:
    """What is stored of a token: its SHA-256, so a database dump reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate_password(user_name: str, domain: str, password: str) -> User:
    """The enabled user with this name and password in the domain (matched by id or name)."""
    domain_id = DEFAULT_DOMAIN_ID if domain.lower() in {DEFAULT_DOMAIN_ID, ""} else domain
    user = User.objects.filter(name=user_name, domain_id=domain_id, enabled=True).first()
    if user is None or not user.check_password(password):
        raise AuthError("The request you have made requires authentication.")
    return user


def scoped_project(*, project_id: str | None, name: str, domain_id: str | None, domain_name: str | None) -> Project:
    """The enabled project a token is asked to be scoped to: by id, else by name in a domain
    named by id or by name (neither: the default domain). AuthError when there is none."""
    query = Project.objects.filter(enabled=True)
    if project_id is not None:
        query = query.filter(id=project_id)
    else:
        if not domain_id:
            domain_id = (
                DEFAULT_DOMAIN_ID if (domain_name or DEFAULT_DOMAIN_NAME) == DEFAULT_DOMAIN_NAME else domain_name
            )
        query = query.filter(name=name, domain_id=domain_id)
    project = query.first()
    if project is None:
        raise AuthError("The request you have made requires authentication.")
    return project


def issue_token(user: User, project: Project) -> tuple[str, Principal]:
    """Create a project-scoped token; returns the secret (shown once) and the principal."""
    roles = tuple(
        RoleAssignment.objects.filter(user=user, project=project)
        .order_by("role__name")
        .values_list("role__name", flat=True)
    )
    if not roles:
        raise AuthError(f"User {user.id} has no access to project {project.id}.")
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    expires = now + timedelta(seconds=settings.TOKEN_TTL_SECONDS)
    audit_id = uuid.uuid4().hex[:22]
    Token.objects.create(
        digest=digest(secret),
        user=user,
        project=project,
        roles=list(roles),
        audit_id=audit_id,
        issued_at=now,
        expires_at=expires,
    )
    return secret, Principal(user.id, user.name, project.id, project.name, roles, expires, now, audit_id)


def validate(secret: str) -> Principal | None:
    """The principal of a valid token, or None when it is unknown, revoked or expired."""
    token = (
        Token.objects.select_related("user", "project")
        .filter(digest=digest(secret), revoked=False, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.enabled or not token.project.enabled:
        return None
    return Principal(
        token.user_id,
        token.user.name,
        token.project_id,
        token.project.name,
        tuple(token.roles),
        token.expires_at,
        token.issued_at,
        token.audit_id,
    )


def revoke(secret: str) -> bool:
    """Revoke a token; False when there was no such live token."""
    return bool(Token.objects.filter(digest=digest(secret), revoked=False).update(revoked=True))


def revoke_user_tokens(user_id: str, project_id: str | None = None) -> int:
    """End a user's sessions, on one project or on all (a new password, a revoked grant or
    role); returns how many live tokens were revoked."""
    tokens = Token.objects.filter(user_id=user_id, revoked=False)
    if project_id is not None:
        tokens = tokens.filter(project_id=project_id)
    return tokens.update(revoked=True)


def purge_expired() -> int:
    """Delete expired tokens; returns how many."""
    deleted, _ = Token.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
