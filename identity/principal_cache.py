"""A process's short memory of validated tokens: the principal each stands for, keyed by the
token's SHA-256 (the token itself is never kept), for a bounded time and never past the
token's own expiry. The API's own validation (``identity.token_cache``) and a region's
validation at the shared identity service (``identity.remote_tokens``) each keep one, with
their own time bound and clock; only valid tokens are ever put in."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .tokens import Principal


class PrincipalCache:
    """Principals by token digest, each until its own deadline, at most ``max_entries``."""

    def __init__(self, clock: Callable[[], float], max_entries: int = 10_000) -> None:
        self._clock = clock
        self._max_entries = max_entries
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()
        #: Bumped by every ``clear``: an answer read before a clear is not kept after it (it
        #: may predate the revocation the clear is for).
        self.generation = 0

    def get(self, key: str) -> Principal | None:
        """The principal kept under ``key``, while its time lasts."""
        entry = self._entries.get(key)
        if entry is not None and entry[1] > self._clock():
            return entry[0]
        return None

    def put(self, key: str, principal: Principal, seconds: float, *, generation: int | None = None) -> None:
        """Keep ``principal`` for ``seconds`` and never past its token's expiry; not at all
        when the cache was cleared since ``generation`` was read."""
        now = self._clock()
        until = now + seconds
        if principal.expires_at is not None:
            until = min(until, now + principal.expires_at.timestamp() - time.time())
        with self._lock:
            if generation is not None and generation != self.generation:
                return
            if len(self._entries) >= self._max_entries:
                # Expired entries go first; a cache still full of live ones starts again (one
                # token per client is the usual case: this only bounds the memory).
                self._entries = {k: entry for k, entry in self._entries.items() if entry[1] > now}
                if len(self._entries) >= self._max_entries:
                    self._entries.clear()
            self._entries[key] = (principal, until)

    def forget(self, key: str) -> None:
        """Drop what is kept under ``key``."""
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self.generation += 1
            self._entries.clear()
