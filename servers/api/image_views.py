"""The compute API's image proxy (Nova's images.py, image_metadata.py and views/images.py):
GET /images, /images/detail, GET and DELETE /images/{id} up to 2.35, and
/images/{id}/metadata[/{key}] up to 2.38; from there on they answer 404, as Nova's do. Thin
views over servers.services.image_proxy."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.bodies import unwrap
from core.exceptions import BadRequest, NotFound
from core.microversions import Microversion
from core.params import is_true, optional_int
from core.timestamps import seconds_z
from core.views import ComputeView
from identity.catalog import base_url
from images.models import Image
from images.services import ImageQuery
from servers.services import image_proxy
from servers.services.metadata import check_metadata

from . import openapi_proxies as doc
from .representation import links as compute_links
from .validation import metadata as parse
from .validation.common import time_param

#: Glance's status as the compute API shows it, and the progress it reports for it.
STATUS = {
    "active": "ACTIVE",
    "queued": "SAVING",
    "saving": "SAVING",
    "deleted": "DELETED",
    "pending_delete": "DELETED",
    "killed": "ERROR",
}
PROGRESS = {"queued": 25, "saving": 50, "active": 100}
BAD_TIME = "Invalid input for query parameters {name}. Value: {value}. '{value}' is not a 'date-time'"
BAD_LIMIT = "Invalid input for query parameters {name}. Value: {value}. Expected a positive integer."


def image_links(base: str, image: Image) -> list[dict[str, Any]]:
    """self and bookmark in the compute API, alternate in the image API."""
    return [
        *compute_links(base, "images", str(image.id)),
        {"rel": "alternate", "type": "application/vnd.openstack.image", "href": f"{base}/image/images/{image.id}"},
    ]


def image_brief(base: str, image: Image) -> dict[str, Any]:
    return {"id": str(image.id), "name": image.name, "links": image_links(base, image)}


def image_detail(base: str, image: Image) -> dict[str, Any]:
    """Nova's image view: Glance's record with the compute API's names and status words."""
    properties = dict(image.properties or {})
    body: dict[str, Any] = {
        "id": str(image.id),
        "name": image.name,
        "minRam": image.min_ram or 0,
        "minDisk": image.min_disk or 0,
        "metadata": properties,
        "created": seconds_z(image.created_at),
        "updated": seconds_z(image.updated_at),
        "status": STATUS.get(image.status, "UNKNOWN"),
        "progress": PROGRESS.get(image.status, 0),
        "OS-EXT-IMG-SIZE:size": image.size or 0,
        "links": image_links(base, image),
    }
    server = properties.get("instance_uuid")
    if server is not None:
        body["server"] = {"id": server, "links": compute_links(base, "servers", str(server))}
    if properties.get("auto_disk_config") is not None:
        body["OS-DCF:diskConfig"] = "AUTO" if is_true(properties["auto_disk_config"]) else "MANUAL"
    return body


def image_query(request: Request) -> ImageQuery:
    """Nova's image filters (name, status, changes-since, server, type, minRam, minDisk,
    property-*) and limit/marker, as the image service's query."""
    params = request.query_params
    properties: dict[str, str] = {
        key.removeprefix("property-"): str(params[key]) for key in params if key.startswith("property-")
    }
    if params.get("server"):
        # A server's id or any of its links: the id is the last path segment.
        properties["instance_uuid"] = params["server"].rsplit("/", 1)[-1]
    if params.get("type"):
        properties["image_type"] = params["type"]
    limit = optional_int(params.get("limit"), "limit", minimum=1, message=BAD_LIMIT, below_minimum=BAD_LIMIT)
    status = params["status"].lower() if params.get("status") else None
    if status is not None and status not in Image.STATUSES:
        raise BadRequest(f"Invalid status value: {params['status']}")
    return ImageQuery(
        name=params.get("name") or None,
        status=status,
        changes_since=time_param(request, "changes-since", BAD_TIME),
        min_ram=optional_int(params.get("minRam"), "minRam", minimum=0),
        min_disk=optional_int(params.get("minDisk"), "minDisk", minimum=0),
        properties=properties,
        limit=min(limit or settings.API_MAX_LIMIT, settings.API_MAX_LIMIT),
        marker=params.get("marker") or None,
    )


