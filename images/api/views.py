"""Image v2 API (read side for now): list with filters, show."""
from __future__ import annotations

import uuid

from django.db.models import Q
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from identity.catalog import base_url
from images.models import Image


def iso(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def image_document(image: Image) -> dict:
    """Glance's image schema: core fields plus additional properties at the top level."""
    body = {
        **{key: value for key, value in (image.properties or {}).items()},
        "id": str(image.id),
        "name": image.name,
        "status": image.status,
        "visibility": image.visibility,
        "owner": image.owner,
        "disk_format": image.disk_format,
        "container_format": image.container_format,
        "size": image.size,
        "virtual_size": None,
        "checksum": image.checksum,
        "os_hash_algo": image.os_hash_algo,
        "os_hash_value": image.os_hash_value,
        "min_disk": image.min_disk,
        "min_ram": image.min_ram,
        "protected": image.protected,
        "os_hidden": False,
        "tags": [],
        "created_at": iso(image.created_at),
        "updated_at": iso(image.updated_at),
        "self": f"/v2/images/{image.id}",
        "file": f"/v2/images/{image.id}/file",
        "schema": "/v2/schemas/image",
    }
    return body


def visible(request):
    images = Image.objects.exclude(status="deleted")
    user = request.user
    if user.is_admin:
        return images
    return images.filter(Q(visibility__in=["public", "community"]) | Q(owner=user.project_id))


class ImagesView(APIView):
    """GET /image/v2/images with name, status, visibility, owner and id=in:a,b filters."""

    def get(self, request):
        images = visible(request)
        params = request.query_params
        for field in ("name", "status", "visibility", "owner"):
            if params.get(field):
                images = images.filter(**{field: params[field]})
        if params.get("id", "").startswith("in:"):
            ids = [item for item in params["id"][3:].split(",") if item]
            valid = []
            for item in ids:
                try:
                    valid.append(uuid.UUID(item))
                except ValueError:
                    raise exceptions.ValidationError(f"Invalid id: {item}")
            images = images.filter(id__in=valid)
        return Response({"images": [image_document(image) for image in images], "schema": "/v2/schemas/images",
                         "first": "/v2/images"})


class ImageView(APIView):
    def get(self, request, image_id: str):
        try:
            key = uuid.UUID(image_id)
        except ValueError:
            raise exceptions.NotFound(f"No image found with ID {image_id}")
        image = visible(request).filter(id=key).first()
        if image is None:
            raise exceptions.NotFound(f"No image found with ID {image_id}")
        return Response(image_document(image))
