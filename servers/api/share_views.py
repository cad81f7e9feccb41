"""/servers/{id}/shares[/{share_id}] from 2.97 (404 before): thin views over
servers.services.shares."""

from __future__ import annotations

import re
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.bodies import unwrap
from core.exceptions import BadRequest, NotFound
from core.ids import is_uuid
from core.views import ComputeView
from hosts.api.base import refuse_unknown_query
from servers.services import lookup, shares

from . import openapi_server_parts as doc

TAG_RE = re.compile(r"^[a-zA-Z0-9-]{1,255}$")


def share_request(body: Any) -> tuple[str, str | None]:
    """The `share` object of POST: `share_id` (a uuid) and an optional `tag`, nothing else."""
    share = unwrap(body, "share")
    unknown = sorted(set(share) - {"share_id", "tag"})
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise BadRequest(f"Invalid input for field/attribute share. Additional properties are not allowed ({names})")
    if not is_uuid(share.get("share_id")):
        raise BadRequest("Invalid input for field/attribute share_id.")
    tag = share.get("tag")
    if tag is not None and (not isinstance(tag, str) or not TAG_RE.match(tag)):
        raise BadRequest("Invalid input for field/attribute tag.")
    return share["share_id"], tag


class SharesBase(ComputeView):
    """Served from 2.97; no query parameter is accepted."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.api_version < mv.SERVER_SHARES:  # type: ignore[attr-defined]
            raise NotFound("The resource could not be found.")
        refuse_unknown_query(request, ())


class ServerSharesView(SharesBase):
    """GET (list) and POST (attach; 201) /servers/{id}/shares."""

    openapi = {"get": doc.SHARE_LIST, "post": doc.SHARE_ATTACH}

    def get(self, request: Request, server_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        return Response({"shares": shares.list_shares(self.caller, server)})

    def post(self, request: Request, server_id: str) -> Response:
        share_id, tag = share_request(request.data)
        server = lookup.get_server(self.caller, server_id)
        return Response({"share": shares.attach_share(self.caller, server, share_id, tag)}, status=201)


class ServerShareView(SharesBase):
    """GET and DELETE /servers/{id}/shares/{share_id}."""

    openapi = {"get": doc.SHARE_SHOW, "delete": doc.SHARE_DETACH}

    def get(self, request: Request, server_id: str, share_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        return Response({"share": shares.get_share(self.caller, server, share_id)})

    def delete(self, request: Request, server_id: str, share_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        shares.detach_share(self.caller, server, share_id)
        return Response(status=200)
