"""Glance's schemas (/v2/schemas/image, images, metadefs/namespace(s)) and its metadata
definitions namespace listing (/v2/metadefs/namespaces), which glanceclient and Horizon read."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import NotFound
from core.views import ServiceView
from images import services

from . import openapi as doc
from .schemas import SCHEMAS


class SchemaView(ServiceView):
    """GET /v2/schemas/{name}: one of Glance's JSON schemas."""

    openapi = {"get": doc.SCHEMA_SHOW}

    def get(self, request: Request, name: str) -> Response:
        schema = SCHEMAS.get(name)
        if schema is None:
            raise NotFound("The resource could not be found.")
        return Response(schema())


class MetadefNamespacesView(ServiceView):
    """GET /v2/metadefs/namespaces: the namespaces (none), with Glance's ``first`` link
    repeating the query (less its marker) and the collection's schema."""

    openapi = {"get": doc.METADEF_NAMESPACE_LIST}

    def get(self, request: Request) -> Response:
        query = urlencode([(key, value) for key, value in request.query_params.items() if key != "marker"])
        body: dict[str, Any] = {
            "namespaces": services.list_metadef_namespaces(self.caller),
            "first": "/v2/metadefs/namespaces" + (f"?{query}" if query else ""),
            "schema": "/v2/schemas/metadefs/namespaces",
        }
        return Response(body)
