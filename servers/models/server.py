"""The server (instance) and its faults."""

from __future__ import annotations

import uuid

from django.db import models

from servers.states import PowerState, VmState

# The columns GET /servers sorts by (servers.services.listing.SORT_KEYS) besides created_at and
# uuid (their own indexes): each has an index on (column, created_at, id), the order of a
# sort on it with Nova's tie-breakers, walked forwards for asc and backwards for desc.
# Their leading column also serves lookups by equality (project_id, host, vm_state, ...), so
# no column here has an index of its own beside them.
SORTED_COLUMNS = (
    "access_ip_v4",
    "access_ip_v6",
    "availability_zone",
    "config_drive",
    "description",
    "name",
    "host",
    "hostname",
    "image_ref",
    "key_name",
    "launch_index",
    "launched_at",
    "locked_by",
    "node",
    "power_state",
    "project_id",
    "task_state",
    "terminated_at",
    "updated_at",
    "user_id",
    "vm_state",
)


def instance_name_for(pk: int) -> str:
    """The hypervisor's name for the guest of the server whose row id is ``pk``
    (Nova's default instance_name_template, ``instance-%08x``)."""
    return f"instance-{pk:08x}"


class Server(models.Model):
    """A virtual machine. vm_state, task_state and power_state follow servers.states; every
    task_state change is a compare-and-swap (servers.actions), never a plain save. `host` and
    `node` are written only by workflows. A deleted server keeps its row (deleted=True) so
    its actions and faults stay readable by admins."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255)
    description = models.TextField(null=True, blank=True)
    hostname = models.CharField(max_length=255, blank=True, default="")
    project_id = models.CharField(max_length=64)
    user_id = models.CharField(max_length=64)
    flavor = models.JSONField(help_text="snapshot of the flavor at boot or last resize")
    image_ref = models.CharField(max_length=64, blank=True, default="")
    host = models.CharField(max_length=255, null=True, blank=True)
    node = models.CharField(max_length=255, null=True, blank=True)
    availability_zone = models.CharField(max_length=255, null=True, blank=True)
    requested_availability_zone = models.CharField(max_length=255, null=True, blank=True)
    vm_state = models.CharField(max_length=32, default=VmState.BUILDING)
    task_state = models.CharField(max_length=64, null=True, blank=True)
    power_state = models.IntegerField(default=PowerState.NOSTATE)
    locked = models.BooleanField(default=False)
    locked_by = models.CharField(max_length=16, null=True, blank=True)
    locked_reason = models.CharField(max_length=255, null=True, blank=True)
    key_name = models.CharField(max_length=255, null=True, blank=True)
    key_data = models.TextField(null=True, blank=True)
    user_data = models.TextField(null=True, blank=True)
    config_drive = models.CharField(max_length=16, blank=True, default="")
    # OS-DCF:diskConfig AUTO (True) or MANUAL (False), as Nova's auto_disk_config.
    auto_disk_config = models.BooleanField(default=False)
    access_ip_v4 = models.GenericIPAddressField(null=True, blank=True)
    access_ip_v6 = models.GenericIPAddressField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    reservation_id = models.CharField(max_length=32, blank=True, default="")
    launch_index = models.IntegerField(default=0)
    requested_networks = models.JSONField(default=list, blank=True)
    scheduler_hints = models.JSONField(default=dict, blank=True)
    # What the guest posted to the metadata service, encrypted with its key (os-server-password).
    password = models.TextField(blank=True, default="")
    launched_at = models.DateTimeField(null=True, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted = models.BooleanField(default=False, db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The scheduler's IO-ops count: servers on a host with a task in progress.
            models.Index(
                fields=["host"],
                condition=models.Q(task_state__isnull=False, deleted=False),
                name="server_busy_host_idx",
            ),
            # The default order (newest first); within one project, project_id's below.
            models.Index(fields=["created_at", "id"], name="server_created_sort_idx"),
            *(
                models.Index(fields=[column, "created_at", "id"], name=f"server_{column[:12]}_sort_idx")
                for column in SORTED_COLUMNS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.uuid})"

    @property
    def instance_name(self) -> str:
        """The hypervisor's name for this guest, as Nova's instance_name_template makes it."""
        return instance_name_for(self.pk)


class ServerFault(models.Model):
    """Why a server's last operation failed; the newest one is shown as `fault`."""

    server = models.ForeignKey(Server, on_delete=models.CASCADE, related_name="faults")
    code = models.IntegerField(default=500)
    message = models.CharField(max_length=255)
    details = models.TextField(blank=True, default="")
    host = models.CharField(max_length=255, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The dashboard's (and the fault list's) latest faults first, without a sort of them all.
        indexes = [models.Index(fields=["-created_at", "-id"], name="fault_latest_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.message}"
