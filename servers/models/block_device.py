"""Block device mappings (Nova's BDM v2): what a server was asked to boot from and attach."""

from __future__ import annotations

from django.db import models


class BlockDeviceMapping(models.Model):
    """One entry of a create's ``block_device_mapping_v2`` (or its legacy form), kept with the
    server. Invariants: ``destination_type`` "volume" rows name their volume in ``volume_id``
    once it exists (for source "image" and "blank" the conductor creates it during the build,
    so it is null until then); ``boot_index`` 0 is the root disk, null or negative is not
    bootable; at most one row per server has boot_index 0. The attachment itself (device,
    status) is the VolumeAttachment of the same volume: one record of an attachment, not two."""

    SOURCE_TYPES = ("image", "volume", "snapshot", "blank")
    DESTINATION_TYPES = ("volume", "local")

    server = models.ForeignKey("servers.Server", on_delete=models.CASCADE, related_name="block_devices")
    source_type = models.CharField(max_length=16, choices=[(s, s) for s in SOURCE_TYPES])
    destination_type = models.CharField(max_length=16, choices=[(d, d) for d in DESTINATION_TYPES])
    boot_index = models.IntegerField(null=True, blank=True)
    delete_on_termination = models.BooleanField(default=False)
    volume_size = models.PositiveIntegerField(null=True, blank=True, help_text="GiB")
    device_name = models.CharField(max_length=255, null=True, blank=True)
    volume_id = models.UUIDField(null=True, blank=True, db_index=True)
    image_id = models.UUIDField(null=True, blank=True)
    snapshot_id = models.UUIDField(null=True, blank=True)
    disk_bus = models.CharField(max_length=255, null=True, blank=True)
    device_type = models.CharField(max_length=255, null=True, blank=True)
    guest_format = models.CharField(max_length=255, null=True, blank=True)
    tag = models.CharField(max_length=60, null=True, blank=True)
    volume_type = models.CharField(max_length=255, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["server_id", "id"]

    def __str__(self) -> str:
        return f"{self.source_type}->{self.destination_type} boot_index={self.boot_index} of {self.server_id}"

    @property
    def made_for_server(self) -> bool:
        """Whether the build created the volume (from an image, a snapshot, or blank)."""
        return self.destination_type == "volume" and self.source_type != "volume"
