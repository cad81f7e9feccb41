"""SSH keypairs, owned by a user."""

from __future__ import annotations

from django.db import models


class Keypair(models.Model):
    """A public key a user can inject into servers; names are unique per user."""

    name = models.CharField(max_length=255)
    user_id = models.CharField(max_length=64)
    project_id = models.CharField(max_length=64, blank=True, default="")
    public_key = models.TextField()
    fingerprint = models.CharField(max_length=255)
    type = models.CharField(max_length=16, default="ssh")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "name"], name="keypair_unique_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
