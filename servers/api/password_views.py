"""/servers/{id}/os-server-password: thin views over servers.services.passwords."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core.views import ComputeView
from servers.services import passwords as service

from . import openapi_server_parts as doc


class ServerPasswordView(ComputeView):
    """GET {"password": "..."}; DELETE clears it (204)."""

    openapi = {"get": doc.PASSWORD_SHOW, "delete": doc.PASSWORD_CLEAR}

    def get(self, request: Request, server_id: str) -> Response:
        return Response({"password": service.show_password(self.caller, server_id)})

    def delete(self, request: Request, server_id: str) -> Response:
        service.clear_password(self.caller, server_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
