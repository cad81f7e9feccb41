"""The compute API's image proxy (GET/DELETE /images, /images/{id}/metadata; Nova's
images.py and image_metadata.py, removed at 2.36 and 2.39): the image service's records as
the compute API shows them. Reads and deletes are the image service's own functions; the
metadata calls rewrite the image's additional properties through ``images.services`` (so
Glance's rules apply: modify_image, the property quota) after the compute quota on
metadata items, which Nova checks first (403)."""

from __future__ import annotations

from collections.abc import Mapping

from core.exceptions import NotFound, QuotaExceeded
from core.principal import Caller
from core.quotas import UNLIMITED, fits
from images import services as images
from images.models import Image

from . import quotas


def _image(caller: Caller, image_id: str) -> Image:
    try:
        return images.get_image(caller, image_id)
    except NotFound:
        raise NotFound("Image not found.") from None


def get_image(caller: Caller, image_id: str) -> Image:
    """GET /images/{id}: an image the caller may see (404 "Image not found." otherwise)."""
    return _image(caller, image_id)


def list_images(caller: Caller, query: images.ImageQuery) -> list[Image]:
    """GET /images[/detail]: one page of the images the caller may see, newest first."""
    rows, _more = images.list_images(caller, query)
    return rows


def delete_image(caller: Caller, image_id: str) -> None:
    """DELETE /images/{id}: the image service's delete (403 when protected or not the
    caller's to delete)."""
    _image(caller, image_id)
    images.delete_image(caller, image_id)


def _check_quota(caller: Caller, properties: Mapping[str, str]) -> None:
    """Nova's check_img_metadata_properties_quota: the project's metadata_items limit."""
    limit = quotas.limits_for(caller.project_id).get("metadata_items", UNLIMITED)
    if properties and not fits(limit, 0, len(properties)):
        raise QuotaExceeded("Image metadata limit exceeded")


def metadata(caller: Caller, image_id: str) -> dict[str, str]:
    """GET /images/{id}/metadata: the image's additional properties."""
    return dict(_image(caller, image_id).properties or {})


def metadata_item(caller: Caller, image_id: str, key: str) -> dict[str, str]:
    """GET /images/{id}/metadata/{key}: {key: value}, 404 when the image has no such key."""
    properties = metadata(caller, image_id)
    if key not in properties:
        raise NotFound("Image metadata item was not found.")
    return {key: properties[key]}


def set_metadata(caller: Caller, image_id: str, values: Mapping[str, str], *, replace: bool) -> dict[str, str]:
    """POST (merge) or PUT (``replace``: keys not given are removed) /images/{id}/metadata;
    the image's properties afterwards."""
    current = metadata(caller, image_id)
    wanted = dict(values) if replace else {**current, **values}
    _check_quota(caller, wanted)
    operations: list[images.PatchOperation] = [images.SetProperty(key, value) for key, value in values.items()]
    operations += [images.RemoveProperty(key) for key in current if key not in wanted]
    return dict(images.update_image(caller, image_id, operations).properties or {})


def delete_metadata_item(caller: Caller, image_id: str, key: str) -> None:
    """DELETE /images/{id}/metadata/{key}: 404 when the image has no such key."""
    if key not in metadata(caller, image_id):
        raise NotFound("Invalid metadata key")
    images.update_image(caller, image_id, [images.RemoveProperty(key)])
