"""Server fields of the later microversions, loaded for a page of servers at once: the
properties of the embedded image (2.98) and the scheduler hints (2.100). Kept apart from
representation.py, which the core server representation owns."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from core.ids import parse_uuid
from images.models import Image

#: Image properties Nova knows by name besides the hw_, img_ and os_ families (its
#: ImageMetaProps fields and their legacy names): only these are shown in a server.
NAMED_IMAGE_PROPERTIES = frozenset(
    {
        "architecture",
        "auto_disk_config",
        "hypervisor_type",
        "hypervisor_version_requires",
        "ipxe_boot",
        "owner_id",
        "vm_mode",
        "vmware_disktype",
        "vmware_image_version",
        "vmware_linked_clone",
        "vmware_ostype",
        "xenapi_device_id",
        "xenapi_image_compression_level",
        "xenapi_use_agent",
    }
)
KNOWN_IMAGE_PROPERTY_PREFIXES = ("hw_", "img_", "os_")


def is_known_image_property(name: str) -> bool:
    """Whether Nova copies an image property into the server (its standard names only:
    ``traits:*`` and free-form properties stay with the image)."""
    return name.startswith(KNOWN_IMAGE_PROPERTY_PREFIXES) or name in NAMED_IMAGE_PROPERTIES


def image_properties(image_refs: Iterable[str]) -> dict[str, dict[str, str]]:
    """The standard properties of each image, by image id, as strings (Nova keeps them as
    system metadata strings): one query for a page of servers. An image deleted since has
    none to show."""
    ids = {parsed for parsed in (parse_uuid(ref) for ref in image_refs if ref) if parsed is not None}
    if not ids:
        return {}
    found: dict[str, dict[str, str]] = {}
    for image_id, properties in Image.objects.filter(id__in=ids).values_list("id", "properties"):
        found[str(image_id)] = {
            name: str(value)
            for name, value in (properties or {}).items()
            if is_known_image_property(name) and value is not None
        }
    return found


def scheduler_hints(hints: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """The hints a server was booted with as Nova's request spec keeps them: each value a
    list of strings (a single value becomes a one-item list); none given is ``{}``."""
    shown: dict[str, list[str]] = {}
    for name, value in (hints or {}).items():
        values = value if isinstance(value, list) else [value]
        shown[name] = [item if isinstance(item, str) else json.dumps(item) for item in values]
    return shown
