"""Who may see and change which image (Glance's default policy, without member lists).

Admins see everything that is not deleted. Other callers see public and community images
and their own project's (private or shared). An image a caller cannot see does not exist for
them (404); one they can see but do not own is read-only (403).
"""

from __future__ import annotations

import uuid
from typing import Protocol

from django.db.models import Q, QuerySet

from core.exceptions import Forbidden, NotFound

from .models import Image


class Caller(Protocol):
    """What the rules need from a caller (identity.tokens.Principal fits)."""

    project_id: str

    @property
    def is_admin(self) -> bool: ...


def visible_images(caller: Caller) -> QuerySet[Image]:
    images = Image.objects.exclude(status="deleted")
    if caller.is_admin:
        return images
    return images.filter(Q(visibility__in=["public", "community"]) | Q(owner=caller.project_id))


def find_image(caller: Caller, image_id: str) -> Image:
    """The image `image_id` if the caller may see it, else NotFound (also for a non-UUID id,
    so that a name in the id position is a 404, as the client's name lookup needs)."""
    try:
        key = uuid.UUID(str(image_id))
    except ValueError:
        raise NotFound(f"No image found with ID {image_id}") from None
    image = visible_images(caller).filter(id=key).first()
    if image is None:
        raise NotFound(f"No image found with ID {image_id}")
    return image


def require_owner(caller: Caller, image: Image, action: str) -> None:
    """Forbidden unless the caller is an admin or the image's owner project."""
    if not caller.is_admin and image.owner != caller.project_id:
        raise Forbidden(f"You are not permitted to {action} this image.")


def check_visibility(caller: Caller, visibility: str) -> None:
    """Only admins may make an image public (Glance's publicize_image rule)."""
    if visibility == "public" and not caller.is_admin:
        raise Forbidden("You are not authorized to complete publicize_image action.")


def check_owner_value(caller: Caller, owner: object) -> None:
    """Only admins may give an image to another project."""
    if not caller.is_admin and owner != caller.project_id:
        raise Forbidden("You are not permitted to create images owned by another project.")
