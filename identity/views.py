"""Identity v3 endpoints: version discovery and tokens."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import BadRequest, NotFound, Unauthorized
from core.timestamps import micro_z
from core.views import PublicView

from . import tokens
from .catalog import base_url, catalog
from .models import DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME, Project

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

    def get(self, request: Request) -> Response:
        return Response({"versions": {"values": [v3_document(request)]}}, status=300)


class V3View(PublicView):
    """GET /identity/v3: the v3 version document."""

    def get(self, request: Request) -> Response:
        return Response({"version": v3_document(request)})


def _field(mapping: object, *path: str) -> object:
    """Walk nested dicts; a missing or mistyped level is a 400 naming the path."""
    current = mapping
    for index, key in enumerate(path):
        if not isinstance(current, dict) or key not in current:
            raise BadRequest(f"Expecting to find {'.'.join(path[: index + 1])} in request body.")
        current = current[key]
    return current


def _scoped_project(scope: object) -> Project:
    """The project ``auth.scope`` names, by id or by name and domain (tokens.AuthError if none)."""
    project = _field(scope, "project")
    if not isinstance(project, dict):
        raise BadRequest("scope.project must be an object.")
    if "id" not in project and "name" not in project:
        raise BadRequest("Expecting to find id or name in scope.project.")
    domain = project.get("domain") or {}
    return tokens.scoped_project(
        project_id=str(project["id"]) if "id" in project else None,
        name=str(project.get("name")),
        domain_id=domain.get("id"),
        domain_name=domain.get("name"),
    )


def token_body(request: Request, principal: tokens.Principal, with_catalog: bool = True) -> dict[str, Any]:
    """The token document Keystone answers on issue and validation (with the catalog unless
    ?nocatalog)."""
    domain = {"id": DEFAULT_DOMAIN_ID, "name": DEFAULT_DOMAIN_NAME}
    body: dict[str, Any] = {
        "methods": ["password"],
        "user": {"id": principal.user_id, "name": principal.user_name, "domain": domain, "password_expires_at": None},
        "project": {"id": principal.project_id, "name": principal.project_name, "domain": domain},
        "roles": [{"id": tokens.digest(role)[:32], "name": role} for role in principal.roles],
        "is_domain": False,
        "audit_ids": [principal.audit_id],
        "issued_at": micro_z(principal.issued_at),
        "expires_at": micro_z(principal.expires_at),
    }
    if with_catalog:
        body["catalog"] = catalog(request, project_id=principal.project_id)
    return {"token": body}


class TokensView(APIView):
    """POST issues a token (password method, project scope); GET/HEAD validate the token in
    X-Subject-Token; DELETE revokes it."""

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
        if not isinstance(request.data, dict):
            raise BadRequest("Expecting an object as the request body.")
        identity = _field(request.data, "auth", "identity")
        methods = _field(identity, "methods")
        if not isinstance(methods, list) or "password" not in methods:
            raise BadRequest("Only the password authentication method is supported.")
        user = _field(identity, "password", "user")
        if (
            not isinstance(user, dict)
            or not isinstance(user.get("password"), str)
            or not isinstance(user.get("name"), str)
        ):
            raise BadRequest("auth.identity.password.user needs name and password.")
        domain = user.get("domain") or {}
        domain_ref = str(domain.get("id") or domain.get("name") or DEFAULT_DOMAIN_ID)
        scope = request.data["auth"].get("scope")
        if scope is None:
            raise BadRequest("Only project-scoped tokens are supported: give auth.scope.project.")
        try:
            account = tokens.authenticate_password(user["name"], domain_ref, user["password"])
            project = _scoped_project(scope)
            secret, principal = tokens.issue_token(account, project)
        except tokens.AuthError as exc:
            raise Unauthorized(str(exc)) from None
        response = Response(token_body(request, principal), status=status.HTTP_201_CREATED)
        response["X-Subject-Token"] = secret
        return response

    def _subject(self, request: Request) -> tuple[str, tokens.Principal]:
        if request.user is None:
            raise Unauthorized(AUTHENTICATION_REQUIRED)
        subject = request.headers.get("X-Subject-Token", "")
        principal = tokens.validate(subject) if subject else None
        if principal is None:
            raise NotFound("Could not find token.")
        return subject, principal

    def get(self, request: Request) -> Response:
        subject, principal = self._subject(request)
        response = Response(token_body(request, principal, with_catalog="nocatalog" not in request.query_params))
        response["X-Subject-Token"] = subject
        return response

    def head(self, request: Request) -> Response:
        subject, _ = self._subject(request)
        response = Response(status=200)
        response["X-Subject-Token"] = subject
        return response

    def delete(self, request: Request) -> Response:
        subject, _ = self._subject(request)
        tokens.revoke(subject)
        return Response(status=status.HTTP_204_NO_CONTENT)
