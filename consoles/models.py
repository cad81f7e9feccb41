"""The console authorization a console URL carries (Nova's console_auth_tokens table)."""

from __future__ import annotations

from django.db import models


class ConsoleAuthToken(models.Model):
    """One console URL's authorization: whoever holds the token may connect to the guest's
    console at ``host``:``port`` until ``expires``.

    Only the SHA-256 of the token is stored (``token_hash``), as Nova does: the token itself is
    in the URL given to the client and nowhere else. ``compute_host`` is the server's host
    when the token was made; a token is valid only while the server is there and not deleted
    (Nova deletes a server's tokens when it is deleted or moved)."""

    token_hash = models.CharField(max_length=64, unique=True)
    console_type = models.CharField(max_length=32)
    instance_uuid = models.UUIDField(db_index=True)
    compute_host = models.CharField(max_length=255)
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField()
    internal_access_path = models.CharField(max_length=255, null=True, blank=True)
    access_url_base = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.console_type} console of {self.instance_uuid} until {self.expires:%Y-%m-%d %H:%M:%S}"
