"""Which images a caller sees (Glance's default visibility, without member lists).

Admins see everything that is not deleted. Other callers see public and community images
and their own project's (private or shared). An image a caller cannot see does not exist for
them (404). Who may change what they see is ``core.policy``, enforced by ``images.services``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.exceptions import NotFound
from core.ids import parse_uuid
from core.principal import Caller

from .models import Image


def visible_images(caller: Caller) -> QuerySet[Image]:
    """The images ``caller`` may see (deleted ones are nobody's)."""
    images = Image.objects.exclude(status="deleted")
    if caller.is_admin:
        return images
    return images.filter(Q(visibility__in=["public", "community"]) | Q(owner=caller.project_id))


def find_image(caller: Caller, image_id: str) -> Image:
    """The image ``image_id`` if the caller may see it, else NotFound (also for a non-UUID id,
    so that a name in the id position is a 404, as the client's name lookup needs)."""
    key = parse_uuid(image_id)
    image = visible_images(caller).filter(id=key).first() if key is not None else None
    if image is None:
        raise NotFound(f"No image found with ID {image_id}")
    return image
