"""Server tags (microversion 2.26): short strings a project attaches to its servers."""

from __future__ import annotations

from django.db import models

from .server import Server

MAX_TAG_COUNT = 50  # nova/objects/instance.py MAX_TAG_COUNT
MAX_TAG_LENGTH = 60  # nova/objects/tag.py MAX_TAG_LENGTH


class ServerTag(models.Model):
    """One tag of one server; a server has each tag at most once and at most MAX_TAG_COUNT."""

    server = models.ForeignKey(Server, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=MAX_TAG_LENGTH)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["server", "tag"], name="server_tag_unique")]
        ordering = ["tag"]

    def __str__(self) -> str:
        return self.tag
