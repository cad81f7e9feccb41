"""/os-keypairs and /os-keypairs/{name}: thin views over servers.services.keypairs.

Microversions: ≥2.2 `type` in bodies, create 201 (200 below) and delete 204 (202 below);
≥2.10 `user_id` (admins may act for another user); ≥2.35 `limit`/`marker` on the list with
`keypairs_links` when a page is full; ≥2.92 `public_key` is required (no generation)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from rest_framework import status
from rest_framework.response import Response

from core import microversions as mv
from core.bodies import unwrap
from core.microversions import Microversion
from core.timestamps import micro
from core.views import ComputeView
from identity.catalog import base_url
from servers.models import Keypair
from servers.services import keypairs as service

from . import openapi_resources as doc
from .validation.common import limit_param
from .validation.keypairs import keypair_create, user_param


def keypair_body(keypair: Keypair, version: Microversion, *, full: bool) -> dict[str, Any]:
    """The list entry (full=False) or the show body (full=True)."""
    body: dict[str, Any] = {"name": keypair.name, "public_key": keypair.public_key, "fingerprint": keypair.fingerprint}
    if full:
        body.update(
            {
                "user_id": keypair.user_id,
                "created_at": micro(keypair.created_at),
                "updated_at": None,
                "deleted_at": None,
                "deleted": False,
                "id": keypair.id,
            }
        )
    if version >= mv.KEYPAIR_TYPE:
        body["type"] = keypair.type
    return body


class KeypairsView(ComputeView):
    """GET /os-keypairs; POST /os-keypairs (import or generate)."""

    openapi = {"get": doc.KEYPAIR_LIST, "post": doc.KEYPAIR_CREATE}

    def get(self, request) -> Response:
        version = request.api_version
        limit = marker = None
        if version >= mv.KEYPAIR_PAGING:
            limit, marker = limit_param(request), request.query_params.get("marker")
        user_id = user_param(request, version)
        keypairs = list(service.list_keypairs(self.caller, user_id, limit, marker))
        body: dict[str, Any] = {
            "keypairs": [{"keypair": keypair_body(keypair, version, full=False)} for keypair in keypairs]
        }
        if limit and len(keypairs) == limit:
            query = {"limit": limit, "marker": keypairs[-1].name, **({"user_id": user_id} if user_id else {})}
            body["keypairs_links"] = [
                {"rel": "next", "href": f"{base_url(request)}/compute/v2.1/os-keypairs?{urlencode(query)}"}
            ]
        return Response(body)

    def post(self, request) -> Response:
        version = request.api_version
        created = keypair_create(unwrap(request.data, "keypair"), version)
        keypair, private_key = service.create_keypair(self.caller, created)
        body = {
            "name": keypair.name,
            "public_key": keypair.public_key,
            "fingerprint": keypair.fingerprint,
            "user_id": keypair.user_id,
        }
        if version >= mv.KEYPAIR_TYPE:
            body["type"] = keypair.type
        if private_key is not None:
            body["private_key"] = private_key
        code = status.HTTP_201_CREATED if version >= mv.KEYPAIR_TYPE else status.HTTP_200_OK
        return Response({"keypair": body}, status=code)


class KeypairView(ComputeView):
    """GET and DELETE /os-keypairs/{name}."""

    openapi = {"get": doc.KEYPAIR_SHOW, "delete": doc.KEYPAIR_DELETE}

    def get(self, request, name: str) -> Response:
        version = request.api_version
        keypair = service.get_keypair(self.caller, name, user_param(request, version))
        return Response({"keypair": keypair_body(keypair, version, full=True)})

    def delete(self, request, name: str) -> Response:
        version = request.api_version
        service.delete_keypair(self.caller, name, user_param(request, version))
        code = status.HTTP_204_NO_CONTENT if version >= mv.KEYPAIR_TYPE else status.HTTP_202_ACCEPTED
        return Response(status=code)
