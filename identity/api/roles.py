"""Keystone v3 roles, grants (/v3/projects/{p}/users/{u}/roles[/{r}]), role assignments and
the Default domain.

Who may do what is ``core.policy`` (identity:list_roles, identity:create_grant, ...), enforced
by ``identity.services.roles``. Only the Default domain exists; any authenticated caller may
read it."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import NotFound
from core.params import bool_word
from identity.documents import assignment_document, collection_links, domain_document, role_document
from identity.models import DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME, RoleAssignment
from identity.services import roles

from . import openapi as doc
from . import parsing
from .base import IdentityView
from .filtersets import RoleAssignmentFilterSet, RoleFilterSet


class RolesView(IdentityView):
    """GET lists (filter name); POST creates."""

    openapi = {"get": doc.ROLE_LIST, "post": doc.ROLE_CREATE}

    def get(self, request: Request) -> Response:
        found = RoleFilterSet(request.query_params, queryset=roles.list_roles(self.caller)).qs
        return Response({"roles": [role_document(request, role) for role in found], "links": collection_links(request)})

    def post(self, request: Request) -> Response:
        role = roles.create_role(self.caller, parsing.role_name(request.data))
        return Response({"role": role_document(request, role)}, status=status.HTTP_201_CREATED)


class RoleView(IdentityView):
    """GET shows; DELETE deletes (with its grants; tokens carrying it stop working)."""

    openapi = {"get": doc.ROLE_SHOW, "delete": doc.ROLE_DELETE}

    def get(self, request: Request, role_id: str) -> Response:
        return Response({"role": role_document(request, roles.get_role(self.caller, role_id))})

    def delete(self, request: Request, role_id: str) -> Response:
        roles.delete_role(self.caller, role_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserRolesOnProjectView(IdentityView):
    """GET /v3/projects/{p}/users/{u}/roles: the user's roles there."""

    openapi = {"get": doc.USER_ROLES_ON_PROJECT}

    def get(self, request: Request, project_id: str, user_id: str) -> Response:
        found = roles.list_grants(self.caller, project_id, user_id)
        return Response({"roles": [role_document(request, role) for role in found], "links": collection_links(request)})


class GrantView(IdentityView):
    """PUT grants (204), HEAD/GET check (204, or 404 when not granted), DELETE revokes."""

    openapi = {"put": doc.GRANT_CREATE, "get": doc.GRANT_CHECK, "delete": doc.GRANT_DELETE}

    def put(self, request: Request, project_id: str, user_id: str, role_id: str) -> Response:
        roles.create_grant(self.caller, project_id, user_id, role_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get(self, request: Request, project_id: str, user_id: str, role_id: str) -> Response:
        roles.check_grant(self.caller, project_id, user_id, role_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def head(self, request: Request, project_id: str, user_id: str, role_id: str) -> Response:
        return self.get(request, project_id, user_id, role_id)

    def delete(self, request: Request, project_id: str, user_id: str, role_id: str) -> Response:
        roles.revoke_grant(self.caller, project_id, user_id, role_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def query_flag(request: Request, name: str) -> bool:
    """A flag such as ``include_names``: present and anything but "0" is true (Keystone's
    ``query_filter_is_true`` in keystone/server/flask/common.py)."""
    return name in request.query_params and request.query_params[name] != "0"


class RoleAssignmentsView(IdentityView):
    """GET /v3/role_assignments (filters user.id, scope.project.id, role.id; include_names)."""

    openapi = {"get": doc.ROLE_ASSIGNMENTS}

    def get(self, request: Request) -> Response:
        found = RoleAssignmentFilterSet(request.query_params, queryset=roles.list_role_assignments(self.caller)).qs
        names = query_flag(request, "include_names")
        entries = [self._entry(request, row, names) for row in found]
        return Response({"role_assignments": entries, "links": collection_links(request)})

    @staticmethod
    def _entry(request: Request, row: RoleAssignment, names: bool) -> dict[str, Any]:
        entry = assignment_document(request, row.user_id, row.project_id, row.role_id)
        if names:
            domain = {"id": DEFAULT_DOMAIN_ID, "name": DEFAULT_DOMAIN_NAME}
            entry["role"]["name"] = row.role.name
            entry["user"].update(name=row.user.name, domain=domain)
            entry["scope"]["project"].update(name=row.project.name, domain=domain)
        return entry


class DomainsView(IdentityView):
    """GET /v3/domains (filters name, enabled): only Default exists, so the filters are read
    here rather than by a FilterSet, which needs a queryset."""

    openapi = {"get": doc.DOMAIN_LIST}

    def get(self, request: Request) -> Response:
        params = request.query_params
        matches = params.get("name", DEFAULT_DOMAIN_NAME) == DEFAULT_DOMAIN_NAME
        if "enabled" in params and bool_word(params["enabled"]) is False:
            matches = False  # Default is enabled: only a false word filters it out
        domains = [domain_document(request)] if matches else []
        return Response({"domains": domains, "links": collection_links(request)})


class DomainView(IdentityView):
    """GET /v3/domains/default (also by the name Default)."""

    openapi = {"get": doc.DOMAIN_SHOW}

    def get(self, request: Request, domain_id: str) -> Response:
        if domain_id not in (DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME):
            raise NotFound(f"Could not find domain: {domain_id}.")
        return Response({"domain": domain_document(request)})
