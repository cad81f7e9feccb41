"""Volumes and their snapshots (a Cinder v3 subset). A volume is a file,
settings.VOLUME_DIR/<volume id>; a snapshot is a file, settings.VOLUME_DIR/snapshots/<snapshot id>."""

from __future__ import annotations

import uuid

from django.db import models


class Volume(models.Model):
    """A block device backed by one file, qcow2 when qemu-img is installed, else sparse raw
    (`file_format` says which, for the hypervisor's disk definition).

    Invariants (volumes.store is the only writer of status, size, the file and the attachment):
    - available, in-use, attaching, detaching, extending: the file exists and its virtual
      size is `size` GiB (extending: `size` is still the old size until the resize is done);
    - error: creation or an extend failed; `error_message` says why;
    - `attached_server_uuid` is set exactly while status is attaching, in-use or detaching.
      It is this table's only record of an attachment, kept so that the status change and the
      holder change are one compare-and-swap; the servers app owns VolumeAttachment (device,
      and so on). A volume is attached to at most one server (no multiattach).
    """

    STATUSES = ("creating", "available", "in-use", "deleting", "error", "extending", "attaching", "detaching")
    ATTACHED = ("attaching", "in-use", "detaching")
    FILE_FORMATS = ("raw", "qcow2")
    DEFAULT_TYPE = "__DEFAULT__"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    description = models.CharField(max_length=255, null=True, blank=True)
    project_id = models.CharField(max_length=64, db_index=True)
    user_id = models.CharField(max_length=64)
    size = models.PositiveIntegerField(help_text="GiB")
    status = models.CharField(max_length=16, default="creating", choices=[(s, s) for s in STATUSES], db_index=True)
    error_message = models.TextField(blank=True, default="")
    bootable = models.BooleanField(default=False)
    source_image_id = models.UUIDField(null=True, blank=True)
    # The snapshot the volume was made from (Cinder's snapshot_id); the snapshot may be gone since.
    snapshot_id = models.UUIDField(null=True, blank=True, db_index=True)
    # The source image's metadata when the volume was made (Cinder's volume_image_metadata).
    image_metadata = models.JSONField(default=dict, blank=True)
    volume_type = models.CharField(max_length=255, default=DEFAULT_TYPE)
    availability_zone = models.CharField(max_length=255, default="nova")
    file_format = models.CharField(max_length=8, default="raw", choices=[(f, f) for f in FILE_FORMATS])
    metadata = models.JSONField(default=dict, blank=True)
    attached_server_uuid = models.UUIDField(null=True, blank=True, db_index=True)
    attached_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The volume list pages newest first on this index (core.paging).
        indexes = [
            models.Index(fields=["created_at", "id"], name="volume_created_idx"),
            # The other sort keys of the list (volumes.api.sorting), with its tie-breakers.
            *(
                models.Index(fields=[key, "created_at", "id"], name=f"volume_sort_{key}_idx")
                for key in ("name", "status", "size", "updated_at")
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.id)

    @property
    def attach_status(self) -> str:
        """Cinder's attach_status, derived from status."""
        return {"attaching": "attaching", "in-use": "attached", "detaching": "detaching"}.get(self.status, "detached")


class Snapshot(models.Model):
    """A point-in-time copy of a volume's file (Cinder's snapshot), itself a file.

    Invariants (volumes.snapshot_store is the only writer of status, the file and progress):
    - creating: the row exists, the copy is being made; available: the file exists and holds
      the volume's data as it was, `size` (the volume's size then, GiB) is its virtual size;
    - error: the copy failed (`error_message` says why), no file; deleting: the file is being
      removed; error_deleting: removing it failed;
    - while any snapshot of a volume exists, the volume cannot be deleted (unless cascade),
      so `volume` always names an existing volume.
    """

    STATUSES = ("creating", "available", "deleting", "error", "error_deleting")
    # Statuses os-reset_status accepts: Cinder's SnapshotStatus.ALL (cinder/objects/fields.py).
    RESET_STATUSES = (
        "error",
        "available",
        "creating",
        "deleting",
        "deleted",
        "updating",
        "error_deleting",
        "unmanaging",
        "backing-up",
        "restoring",
    )
    DELETABLE = ("available", "error")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # DO_NOTHING: whether a volume with snapshots may go is volumes.store's rule (refused, or
    # cascade), so the admin shows the service's refusal; the database's foreign key still
    # makes a dangling snapshot impossible.
    volume = models.ForeignKey(Volume, on_delete=models.DO_NOTHING, related_name="snapshots")
    name = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    description = models.CharField(max_length=255, null=True, blank=True)
    project_id = models.CharField(max_length=64, db_index=True)
    user_id = models.CharField(max_length=64)
    size = models.PositiveIntegerField(help_text="GiB: the volume's size when the snapshot was taken")
    status = models.CharField(
        max_length=16, default="creating", choices=[(s, s) for s in RESET_STATUSES], db_index=True
    )
    progress = models.CharField(max_length=8, default="0%")
    error_message = models.TextField(blank=True, default="")
    file_format = models.CharField(max_length=8, default="raw", choices=[(f, f) for f in Volume.FILE_FORMATS])
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The snapshot list pages newest first on this index (core.paging).
        indexes = [
            models.Index(fields=["created_at", "id"], name="snapshot_created_idx"),
            # The other sort keys of the list (volumes.api.sorting), with its tie-breakers.
            *(
                models.Index(fields=[key, "created_at", "id"], name=f"snapshot_sort_{key}_idx")
                for key in ("name", "status", "size", "updated_at")
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.id)
