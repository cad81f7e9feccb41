"""Image v2 API: list (filters, paging), create, show, JSON-patch update, delete, and the
image data (upload and download). Views are thin: rules live in images.access, validation in
images.api.validation, bytes and status changes in images.store."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, HttpResponse
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import BadRequest, Forbidden, NotFound, ServiceError
from identity.catalog import base_url
from images import access, store
from images.models import Image

from .paging import page, parse_limit
from .parsers import JsonPatchParser, OctetStreamParser
from .representation import image_document
from .validation import validate_create, validate_patch


class LengthRequired(ServiceError):
    http_status = 411


DEFAULT_LIMIT = 25  # Glance's limit_param_default
FILTERS = ("name", "status", "visibility", "owner")


def _filtered(request) -> tuple:
    """The caller's visible images narrowed by the query's filters, and the filters used."""
    images = access.visible_images(request.user)
    params = request.query_params
    used = {}
    for name in FILTERS:
        value = params.get(name)
        if not value or (name == "visibility" and value == "all"):
            continue
        if name == "status" and value not in Image.STATUSES:
            raise BadRequest(f"Invalid status value: {value}")
        if name == "visibility" and value not in Image.VISIBILITIES:
            raise BadRequest(f"Invalid visibility value: {value}")
        images = images.filter(**{name: value})
        used[name] = value
    if params.get("id", "").startswith("in:"):
        ids = []
        for item in (item for item in params["id"][3:].split(",") if item):
            try:
                ids.append(uuid.UUID(item))
            except ValueError:
                raise BadRequest(f"Invalid id: {item}") from None
        images = images.filter(id__in=ids)
        used["id"] = params["id"]
    return images, used


class ImagesView(APIView):
    """GET /image/v2/images (name, status, visibility, owner, id=in:a,b; limit, marker) and
    POST /image/v2/images (201, Location, the image document)."""

    def get(self, request):
        images, used = _filtered(request)
        limit = parse_limit(request.query_params.get("limit"), default=DEFAULT_LIMIT, maximum=settings.API_MAX_LIMIT)
        marker = None
        if request.query_params.get("marker"):
            try:
                marker = access.find_image(request.user, request.query_params["marker"])
            except NotFound:
                raise BadRequest(
                    f"Invalid marker. Image {request.query_params['marker']} could not be found."
                ) from None
        rows, more = page(images, limit=limit, marker=marker)
        body = {
            "images": [image_document(image) for image in rows],
            "schema": "/v2/schemas/images",
            "first": "/v2/images",
        }
        if more and rows:
            body["next"] = "/v2/images?" + urlencode({**used, "limit": limit, "marker": str(rows[-1].id)})
        return Response(body)

    def post(self, request):
        image_id, changes = validate_create(request.user, request.data)
        fields = {"name": None, "visibility": "shared", "owner": request.user.project_id, **changes.fields}
        image = store.create_image(image_id=image_id, properties=changes.set_properties, **fields)
        response = Response(image_document(image), status=201)
        response["Location"] = f"{base_url(request)}/image/v2/images/{image.id}"
        return response


class ImageView(APIView):
    """GET, PATCH (application/openstack-images-v2.1-json-patch) and DELETE one image."""

    parser_classes = [JsonPatchParser]

    def get(self, request, image_id: str):
        return Response(image_document(access.find_image(request.user, image_id)))

    def patch(self, request, image_id: str):
        image = access.find_image(request.user, image_id)
        access.require_owner(request.user, image, "modify")
        changes = validate_patch(request.user, image, request.data)
        image = store.update_image(
            image,
            changes=changes.fields,
            set_properties=changes.set_properties,
            remove_properties=changes.remove_properties,
        )
        return Response(image_document(image))

    def delete(self, request, image_id: str):
        image = access.find_image(request.user, image_id)
        access.require_owner(request.user, image, "delete")
        if not store.delete_image(image):
            raise Forbidden(f"Image {image.id} is protected and cannot be deleted.")
        return Response(status=204)


class ImageFileView(APIView):
    """PUT (application/octet-stream, 204) and GET (200 with the bytes, 204 without data) of
    /image/v2/images/{id}/file."""

    parser_classes = [OctetStreamParser]

    def put(self, request, image_id: str):
        image = access.find_image(request.user, image_id)
        access.require_owner(request.user, image, "upload data to")
        if request.content_type.split(";")[0].strip() != OctetStreamParser.media_type:
            raise UnsupportedMediaType(request.content_type or "(none)")
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and not request.META.get(
            "CONTENT_LENGTH"
        ):
            # Django's WSGI request reads no chunked body: refuse rather than store an empty image.
            raise LengthRequired("A Content-Length is required: chunked uploads are not supported.")
        data = request.data
        store.upload(image, b"" if isinstance(data, dict) else data)
        return Response(status=204)

    def get(self, request, image_id: str):
        image = access.find_image(request.user, image_id)
        if image.status == "deactivated" and not request.user.is_admin:
            raise Forbidden("The requested image has been deactivated. Image data download is forbidden.")
        if image.status != "active":
            return HttpResponse(status=204)
        try:
            data = open(store.image_path(image.id), "rb")  # noqa: SIM115 - FileResponse closes it
        except FileNotFoundError:  # no bytes (or deleted this instant): Glance's "no data"
            return HttpResponse(status=204)
        response = FileResponse(data, content_type="application/octet-stream")
        if image.checksum:
            response["Content-MD5"] = image.checksum
        return response
