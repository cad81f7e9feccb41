"""Whether a server boots from a volume, and what that changes for operations on it (Nova's
compute_utils.is_volume_backed_instance and its callers): rebuild keeps the root volume,
shelve takes no image and offloads at once."""

from __future__ import annotations

from core.exceptions import BadRequest
from volumes.models import Volume

from ..models import BlockDeviceMapping, Server


def root_mapping(server: Server) -> BlockDeviceMapping | None:
    """The server's root volume mapping (boot_index 0, destination volume), if volume-backed."""
    return server.block_devices.filter(boot_index=0, destination_type="volume").first()


def is_volume_backed(server: Server) -> bool:
    """Whether the server boots from a volume."""
    return root_mapping(server) is not None


def check_rebuild_image(server: Server, image_id: str) -> None:
    """A volume-backed server is rebuilt only with the image its root volume holds (Nova
    before 2.93 does not re-image the volume): another image is 400, as Nova's
    ImageUnacceptable."""
    root = root_mapping(server)
    if root is None:
        return
    source = Volume.objects.filter(id=str(root.volume_id)).values_list("source_image_id", flat=True).first()
    if source is None or str(source) != image_id:
        raise BadRequest(
            f"Image {image_id} is unacceptable: Unable to rebuild with a different image for a volume-backed server."
        )
