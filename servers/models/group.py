"""Server groups: affinity and anti-affinity policies and their members."""

from __future__ import annotations

import uuid

from django.db import models


class ServerGroup(models.Model):
    """A placement policy shared by its member servers."""

    POLICIES = ("affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255)
    project_id = models.CharField(max_length=64)
    user_id = models.CharField(max_length=64)
    policy = models.CharField(max_length=32, choices=[(p, p) for p in POLICIES])
    rules = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.policy})"


class ServerGroupMember(models.Model):
    """A server in a group; a server belongs to at most one group."""

    group = models.ForeignKey(ServerGroup, on_delete=models.CASCADE, related_name="members")
    server = models.OneToOneField("servers.Server", on_delete=models.CASCADE, related_name="group_membership")

    def __str__(self) -> str:
        return f"{self.server_id} in {self.group}"
