"""Flavors: the sizes a server can be built with."""

from __future__ import annotations

import uuid

from django.db import models


def new_flavor_id() -> str:
    return str(uuid.uuid4())


class Flavor(models.Model):
    """A server size. `flavorid` is the id the API shows; a server keeps a snapshot of its
    flavor (Server.flavor) so later edits or deletion of the flavor never change it."""

    flavorid = models.CharField(max_length=255, unique=True, default=new_flavor_id)
    name = models.CharField(max_length=255, unique=True)
    vcpus = models.PositiveIntegerField()
    memory_mb = models.PositiveIntegerField()
    root_gb = models.PositiveIntegerField(default=0)
    ephemeral_gb = models.PositiveIntegerField(default=0)
    swap = models.PositiveIntegerField(default=0)
    rxtx_factor = models.FloatField(default=1.0)
    is_public = models.BooleanField(default=True)
    disabled = models.BooleanField(default=False)
    description = models.TextField(null=True, blank=True)
    extra_specs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["memory_mb", "flavorid"]

    def __str__(self) -> str:
        return self.name

    def snapshot(self) -> dict:
        """The copy of this flavor a server keeps for its lifetime."""
        return {
            "flavorid": self.flavorid,
            "name": self.name,
            "vcpus": self.vcpus,
            "memory_mb": self.memory_mb,
            "root_gb": self.root_gb,
            "ephemeral_gb": self.ephemeral_gb,
            "swap": self.swap,
            "extra_specs": dict(self.extra_specs),
        }


class FlavorAccess(models.Model):
    """A project allowed to use a private flavor."""

    flavor = models.ForeignKey(Flavor, on_delete=models.CASCADE, related_name="access")
    project_id = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flavor", "project_id"], name="flavor_access_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} may use {self.flavor}"
