"""Images (a Glance v2 subset). Snapshots and backups of servers are images too."""

from __future__ import annotations

import uuid

from django.db import models


class Image(models.Model):
    """A bootable disk image. Its bytes live in settings.IMAGE_DIR under the image id; the
    record may exist before the bytes (status queued/saving), as Glance's does.

    Invariants (kept by images.store, the only writer of status and bytes):
    - status "active" means the file exists and size/checksum/os_hash_value describe it;
    - status "deleted" is a tombstone: the row stays (servers keep pointing at it), the file is
      gone, and every API answers 404 for it;
    - `properties` holds Glance's additional properties: string keys to string values.
    """

    STATUSES = ("queued", "saving", "active", "killed", "deleted", "deactivated")
    VISIBILITIES = ("public", "private", "shared", "community")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    status = models.CharField(max_length=16, default="queued", choices=[(s, s) for s in STATUSES])
    visibility = models.CharField(max_length=16, default="shared", choices=[(v, v) for v in VISIBILITIES])
    owner = models.CharField(max_length=64, null=True, blank=True)
    disk_format = models.CharField(max_length=16, null=True, blank=True)
    container_format = models.CharField(max_length=16, null=True, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    # Bytes the disk presents to a guest (qemu-img's virtual-size); None when unknown.
    virtual_size = models.BigIntegerField(null=True, blank=True)
    checksum = models.CharField(max_length=32, null=True, blank=True)
    os_hash_algo = models.CharField(max_length=16, null=True, blank=True)
    os_hash_value = models.CharField(max_length=128, null=True, blank=True)
    min_disk = models.IntegerField(default=0)
    min_ram = models.IntegerField(default=0)
    protected = models.BooleanField(default=False)
    properties = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        # GET /v2/images pages on (created_at, id) either way (core.paging).
        indexes = [
            models.Index(fields=["created_at", "id"], name="image_created_idx"),
            # The other sort keys of the list (images.api.sorting), each with its tie-breakers.
            *(
                models.Index(fields=[key, "created_at", "id"], name=f"image_sort_{short}_idx")
                for key, short in (
                    ("name", "name"),
                    ("status", "status"),
                    ("container_format", "container"),
                    ("disk_format", "disk"),
                    ("size", "size"),
                    ("updated_at", "updated"),
                )
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.id)
