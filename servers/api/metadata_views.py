"""/servers/{id}/metadata and /servers/{id}/metadata/{key}: thin views over
servers.services.metadata. Same wire format at every microversion; DELETE answers 204."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from core.bodies import unwrap
from core.views import ComputeView
from servers.services import metadata as service

from . import openapi as doc
from .validation import metadata as parse


class MetadataView(ComputeView):
    """GET; POST merges; PUT replaces. Bodies are {"metadata": {...}}."""

    openapi = {"get": doc.METADATA_LIST, "post": doc.METADATA_MERGE, "put": doc.METADATA_REPLACE}

    def get(self, request, server_id: str) -> Response:
        return Response({"metadata": service.get_metadata(self.caller, server_id)})

    def post(self, request, server_id: str) -> Response:
        metadata = parse.metadata(unwrap(request.data, "metadata"))
        return Response({"metadata": service.update(self.caller, server_id, metadata, replace=False)})

    def put(self, request, server_id: str) -> Response:
        metadata = parse.metadata(unwrap(request.data, "metadata"))
        return Response({"metadata": service.update(self.caller, server_id, metadata, replace=True)})


class MetadataItemView(ComputeView):
    """GET, PUT ({"meta": {key: value}}) and DELETE one key."""

    openapi = {"get": doc.META_SHOW, "put": doc.META_UPDATE, "delete": doc.META_DELETE}

    def get(self, request, server_id: str, key: str) -> Response:
        return Response({"meta": service.get_item(self.caller, server_id, key)})

    def put(self, request, server_id: str, key: str) -> Response:
        value = parse.item(unwrap(request.data, "meta"), key)
        return Response({"meta": service.set_item(self.caller, server_id, key, value)})

    def delete(self, request, server_id: str, key: str) -> Response:
        service.delete_item(self.caller, server_id, key)
        return Response(status=status.HTTP_204_NO_CONTENT)
