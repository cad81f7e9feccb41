"""Quota limits per project (and per user within a project, and per quota class) and the usage
counted against them."""

from __future__ import annotations

from django.db import models


class QuotaLimit(models.Model):
    """A project's own limit for a resource; without a row, settings.QUOTA_DEFAULTS applies.
    -1 means unlimited."""

    project_id = models.CharField(max_length=64)
    resource = models.CharField(max_length=64)
    hard_limit = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project_id", "resource"], name="quota_limit_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.resource}={self.hard_limit}"


class UserQuotaLimit(models.Model):
    """A user's own limit for a resource within a project (PUT /os-quota-sets/{project}
    ?user_id=); without a row, the project's limit applies. -1 means unlimited."""

    project_id = models.CharField(max_length=64)
    user_id = models.CharField(max_length=255)
    resource = models.CharField(max_length=64)
    hard_limit = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project_id", "user_id", "resource"], name="user_quota_limit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.user_id} {self.resource}={self.hard_limit}"


class QuotaClassLimit(models.Model):
    """A quota class's limit for a resource (os-quota-class-sets). The class "default" holds
    the defaults every project starts with, over settings.QUOTA_DEFAULTS."""

    class_name = models.CharField(max_length=255)
    resource = models.CharField(max_length=64)
    hard_limit = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["class_name", "resource"], name="quota_class_limit_unique")]

    def __str__(self) -> str:
        return f"{self.class_name} {self.resource}={self.hard_limit}"


class QuotaUsage(models.Model):
    """What a project uses of a resource. Changed only by servers.quotas, under a row lock, so
    that in_use never exceeds the limit however many requests race."""

    project_id = models.CharField(max_length=64)
    resource = models.CharField(max_length=64)
    in_use = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project_id", "resource"], name="quota_usage_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.resource} in use {self.in_use}"
