"""Instance actions and their events: the audit trail of every operation on a server."""

from __future__ import annotations

from django.db import models


class InstanceAction(models.Model):
    """One user request on a server (create, delete, stop, ...). `message` becomes "Error"
    when any of its events failed."""

    server = models.ForeignKey("servers.Server", on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=64)
    request_id = models.CharField(max_length=64, db_index=True)
    user_id = models.CharField(max_length=64)
    project_id = models.CharField(max_length=64)
    start_time = models.DateTimeField(auto_now_add=True)
    finish_time = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    message = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        ordering = ["-start_time", "-id"]
        # A server's actions, newest first and paged (core.paging), on this index.
        indexes = [models.Index(fields=["server", "start_time", "id"], name="action_server_start_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.request_id}"


class InstanceActionEvent(models.Model):
    """One step of an action (e.g. conductor_schedule, compute_build_and_run_instance)."""

    action = models.ForeignKey(InstanceAction, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(max_length=255)
    start_time = models.DateTimeField(auto_now_add=True)
    finish_time = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=32, null=True, blank=True)
    traceback = models.TextField(null=True, blank=True)
    host = models.CharField(max_length=255, null=True, blank=True)
    details = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["start_time", "id"]
        constraints = [models.UniqueConstraint(fields=["action", "event"], name="action_event_unique")]
        indexes = [
            # The dashboard's latest failed steps: a few index entries, however many events.
            models.Index(
                fields=["-start_time", "-id"], condition=models.Q(result="Error"), name="event_failed_latest_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.result}"
