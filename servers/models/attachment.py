"""Volumes attached to servers (the servers side of os-volume_attachments)."""

from __future__ import annotations

import uuid

from django.db import models


class VolumeAttachment(models.Model):
    """A volume (volumes app, by id) attached to a server as `device`. `status` follows the
    attach and detach workflows: attaching → attached, detaching → (row deleted)."""

    STATUSES = ("attaching", "attached", "detaching", "error")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    server = models.ForeignKey("servers.Server", on_delete=models.CASCADE, related_name="volume_attachments")
    volume_id = models.UUIDField(db_index=True)
    device = models.CharField(max_length=64, null=True, blank=True)
    status = models.CharField(max_length=16, default="attaching", choices=[(s, s) for s in STATUSES])
    delete_on_termination = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["server", "volume_id"], name="volume_attachment_unique")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.volume_id} on {self.server_id} ({self.device})"
