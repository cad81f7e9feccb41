"""/servers/{id}/metadata and /servers/{id}/metadata/{key}: thin views over
servers.metadata. Same wire format at every microversion; DELETE answers 204."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from core.views import ComputeView
from servers.services import metadata as service

from .flavor_views import body_object


class MetadataView(ComputeView):
    """GET; POST merges; PUT replaces. Bodies are {"metadata": {...}}."""

    def get(self, request, server_id: str):
        return Response({"metadata": service.get_metadata(self.caller, server_id)})

    def post(self, request, server_id: str):
        body = body_object(request, "metadata")
        return Response({"metadata": service.update(self.caller, server_id, body, replace=False)})

    def put(self, request, server_id: str):
        body = body_object(request, "metadata")
        return Response({"metadata": service.update(self.caller, server_id, body, replace=True)})


class MetadataItemView(ComputeView):
    """GET, PUT ({"meta": {key: value}}) and DELETE one key."""

    def get(self, request, server_id: str, key: str):
        return Response({"meta": service.get_item(self.caller, server_id, key)})

    def put(self, request, server_id: str, key: str):
        return Response({"meta": service.set_item(self.caller, server_id, key, body_object(request, "meta"))})

    def delete(self, request, server_id: str, key: str):
        service.delete_item(self.caller, server_id, key)
        return Response(status=status.HTTP_204_NO_CONTENT)
