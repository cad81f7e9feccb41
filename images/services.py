"""The image service layer (a Glance v2 subset): what the image API, the admin or a command
asks of images starts here.

Functions take a ``core.principal.Caller`` and typed arguments: a ``NewImage``, a list of
patch operations (``SetAttribute``, ``SetProperty``, ``RemoveProperty``) already read from the
JSON-patch document by ``images.api.validation``, an ``ImageQuery``. They look the image up as
the caller sees it (``images.access``: an image it cannot see is a 404), enforce Glance's rules
of ``core.policy`` (add_image, modify_image, publicize_image ...), and leave bytes and status
changes to ``images.store``."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Final

from django.db.models.fields.json import KeyTextTransform

from core import policy
from core.exceptions import BadRequest, Conflict, Forbidden, NotFound, OverLimit
from core.paging import NEWEST_FIRST, SortKey, keyset_page, marker_values
from core.principal import Caller

from . import access, store
from .models import Image

#: Glance's image_property_quota.
MAX_PROPERTIES = 128
DEFAULT_LIMIT = 25  # Glance's limit_param_default
FORMATS = ("disk_format", "container_format")

#: The value of a core attribute (name, visibility, owner, formats, min_disk, min_ram,
#: protected, tags), already checked against Glance's image schema.
AttributeValue = str | int | bool | list[str] | None


class CallerProject(enum.Enum):
    """The type of ``CALLER_PROJECT``."""

    CALLER_PROJECT = "caller's project"


#: A new image's default owner: the project of the caller that creates it.
CALLER_PROJECT: Final = CallerProject.CALLER_PROJECT


@dataclass(frozen=True)
class NewImage:
    """POST /v2/images: an image record, without data yet (status queued)."""

    image_id: uuid.UUID | None = None
    name: str | None = None
    visibility: str = "shared"
    owner: str | CallerProject | None = CALLER_PROJECT
    disk_format: str | None = None
    container_format: str | None = None
    min_disk: int = 0
    min_ram: int = 0
    protected: bool = False
    tags: tuple[str, ...] = ()
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SetAttribute:
    """add or replace of a core attribute."""

    name: str
    value: AttributeValue


@dataclass(frozen=True)
class SetProperty:
    """add (or, with ``must_exist``, replace) of an additional property."""

    key: str
    value: str
    must_exist: bool = False


@dataclass(frozen=True)
class RemoveProperty:
    """remove of an additional property (it must exist)."""

    key: str


PatchOperation = SetAttribute | SetProperty | RemoveProperty


@dataclass(frozen=True)
class ImageQuery:
    """GET /v2/images: exact-match filters (None: not filtered), and a page after ``marker``."""

    name: str | None = None
    status: str | None = None
    visibility: str | None = None
    owner: str | None = None
    ids: tuple[uuid.UUID, ...] | None = None
    limit: int = DEFAULT_LIMIT
    marker: str | None = None
    #: The compute API's image proxy also asks for: updated at or after, at least this
    #: min_ram / min_disk, and additional properties equal to these values.
    changes_since: datetime | None = None
    min_ram: int | None = None
    min_disk: int | None = None
    properties: dict[str, str] = field(default_factory=dict)
    #: The order (GET /v2/images' sort_key and sort_dir); the last key must be unique.
    order: tuple[SortKey, ...] = NEWEST_FIRST


#: The columns GET /v2/images sorts by (Glance's SUPPORTED_SORT_KEYS).
SORT_KEYS: Final = ("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at")


def image_order(keys: list[tuple[str, bool]]) -> tuple[SortKey, ...]:
    """The order of ``keys`` (column, descending), each one of SORT_KEYS (else 400), then, as
    Glance does, created_at and id where missing, in the first key's direction: the id makes
    each row's place unique, so a marker finds where the page ends."""
    if not keys:
        return NEWEST_FIRST
    for column, _ in keys:
        if column not in SORT_KEYS:
            raise BadRequest(f"Invalid sort key: {column}. It should be one of: {', '.join(SORT_KEYS)}.")
    order = [SortKey(column, descending) for column, descending in keys]
    for column in ("created_at", "id"):
        if column not in {key.column for key in order}:
            order.append(SortKey(column, keys[0][1]))
    unique = [key.column for key in order].index("id")
    return tuple(order[: unique + 1])  # keys after the unique id change no row's place


def _owner_target(owner: str | None) -> str:
    """The policy target's project for an image owned by ``owner``: an image without an owner
    belongs to no project, so only admins pass an OWNER rule on it (glance/api/v2/policy.py
    check_is_image_mutable)."""
    return owner or ""


def _check_property_quota(properties: dict[str, str]) -> None:
    if len(properties) > MAX_PROPERTIES:
        raise OverLimit(f"Maximum number of properties exceeded: at most {MAX_PROPERTIES}.")


def get_image(caller: Caller, image_id: str) -> Image:
    """An image the caller may see (else 404, a non-UUID id included)."""
    return access.find_image(caller, image_id)


