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

import time

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import tokens
from .models import Project, Token, User
from .principal_cache import PrincipalCache

#: The validated tokens of this process, on the monotonic clock.
CACHE = PrincipalCache(time.monotonic)


def validate(secret: str) -> tokens.Principal | None:
    """`tokens.validate`, answered from the cache while the entry is fresh."""
    ttl = settings.TOKEN_CACHE_SECONDS
    if ttl <= 0:
        return tokens.validate(secret)
    key = tokens.digest(secret)
    cached = CACHE.get(key)
    if cached is not None:
        return cached
    generation = CACHE.generation
    principal = tokens.validate(secret)
    if principal is not None:
        CACHE.put(key, principal, ttl, generation=generation)
    return principal


def clear() -> None:
    """Forget every cached token (a token was revoked, or a user or project changed): now,
    and again when the transaction that made the change commits, so that no answer read
    between the two (the change not yet visible) stays cached."""
    CACHE.clear()
    transaction.on_commit(CACHE.clear)


def _changed(sender: type, instance: object, created: bool = False, **kwargs: object) -> None:
    """A user, project or token saved or deleted (a new token changes no cached answer)."""
    if not (created and sender is Token):
        clear()


for _model in (Token, User, Project):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"token-cache-{_model.__name__}-save")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"token-cache-{_model.__name__}-delete")
