"""/servers/{id}/tags and /servers/{id}/tags/{tag} (microversion 2.26; before it: 404).
Thin views over servers.services.tags."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.exceptions import BadRequest, NotFound
from core.views import ComputeView
from identity.catalog import base_url
from servers.services import tags as service

from . import openapi as doc


class TagsBaseView(ComputeView):
    """Refuses requests below 2.26 as Nova does for a method its version lacks."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.api_version < mv.SERVER_TAGS:  # type: ignore[attr-defined]
            raise NotFound("The resource could not be found.")


class TagsView(TagsBaseView):
    """GET (list), PUT (replace all: {"tags": [...]}), DELETE (all; 204)."""

    openapi = {"get": doc.TAG_LIST, "put": doc.TAGS_REPLACE, "delete": doc.TAGS_DELETE}

    def get(self, request: Request, server_id: str) -> Response:
        return Response({"tags": service.list_tags(self.caller, server_id)})

    def put(self, request: Request, server_id: str) -> Response:
        body = request.data
        if not isinstance(body, dict) or "tags" not in body:
            raise BadRequest("Invalid input for field/attribute tags. Value: None. 'tags' is a required property")
        if set(body) - {"tags"}:
            extra = ", ".join(repr(key) for key in sorted(set(body) - {"tags"}))
            raise BadRequest(f"Additional properties are not allowed ({extra} was unexpected)")
        return Response({"tags": service.replace_tags(self.caller, server_id, service.check_tags(body["tags"]))})

    def delete(self, request: Request, server_id: str) -> Response:
        service.delete_all_tags(self.caller, server_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TagView(TagsBaseView):
    """GET (204 when present), PUT (201 with a Location when new, 204 when there), DELETE (204)."""

    openapi = {"get": doc.TAG_CHECK, "put": doc.TAG_ADD, "delete": doc.TAG_DELETE}

    def get(self, request: Request, server_id: str, tag: str) -> Response:
        service.has_tag(self.caller, server_id, tag)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def put(self, request: Request, server_id: str, tag: str) -> Response:
        if not service.add_tag(self.caller, server_id, tag):
            return Response(status=status.HTTP_204_NO_CONTENT)
        response = Response(status=status.HTTP_201_CREATED)
        response["Location"] = f"{base_url(request)}/compute/v2.1/servers/{server_id}/tags/{quote(tag)}"
        return response

    def delete(self, request: Request, server_id: str, tag: str) -> Response:
        service.delete_tag(self.caller, server_id, tag)
        return Response(status=status.HTTP_204_NO_CONTENT)
