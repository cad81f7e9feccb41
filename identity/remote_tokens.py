"""Validating tokens at the shared identity service (a region without identity of its own,
``IDENTITY_URL``), as keystonemiddleware's auth_token does.

Each ``X-Auth-Token`` is checked with ``GET /v3/auth/tokens`` (the token in
``X-Subject-Token``) under a service token of this control plane's own: a password token of
``IDENTITY_SERVICE_USER`` on ``IDENTITY_SERVICE_PROJECT`` (admin there, so Keystone's
identity:validate_token allows it), obtained when first needed and again before it expires or
when the identity service refuses it. A valid answer becomes the same ``tokens.Principal`` the
local validation gives (so ``Caller`` and policy see no difference) and is kept in this
process for ``IDENTITY_CACHE_SECONDS`` at most and never past the token's ``expires_at``,
keyed by the token's SHA-256 (the token itself is never stored): a revoked token stops
working here within that time. An invalid token is never cached.

The project a valid token names gets a *shadow* row here (``identity.models.Project``: id,
name, domain; no users, roles or grants), created on first sight and renamed when the
identity service renamed it: what the local code that checks a project exists (quotas,
flavor access, volumes) or shows its name (the console) reads."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime

from . import remote
from .models import DEFAULT_DOMAIN_ID, Project, hex_id
from .principal_cache import PrincipalCache
from .tokens import Principal, digest

#: A service token is obtained again this many seconds before it expires.
SERVICE_TOKEN_MARGIN = 60


def _now() -> float:
    """Wall-clock seconds (the tests move it)."""
    return time.time()


#: The identity service's valid answers, on this module's clock.
CACHE = PrincipalCache(lambda: _now())
_lock = threading.Lock()
_service: dict[str, tuple[str, float]] = {}  # "token" -> (secret, expires_at)


def clear() -> None:
    """Forget every cached answer and the service token (tests; a changed configuration)."""
    CACHE.clear()
    with _lock:
        _service.clear()


def service_token(refresh: bool = False) -> str:
    """This control plane's own token at the identity service, obtained by password when
    missing, near its expiry or ``refresh``; IdentityUnavailable when it cannot be had."""
    with _lock:
        held = _service.get("token")
    if held is not None and not refresh and held[1] - SERVICE_TOKEN_MARGIN > _now():
        return held[0]
    answer = remote.issue(
        settings.IDENTITY_SERVICE_USER, settings.IDENTITY_SERVICE_PASSWORD, settings.IDENTITY_SERVICE_PROJECT
    )
    secret = answer.headers.get("X-Subject-Token", "")
    if answer.status != 201 or not secret:
        # Misconfigured credentials: no request can be validated, which is an outage of
        # this service (503), not the client's fault (401).
        raise remote.IdentityUnavailable(
            f"This region's service user {settings.IDENTITY_SERVICE_USER!r} cannot log in to the identity "
            f"service ({settings.IDENTITY_URL}): {answer.status}."
        )
    expires = _timestamp(answer.body["token"]["expires_at"])
    with _lock:
        _service["token"] = (secret, expires)
    return secret


def _timestamp(text: str) -> float:
    parsed = parse_datetime(text)
    if parsed is None:
        raise ValueError(f"not a time: {text!r}")
    return parsed.timestamp()


def principal_of(document: dict) -> Principal:
    """The Principal a token document (Keystone's ``{"token": ...}``) describes."""
    token = document["token"]
    project = token.get("project") or {}
    domain = token.get("domain") or {}
    audit_ids = token.get("audit_ids") or [""]
    return Principal(
        user_id=token["user"]["id"],
        user_name=token["user"].get("name", ""),
        project_id=project.get("id", ""),
        project_name=project.get("name", ""),
        roles=tuple(sorted(role["name"] for role in token.get("roles") or ())),
        expires_at=_datetime(token["expires_at"]),
        issued_at=_datetime(token["issued_at"]) if token.get("issued_at") else None,
        audit_id=audit_ids[0],
        methods=tuple(token.get("methods") or ("password",)),
        parent_audit_id=audit_ids[1] if len(audit_ids) > 1 else "",
        domain_id=domain.get("id", ""),
    )


def _datetime(text: str) -> datetime:
    parsed = parse_datetime(text)
    if parsed is None:
        raise ValueError(f"not a time: {text!r}")
    return parsed


def _ask(secret: str) -> Principal | None:
    """The identity service's answer for ``secret``: its Principal, or None when it is not
    a valid token. The service token is obtained again once if the answer says it expired."""
    for attempt in (0, 1):
        answer = remote.call("GET", "/auth/tokens?nocatalog", token=service_token(refresh=attempt > 0), subject=secret)
        if answer.status == 200:
            try:
                return principal_of(answer.body)
            except (KeyError, TypeError, ValueError):  # not Keystone's document: a broken service
                raise remote.IdentityUnavailable(remote.unavailable_message()) from None
        if answer.status != 401:
            return None  # 404: unknown, expired or revoked (Keystone's TokenNotFound)
    raise remote.IdentityUnavailable(
        f"The identity service ({settings.IDENTITY_URL}) refuses this region's service token."
    )


def validate(secret: str) -> Principal | None:
    """The principal of a valid token (from this process's cache when it was validated less
    than IDENTITY_CACHE_SECONDS ago and has not expired since), or None when the identity
    service says it is not valid; IdentityUnavailable when it cannot be asked."""
    key = digest(secret)
    cached = CACHE.get(key)
    if cached is not None:
        return cached
    principal = _ask(secret)
    if principal is None or principal.expires_at is None:
        CACHE.forget(key)
        return None
    CACHE.put(key, principal, settings.IDENTITY_CACHE_SECONDS)
    if principal.project_id:
        shadow_project(principal.project_id, principal.project_name)
    return principal


def service_get(path: str) -> remote.Answer:
    """``GET path`` at the identity service with this region's service token, obtained
    again once if the answer says it was refused."""
    answer = remote.call("GET", path, token=service_token())
    if answer.status == 401:
        answer = remote.call("GET", path, token=service_token(refresh=True))
    return answer


def known_project(project_id: str) -> bool:
    """Whether the identity service knows project ``project_id`` (asked with the service
    token; a project it knows is shadowed here)."""
    if not project_id or "/" in project_id or "?" in project_id:
        return False
    answer = service_get(f"/projects/{project_id}")
    if answer.status != 200 or not isinstance(answer.body, dict):
        return False
    project = answer.body["project"]
    shadow_project(project["id"], project["name"], project.get("domain_id") or DEFAULT_DOMAIN_ID)
    return True


def shadow_project(project_id: str, name: str, domain_id: str = DEFAULT_DOMAIN_ID) -> Project:
    """The local shadow of the identity service's project ``project_id``: created on first
    sight, renamed when its name changed there (a shadow holding the name before is renamed
    to its id, since it no longer has it at the identity service)."""
    found = Project.objects.filter(pk=project_id).first()
    if found is not None and (found.name, found.domain_id) == (name, domain_id):
        return found
    with transaction.atomic():
        Project.objects.filter(domain_id=domain_id, name=name).exclude(pk=project_id).update(name=f"renamed-{hex_id()}")
        try:
            with transaction.atomic():
                project, _ = Project.objects.update_or_create(
                    pk=project_id, defaults={"name": name, "domain_id": domain_id}
                )
        except IntegrityError:  # another request made it at the same moment
            project = Project.objects.get(pk=project_id)
    return project