def list_images(caller: Caller, query: ImageQuery) -> tuple[list[Image], bool]:
    """A page of the images the caller may see, newest first, and whether more follow. An
    unknown or invisible marker is a 400."""
    images = access.visible_images(caller)
    for name in ("name", "status", "visibility", "owner"):
        value = getattr(query, name)
        if value is not None:
            images = images.filter(**{name: value})
    if query.ids is not None:
        images = images.filter(id__in=query.ids)
    if query.changes_since is not None:
        images = images.filter(updated_at__gte=query.changes_since)
    if query.min_ram is not None:
        images = images.filter(min_ram__gte=query.min_ram)
    if query.min_disk is not None:
        images = images.filter(min_disk__gte=query.min_disk)
    for number, (key, value) in enumerate(sorted(query.properties.items())):
        # The key's text, whatever characters the key has (PostgreSQL and SQLite alike).
        images = images.annotate(**{f"_property{number}": KeyTextTransform(key, "properties")}).filter(
            **{f"_property{number}": value}
        )
    marker = None
    if query.marker:
        try:
            found = access.find_image(caller, query.marker)
        except NotFound:
            raise BadRequest(f"Invalid marker. Image {query.marker} could not be found.") from None
        marker = marker_values(Image.objects.all(), query.order, pk=found.pk)
    return keyset_page(images, query.order, limit=query.limit, marker=marker)


def create_image(caller: Caller, new: NewImage) -> Image:
    """Create an image record (add_image: owned by another project, admins only; a public
    one: publicize_image). 409 when the id asked for exists (deleted images' ids included)."""
    owner = caller.project_id if new.owner is CALLER_PROJECT else new.owner
    policy.enforce(caller, policy.IMAGE_ADD, project_id=_owner_target(owner))
    if new.visibility == "public":
        policy.enforce(caller, policy.IMAGE_PUBLICIZE)
    _check_property_quota(new.properties)
    return store.create_image(
        image_id=new.image_id,
        name=new.name,
        owner=owner,
        visibility=new.visibility,
        disk_format=new.disk_format,
        container_format=new.container_format,
        min_disk=new.min_disk,
        min_ram=new.min_ram,
        protected=new.protected,
        tags=list(new.tags),
        properties=new.properties,
    )


def _check_attribute(caller: Caller, image: Image, change: SetAttribute) -> None:
    """The rules on changing one core attribute of ``image``."""
    if change.name == "visibility" and change.value == "public":
        policy.enforce(caller, policy.IMAGE_PUBLICIZE)
    if change.name == "owner" and not policy.allows(caller, policy.IMAGE_CONTEXT_IS_ADMIN):
        raise Forbidden("Owner can't be updated by non admin.")
    if change.name in FORMATS and image.status != "queued":
        raise Forbidden(f"Attribute {change.name} can be only replaced for a queued image.")


def update_image(caller: Caller, image_id: str, operations: list[PatchOperation]) -> Image:
    """Apply patch operations in order (modify_image): core attributes change as asked, a
    property replaced or removed must exist (409). Everything is stored at once, or nothing."""
    image = access.find_image(caller, image_id)
    policy.enforce(caller, policy.IMAGE_MODIFY, project_id=_owner_target(image.owner))
    attributes: dict[str, AttributeValue] = {}
    properties = dict(image.properties or {})
    set_properties: dict[str, str] = {}
    removed: list[str] = []
    for operation in operations:
        if isinstance(operation, SetAttribute):
            _check_attribute(caller, image, operation)
            attributes[operation.name] = operation.value
        elif isinstance(operation, SetProperty):
            if operation.must_exist and operation.key not in properties:
                raise Conflict(f"Property {operation.key} does not exist.")
            properties[operation.key] = set_properties[operation.key] = operation.value
            if operation.key in removed:
                removed.remove(operation.key)
        else:
            if operation.key not in properties:
                raise Conflict(f"Property {operation.key} does not exist.")
            del properties[operation.key]
            set_properties.pop(operation.key, None)
            removed.append(operation.key)
    _check_property_quota(properties)
    return store.update_image(image, changes=attributes, set_properties=set_properties, remove_properties=removed)


def delete_image(caller: Caller, image_id: str) -> None:
    """Delete an image (delete_image): its data goes, its row stays as a tombstone. A
    protected image is refused (403)."""
    image = access.find_image(caller, image_id)
    policy.enforce(caller, policy.IMAGE_DELETE, project_id=_owner_target(image.owner))
    if not store.delete_image(image):
        raise Forbidden(f"Image {image.id} is protected and cannot be deleted.")


def upload_data(caller: Caller, image_id: str, source: BinaryIO | bytes) -> Image:
    """Store a queued image's data (upload_image); the image becomes active. 409 when it is
    not queued (one upload per image)."""
    image = access.find_image(caller, image_id)
    policy.enforce(caller, policy.IMAGE_UPLOAD, project_id=_owner_target(image.owner))
    return store.upload(image, source)


def open_data(caller: Caller, image_id: str) -> tuple[Image, BinaryIO | None]:
    """An image the caller may see, and its data opened for reading (None when it has none:
    not active, or deleted this instant). A deactivated image's data is for admins only."""
    image = access.find_image(caller, image_id)
    if image.status == "deactivated" and not policy.allows(caller, policy.IMAGE_CONTEXT_IS_ADMIN):
        raise Forbidden("The requested image has been deactivated. Image data download is forbidden.")
    if image.status != "active":
        return image, None
    try:
        # Left open on purpose: the view streams it, and the FileResponse closes it.
        return image, open(store.image_path(image.id), "rb")
    except FileNotFoundError:
        return image, None


def list_metadef_namespaces(caller: Caller) -> list[dict[str, object]]:
    """The metadata definitions namespaces the caller may see (Glance's
    get_metadef_namespaces, a reader's right, checked on every request): none, as this image
    service keeps no metadata definitions catalog."""
    return []