class ProxyView(ComputeView):
    """A proxy API that ``removed_in`` took away: from that version on, 404."""

    removed_in: Microversion = mv.PROXY_APIS_REMOVED

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.api_version >= self.removed_in:  # type: ignore[attr-defined]
            raise NotFound(f"This API was removed in microversion {self.removed_in}.")


class ImagesView(ProxyView):
    """GET /images (brief) and /images/detail (``detailed``), with images_links when the
    page is full (Nova's rule: the next page may be empty)."""

    openapi = {"get": doc.IMAGE_LIST}

    detailed = False

    def get(self, request: Request) -> Response:
        query = image_query(request)
        rows = image_proxy.list_images(self.caller, query)
        base = base_url(request)
        render = image_detail if self.detailed else image_brief
        body: dict[str, Any] = {"images": [render(base, image) for image in rows]}
        if rows and len(rows) == query.limit:
            params = sorted((key, value) for key, value in request.query_params.items() if key != "marker")
            params.append(("marker", str(rows[-1].id)))
            collection = "images/detail" if self.detailed else "images"
            href = f"{base}/compute/v2.1/{collection}?{urlencode(params)}"
            body["images_links"] = [{"rel": "next", "href": href}]
        return Response(body)


class ImageView(ProxyView):
    """GET (detail) and DELETE (204) /images/{id}."""

    openapi = {"get": doc.IMAGE_SHOW, "delete": doc.IMAGE_DELETE}

    def get(self, request: Request, image_id: str) -> Response:
        return Response({"image": image_detail(base_url(request), image_proxy.get_image(self.caller, image_id))})

    def delete(self, request: Request, image_id: str) -> Response:
        image_proxy.delete_image(self.caller, image_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _metadata_body(data: object, key: str) -> dict[str, str]:
    """{key: {...}} with Nova's metadata rules (string keys and values, 255 characters)."""
    if not isinstance(data, dict) or key not in data:
        raise BadRequest(f"Invalid input for field/attribute {key}: '{key}' is a required property.")
    return check_metadata(parse.metadata(unwrap(data, key)))


class ImageMetadataView(ProxyView):
    """GET; POST merges; PUT replaces /images/{id}/metadata."""

    openapi = {"get": doc.IMAGE_METADATA_LIST, "post": doc.IMAGE_METADATA_MERGE, "put": doc.IMAGE_METADATA_REPLACE}

    removed_in = mv.IMAGE_METADATA_API_REMOVED

    def get(self, request: Request, image_id: str) -> Response:
        return Response({"metadata": image_proxy.metadata(self.caller, image_id)})

    def post(self, request: Request, image_id: str) -> Response:
        values = _metadata_body(request.data, "metadata")
        return Response({"metadata": image_proxy.set_metadata(self.caller, image_id, values, replace=False)})

    def put(self, request: Request, image_id: str) -> Response:
        values = _metadata_body(request.data, "metadata")
        image_proxy.set_metadata(self.caller, image_id, values, replace=True)
        return Response({"metadata": values})


class ImageMetadataItemView(ProxyView):
    """GET, PUT ({"meta": {key: value}}) and DELETE (204) /images/{id}/metadata/{key}."""

    openapi = {"get": doc.IMAGE_META_SHOW, "put": doc.IMAGE_META_UPDATE, "delete": doc.IMAGE_META_DELETE}

    removed_in = mv.IMAGE_METADATA_API_REMOVED

    def get(self, request: Request, image_id: str, key: str) -> Response:
        return Response({"meta": image_proxy.metadata_item(self.caller, image_id, key)})

    def put(self, request: Request, image_id: str, key: str) -> Response:
        meta = _metadata_body(request.data, "meta")
        if len(meta) != 1:
            raise BadRequest("Invalid input for field/attribute meta: exactly one item is required.")
        value = parse.item(meta, key)
        image_proxy.set_metadata(self.caller, image_id, {key: value}, replace=False)
        return Response({"meta": {key: value}})

    def delete(self, request: Request, image_id: str, key: str) -> Response:
        image_proxy.delete_metadata_item(self.caller, image_id, key)
        return Response(status=status.HTTP_204_NO_CONTENT)
