"""Image v2 API: list (filters, paging), create, show, JSON-patch update, delete, and the
image data (upload and download). Views read the request (``validation`` for bodies and patch
documents, the query here) and call ``images.services``, which enforces the rules."""

from __future__ import annotations

from typing import Any, BinaryIO, cast
from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseBase
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import BadRequest
from core.ids import parse_uuid
from core.paging import SortKey, parse_limit
from core.views import ServiceView
from identity.catalog import base_url
from images import services
from images.models import Image

from . import openapi as doc
from .parsers import JsonPatchParser, OctetStreamParser
from .representation import image_document
from .validation import new_image, patch_operations

FILTERS = ("name", "status", "visibility", "owner")
# Glance's other list parameters: paging and sorting, and the filters novasite does not
# apply. Any parameter not named here filters on an additional property (exact match).
NOT_PROPERTIES = frozenset(
    {"limit", "marker", "sort_key", "sort_dir", "sort", "id", "member_status", "size_min", "size_max", "tag"}
    | {"protected", "os_hidden", "created_at", "updated_at", "disk_format", "container_format"}
    | {"checksum", "os_hash_value", *FILTERS}
)


def image_query(request: Request) -> tuple[services.ImageQuery, dict[str, str | list[str]]]:
    """The list query GET /v2/images asks for (name, status, visibility, owner, id=in:a,b,
    additional properties; limit, marker; sort_key and sort_dir), and the
    parameters used, which the next page's link repeats."""
    params = request.query_params
    used: dict[str, str | list[str]] = {}
    for name in FILTERS:
        value = params.get(name)
        if not value or (name == "visibility" and value == "all"):
            continue
        if name == "status" and value not in Image.STATUSES:
            raise BadRequest(f"Invalid status value: {value}")
        if name == "visibility" and value not in Image.VISIBILITIES:
            raise BadRequest(f"Invalid visibility value: {value}")
        used[name] = value
    ids = None
    if params.get("id", "").startswith("in:"):
        ids = []
        for item in (item for item in params["id"][3:].split(",") if item):
            key = parse_uuid(item)
            if key is None:
                raise BadRequest(f"Invalid id: {item}")
            ids.append(key)
        used["id"] = params["id"]
    properties = {key: params[key] for key in params if key not in NOT_PROPERTIES}
    used.update(properties)
    order = image_order(params.getlist("sort_key"), params.getlist("sort_dir"))
    for name in ("sort_key", "sort_dir"):
        if name in params:
            used[name] = params.getlist(name)
    query = services.ImageQuery(
        properties=properties,
        order=order,
        name=params.get("name") if "name" in used else None,
        status=params.get("status") if "status" in used else None,
        visibility=params.get("visibility") if "visibility" in used else None,
        owner=params.get("owner") if "owner" in used else None,
        ids=None if ids is None else tuple(ids),
        limit=parse_limit(params.get("limit"), default=services.DEFAULT_LIMIT, maximum=settings.API_MAX_LIMIT),
        marker=params.get("marker") or None,
    )
    return query, used


def image_order(sort_keys: list[str], sort_dirs: list[str]) -> tuple[SortKey, ...]:
    """The order GET /v2/images asks for, as Glance reads it: sort_key given any number of
    times (created_at when none), sort_dir once for every key or once per key (desc when
    none)."""
    keys = sort_keys or ["created_at"]
    if len(sort_dirs) > 1 and len(sort_dirs) != len(keys):
        raise BadRequest("Number of sort dirs does not match the number of sort keys")
    dirs = sort_dirs if len(sort_dirs) > 1 else (sort_dirs or ["desc"]) * len(keys)
    for direction in dirs:
        if direction not in ("asc", "desc"):
            raise BadRequest(f"Invalid sort direction: {direction}")
    return services.image_order([(key, direction == "desc") for key, direction in zip(keys, dirs, strict=True)])


class ImagesView(ServiceView):
    """GET /image/v2/images and POST /image/v2/images (201, Location, the image document)."""

    openapi = {"get": doc.IMAGE_LIST, "post": doc.IMAGE_CREATE}

    def get(self, request: Request) -> Response:
        query, used = image_query(request)
        rows, more = services.list_images(self.caller, query)
        body: dict[str, Any] = {
            "images": [image_document(image) for image in rows],
            "schema": "/v2/schemas/images",
            "first": "/v2/images",
        }
        if more and rows:
            body["next"] = "/v2/images?" + urlencode(
                {**used, "limit": query.limit, "marker": str(rows[-1].id)}, doseq=True
            )
        return Response(body)

    def post(self, request: Request) -> Response:
        image = services.create_image(self.caller, new_image(request.data))
        response = Response(image_document(image), status=201)
        response["Location"] = f"{base_url(request)}/image/v2/images/{image.id}"
        return response


class ImageView(ServiceView):
    """GET, PATCH (application/openstack-images-v2.1-json-patch) and DELETE one image."""

    openapi = {"get": doc.IMAGE_SHOW, "patch": doc.IMAGE_UPDATE, "delete": doc.IMAGE_DELETE}

    parser_classes = [JsonPatchParser]

    def get(self, request: Request, image_id: str) -> Response:
        return Response(image_document(services.get_image(self.caller, image_id)))

    def patch(self, request: Request, image_id: str) -> Response:
        image = services.update_image(self.caller, image_id, patch_operations(request.data))
        return Response(image_document(image))

    def delete(self, request: Request, image_id: str) -> Response:
        services.delete_image(self.caller, image_id)
        return Response(status=204)


class ImageTasksView(ServiceView):
    """GET /image/v2/images/{id}/tasks (Glance 2.12+): the import tasks of an image the
    caller may see. Uploads here are synchronous, so there never are any: an empty list."""

    openapi = {"get": doc.IMAGE_TASKS}

    def get(self, request: Request, image_id: str) -> Response:
        services.get_image(self.caller, image_id)
        return Response({"tasks": []})


class ImageFileView(ServiceView):
    """PUT (application/octet-stream, 204) and GET (200 with the bytes, 204 without data) of
    /image/v2/images/{id}/file."""

    openapi = {"put": doc.IMAGE_UPLOAD, "get": doc.IMAGE_DOWNLOAD}

    parser_classes = [OctetStreamParser]

    def put(self, request: Request, image_id: str) -> Response:
        if (request.content_type or "").split(";")[0].strip() != OctetStreamParser.media_type:
            raise UnsupportedMediaType(request.content_type or "(none)")
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and not request.META.get(
            "CONTENT_LENGTH"
        ):
            # Django reads a body of Content-Length bytes only, so without one it would see none.
            # The WSGI server (gunicorn) has already decoded the chunks: wsgi.input ends at the
            # body's end, and the store reads it to that end, under its size cap (413 above it).
            services.upload_data(self.caller, image_id, cast(BinaryIO, request.META["wsgi.input"]))
            return Response(status=204)
        data: object = request.data  # OctetStreamParser's stream; an empty body parses as {}
        services.upload_data(self.caller, image_id, b"" if isinstance(data, dict) else cast(BinaryIO, data))
        return Response(status=204)

    def get(self, request: Request, image_id: str) -> HttpResponseBase:
        image, data = services.open_data(self.caller, image_id)
        if data is None:  # no bytes: Glance's "no data"
            return HttpResponse(status=204)
        response = FileResponse(data, content_type="application/octet-stream")
        if image.checksum:
            response["Content-MD5"] = image.checksum
        return response
