"""A short-lived, per-process cache of validated tokens: the API's every request carries a
token, and checking it against the database (a joined query through the ORM) cost about a
tenth of a boot's API time.

What is cached: a valid token's `Principal`, keyed by the token's SHA-256 (the token itself is
never kept), for at most ``TOKEN_CACHE_SECONDS`` (settings; 0 turns the cache off) and never
past the token's own expiry. An unknown, revoked or expired token is never cached: every
request with one asks the database.

The bound: a token revoked, or whose user or project is disabled or deleted, stops working
at once in the process that made the change (every such change clears this process's cache:
`tokens.revoke`, `tokens.revoke_user_tokens`, and any save or delete of a token, user or
project) and within ``TOKEN_CACHE_SECONDS`` in every other process (the other gunicorn
workers). keystonemiddleware bounds the same window by its ``token_cache_time`` (300 s by
default); ours is seconds."""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import tokens
from .models import Project, Token, User

#: digest -> (principal, monotonic time after which the entry is not used).
_entries: dict[str, tuple[tokens.Principal, float]] = {}
_lock = threading.Lock()
#: Bumped by every clear(): an answer read from the database before a clear is not cached
#: after it (it may predate the revocation the clear is for).
_generation = 0
#: At most this many entries; past it the cache starts again empty (one token per client is
#: the usual case, so this is only a bound on memory).
MAX_ENTRIES = 10_000


def validate(secret: str) -> tokens.Principal | None:
    """`tokens.validate`, answered from the cache while the entry is fresh."""
    ttl = settings.TOKEN_CACHE_SECONDS
    if ttl <= 0:
        return tokens.validate(secret)
    key = tokens.digest(secret)
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[1] > now:
        return entry[0]
    generation = _generation
    principal = tokens.validate(secret)
    if principal is not None:
        until = now + ttl
        if principal.expires_at is not None:
            until = min(until, now + (principal.expires_at.timestamp() - time.time()))
        with _lock:
            if generation == _generation:
                if len(_entries) >= MAX_ENTRIES:
                    _entries.clear()
                _entries[key] = (principal, until)
    return principal


def clear() -> None:
    """Forget every cached token (a token was revoked, or a user or project changed): now,
    and again when the transaction that made the change commits, so that no answer read
    between the two (the change not yet visible) stays cached."""
    _forget()
    transaction.on_commit(_forget)


def _forget() -> None:
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def _changed(sender: type, instance: object, created: bool = False, **kwargs: object) -> None:
    """A user, project or token saved or deleted (a new token changes no cached answer)."""
    if not (created and sender is Token):
        clear()


for _model in (Token, User, Project):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"token-cache-{_model.__name__}-save")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"token-cache-{_model.__name__}-delete")
