"""Keystone v3 grants on a domain: /v3/domains/{d}/users/{u}/roles[/{r}].

Who may do what is ``core.policy`` (identity:create_grant, ...), enforced by
``identity.services.domain_grants``."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from identity.documents import collection_links, role_document
from identity.services import domain_grants

from . import openapi as doc
from .base import IdentityView


class UserRolesOnDomainView(IdentityView):
    """GET /v3/domains/{d}/users/{u}/roles: the user's roles on the domain."""

    openapi = {"get": doc.USER_ROLES_ON_DOMAIN}

    def get(self, request: Request, domain_id: str, user_id: str) -> Response:
        found = domain_grants.list_domain_grants(self.caller, domain_id, user_id)
        return Response({"roles": [role_document(request, role) for role in found], "links": collection_links(request)})


class DomainGrantView(IdentityView):
    """PUT grants (204), HEAD/GET check (204, or 404 when not granted), DELETE revokes."""

    openapi = {"put": doc.DOMAIN_GRANT_CREATE, "get": doc.DOMAIN_GRANT_CHECK, "delete": doc.DOMAIN_GRANT_DELETE}

    def put(self, request: Request, domain_id: str, user_id: str, role_id: str) -> Response:
        domain_grants.create_domain_grant(self.caller, domain_id, user_id, role_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get(self, request: Request, domain_id: str, user_id: str, role_id: str) -> Response:
        domain_grants.check_domain_grant(self.caller, domain_id, user_id, role_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def head(self, request: Request, domain_id: str, user_id: str, role_id: str) -> Response:
        return self.get(request, domain_id, user_id, role_id)

    def delete(self, request: Request, domain_id: str, user_id: str, role_id: str) -> Response:
        domain_grants.revoke_domain_grant(self.caller, domain_id, user_id, role_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
