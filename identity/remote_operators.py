"""The operator console's login in a region that shares another region's identity
(IDENTITY_URL): the same rule as ``identity.backends`` (an enabled Keystone user of the Default
domain with the ``admin`` role on an enabled project is an operator), asked of the shared
identity service: the password by issuing a token with it, the rule with this region's service
token. A verdict is kept IDENTITY_CACHE_SECONDS in the process, so a console page does not ask
the identity service each time, and a revoked role ends the session within that time."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings

from . import remote, remote_tokens

_lock = threading.Lock()
_verdicts: dict[str, tuple[float, bool]] = {}


@dataclass(frozen=True)
class RemoteAccount:
    """A user of the shared identity service, as the console's shadow user needs it."""

    id: str
    name: str
    email: str


def clear() -> None:
    """Forget every cached verdict (tests)."""
    with _lock:
        _verdicts.clear()


def password_account(name: str, password: str) -> RemoteAccount | None:
    """The shared identity service's user ``name`` (Default domain) if ``password`` is theirs
    (a token is issued with it, as the password method checks it there); else None."""
    # The user's default project, or unscoped: the password is what counts.
    answer = remote.issue(name, password, "")
    if answer.status != 201 or not isinstance(answer.body, dict):
        return None
    user = answer.body["token"]["user"]
    found = _ask(f"/users/{quote(user['id'], safe='')}").get("user") or {}
    return RemoteAccount(user["id"], user["name"], found.get("email") or "")


def is_operator(name: str) -> bool:
    """Whether the shared identity service's user ``name`` is an operator now (a verdict at
    most IDENTITY_CACHE_SECONDS old)."""
    now = time.time()
    with _lock:
        cached = _verdicts.get(name)
    if cached is not None and cached[0] > now:
        return cached[1]
    verdict = _operator(name)
    with _lock:
        _verdicts[name] = (now + settings.IDENTITY_CACHE_SECONDS, verdict)
    return verdict


def _operator(name: str) -> bool:
    users = _ask(f"/users?name={quote(name, safe='')}&domain_id=default").get("users") or []
    if not users or not users[0].get("enabled", True):
        return False
    roles = _ask("/roles?name=admin").get("roles") or []
    if not roles:
        return False
    query = f"/role_assignments?user.id={quote(users[0]['id'], safe='')}&role.id={quote(roles[0]['id'], safe='')}"
    granted = {row["scope"]["project"]["id"] for row in _ask(query).get("role_assignments") or []}
    enabled = {row["id"] for row in _ask("/projects?enabled=true").get("projects") or []}
    return bool(granted & enabled)


def _ask(path: str) -> dict:
    """``GET path`` with the service token (obtained again once if refused); {} unless 200."""
    answer = remote_tokens.service_get(path)
    return answer.body if answer.status == 200 and isinstance(answer.body, dict) else {}
