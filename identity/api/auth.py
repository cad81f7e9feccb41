"""What a token may ask about its own scope: GET /v3/auth/projects, /v3/auth/domains,
/v3/auth/system and /v3/auth/catalog (keystone/api/auth.py). Any valid token may ask, an
unscoped one too: it is how a client finds the projects to rescope it to."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from identity.catalog import catalog
from identity.documents import collection_links, domain_document, project_document, v3_url
from identity.services import auth

from . import openapi as doc
from .base import IdentityView


class AuthProjectsView(IdentityView):
    """GET /v3/auth/projects: the projects the token's user holds a role on."""

    openapi = {"get": doc.AUTH_PROJECTS}

    def get(self, request: Request) -> Response:
        found = auth.scope_projects(self.caller)
        return Response(
            {"projects": [project_document(request, project) for project in found], "links": collection_links(request)}
        )


class AuthDomainsView(IdentityView):
    """GET /v3/auth/domains: the domains the token's user holds a role on."""

    openapi = {"get": doc.AUTH_DOMAINS}

    def get(self, request: Request) -> Response:
        found = [domain_document(request) for _ in auth.scope_domains(self.caller)]
        return Response({"domains": found, "links": collection_links(request)})


class AuthSystemView(IdentityView):
    """GET /v3/auth/system: whether the token's user may scope to the system (no)."""

    openapi = {"get": doc.AUTH_SYSTEM}

    def get(self, request: Request) -> Response:
        system = [{"all": True}] if auth.scope_system(self.caller) else []
        return Response({"system": system, "links": {"self": v3_url(request, "/auth/system")}})


class AuthCatalogView(IdentityView):
    """GET /v3/auth/catalog: the catalog of the token's project (403 for an unscoped token)."""

    openapi = {"get": doc.AUTH_CATALOG}

    def get(self, request: Request) -> Response:
        project_id = auth.catalog_project(self.caller)
        return Response(
            {
                "catalog": catalog(request, project_id=project_id, user_id=self.caller.user_id),
                "links": {"self": v3_url(request, "/auth/catalog")},
            }
        )
