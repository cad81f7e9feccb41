"""/os-keypairs and /os-keypairs/{name}: thin views over servers.keypairs.

Microversions: ≥2.2 `type` in bodies, create 201 (200 below) and delete 204 (202 below);
≥2.10 `user_id` (admins may act for another user); ≥2.35 `limit`/`marker` on the list with
`keypairs_links` when a page is full; ≥2.92 `public_key` is required (no generation)."""

from __future__ import annotations

from urllib.parse import urlencode

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core.views import ComputeView
from identity.catalog import base_url
from servers.models import Keypair
from servers.services import keypairs as service

from .flavor_views import body_object, limit_param
from .representation import iso_usec


def keypair_body(keypair: Keypair, version: tuple[int, int], *, full: bool) -> dict:
    """The list entry (full=False) or the show body (full=True)."""
    body = {"name": keypair.name, "public_key": keypair.public_key, "fingerprint": keypair.fingerprint}
    if full:
        body.update(
            {
                "user_id": keypair.user_id,
                "created_at": iso_usec(keypair.created_at),
                "updated_at": None,
                "deleted_at": None,
                "deleted": False,
                "id": keypair.id,
            }
        )
    if version >= (2, 2):
        body["type"] = keypair.type
    return body


def _user_param(request: Request) -> str | None:
    return request.query_params.get("user_id") if request.api_version >= (2, 10) else None


class KeypairsView(ComputeView):
    """GET /os-keypairs; POST /os-keypairs (import or generate)."""

    def get(self, request):
        version = request.api_version
        limit = marker = None
        if version >= (2, 35):
            limit, marker = limit_param(request), request.query_params.get("marker")
        user_id = _user_param(request)
        keypairs = list(service.list_keypairs(self.caller, version, user_id, limit, marker))
        body: dict = {"keypairs": [{"keypair": keypair_body(keypair, version, full=False)} for keypair in keypairs]}
        if limit and len(keypairs) == limit:
            query = {"limit": limit, "marker": keypairs[-1].name, **({"user_id": user_id} if user_id else {})}
            body["keypairs_links"] = [
                {"rel": "next", "href": f"{base_url(request)}/compute/v2.1/os-keypairs?{urlencode(query)}"}
            ]
        return Response(body)

    def post(self, request):
        version = request.api_version
        keypair, private_key = service.create_keypair(self.caller, body_object(request, "keypair"), version)
        body = {
            "name": keypair.name,
            "public_key": keypair.public_key,
            "fingerprint": keypair.fingerprint,
            "user_id": keypair.user_id,
        }
        if version >= (2, 2):
            body["type"] = keypair.type
        if private_key is not None:
            body["private_key"] = private_key
        code = status.HTTP_201_CREATED if version >= (2, 2) else status.HTTP_200_OK
        return Response({"keypair": body}, status=code)


class KeypairView(ComputeView):
    """GET and DELETE /os-keypairs/{name}."""

    def get(self, request, name: str):
        keypair = service.get_keypair(self.caller, name, request.api_version, _user_param(request))
        return Response({"keypair": keypair_body(keypair, request.api_version, full=True)})

    def delete(self, request, name: str):
        service.delete_keypair(self.caller, name, request.api_version, _user_param(request))
        code = status.HTTP_204_NO_CONTENT if request.api_version >= (2, 2) else status.HTTP_202_ACCEPTED
        return Response(status=code)
