"""Block device mappings an image defines (Nova's compute API _get_image_defined_bdms and
_merge_bdms_lists): an image made by createImage of a volume-backed server carries
``bdm_v2`` True and a JSON ``block_device_mapping`` property listing its volumes' snapshots;
booting from that image maps each one again (a snapshot becomes a new volume), the root one
replacing the image's own root disk."""

from __future__ import annotations

import json

from images.models import Image

from .block_devices import BlockDevice, parse_v2

TRUE = ("true", "1", "yes", "on", "y", "t")


def _entries(properties: dict) -> list[dict]:
    if str(properties.get("bdm_v2", "")).strip().lower() not in TRUE:
        return []
    raw = properties.get("block_device_mapping")
    try:
        entries = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return []
    return [entry for entry in entries or [] if isinstance(entry, dict) and not entry.get("no_device")]


def image_defined(properties: dict) -> list[BlockDevice]:
    """The mappings an image's properties define, in BDM v2 form (none for an ordinary image)."""
    requests = []
    for entry in _entries(properties):
        source = entry.get("source_type") or "volume"
        uuid = {"snapshot": entry.get("snapshot_id"), "volume": entry.get("volume_id"), "image": entry.get("image_id")}
        requests.append({**entry, "uuid": uuid.get(source)})
    return parse_v2(requests)


def with_image_mappings(image: Image | None, requested: list[BlockDevice]) -> list[BlockDevice]:
    """The create's mappings merged with those of its image (`lookup.visible_image`: the one
    the imageRef names, if the caller sees it): the request's override the image's of the same
    device name and, when the image defines a root, the request's image-to-root mapping (the
    one clients add for --image) goes."""
    defined = image_defined(image.properties or {}) if image is not None else []
    if not defined:
        return requested
    if any(bdm.boot_index == 0 for bdm in defined):
        requested = [bdm for bdm in requested if not (bdm.boot_index == 0 and bdm.source_type == "image")]
    names = {bdm.device_name for bdm in requested if bdm.device_name}
    return requested + [bdm for bdm in defined if bdm.device_name not in names]
