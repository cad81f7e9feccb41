"""Identity v3 endpoints: version discovery and tokens."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import policy
from core.exceptions import Unauthorized
from core.openapi import versions as versions_doc
from core.views import PublicView, caller_of
from identity.api import openapi as doc

from . import tokens
from .api import auth_parsing
from .catalog import base_url
from .documents import token_document
from .services import auth

V3_UPDATED = "2024-04-03T00:00:00Z"
AUTHENTICATION_REQUIRED = "The request you have made requires authentication."


def v3_document(request: Request) -> dict[str, Any]:
    """The v3 version document (the only version served)."""
    return {
        "id": "v3.14",
        "status": "stable",
        "updated": V3_UPDATED,
        "links": [{"rel": "self", "href": f"{base_url(request)}/identity/v3/"}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}],
    }


class VersionsView(PublicView):
    """GET /identity: the list of versions (300 Multiple Choices, as Keystone answers)."""

    openapi = {"get": versions_doc.VERSION_CHOICES}

    def get(self, request: Request) -> Response:
        return Response({"versions": {"values": [v3_document(request)]}}, status=300)


class V3View(PublicView):
    """GET /identity/v3: the v3 version document."""

    openapi = {"get": versions_doc.VERSION_SHOW}

    def get(self, request: Request) -> Response:
        return Response({"version": v3_document(request)})


class TokensView(APIView):
    """POST issues a token (the password and token methods; a project scope, an unscoped
    token, or the user's default project); GET and HEAD validate the token in X-Subject-Token,
    DELETE revokes it (an admin, or the token's own user)."""

    openapi = {"post": doc.TOKEN_ISSUE, "get": doc.TOKEN_VALIDATE, "delete": doc.TOKEN_REVOKE}

    permission_classes = [AllowAny]

    def get_authenticators(self) -> list[BaseAuthentication]:
        # Issuing a token needs no token; the other methods need a valid X-Auth-Token.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_authenticate_header(self, request: Request) -> str:
        # Bad credentials are 401 (not DRF's 403) even though POST runs no authenticator.
        return 'Keystone uri="/identity/v3"'

    def post(self, request: Request) -> Response:
        secret, principal = auth.authenticate(auth_parsing.auth_request(request.data))
        body = token_document(request, principal, with_catalog="nocatalog" not in request.query_params)
        response = Response(body, status=status.HTTP_201_CREATED)
        response["X-Subject-Token"] = secret
        return response

    def _subject(self, request: Request, rule: policy.Rule) -> tuple[str, tokens.Principal]:
        if request.user is None:
            raise Unauthorized(AUTHENTICATION_REQUIRED)
        subject = request.headers.get("X-Subject-Token", "")
        return subject, auth.subject_token(caller_of(request), subject, rule)

    def get(self, request: Request) -> Response:
        subject, principal = self._subject(request, policy.IDENTITY_VALIDATE_TOKEN)
        response = Response(token_document(request, principal, with_catalog="nocatalog" not in request.query_params))
        response["X-Subject-Token"] = subject
        return response

    def head(self, request: Request) -> Response:
        subject, _ = self._subject(request, policy.IDENTITY_CHECK_TOKEN)
        response = Response(status=200)
        response["X-Subject-Token"] = subject
        return response

    def delete(self, request: Request) -> Response:
        if request.user is None:
            raise Unauthorized(AUTHENTICATION_REQUIRED)
        auth.revoke_subject_token(caller_of(request), request.headers.get("X-Subject-Token", ""))
        return Response(status=status.HTTP_204_NO_CONTENT)
