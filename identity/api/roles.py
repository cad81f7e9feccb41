"""Keystone v3 roles, role assignments and the Default domain.

Roles: any authenticated caller may list and show them; create and delete are admin-only.
Grants (PUT/DELETE /v3/projects/{p}/users/{u}/roles/{r}) and /v3/role_assignments are
admin-only; checking or listing a user's own roles on a project is allowed to that user."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import NotFound
from identity import services
from identity.documents import assignment_document, collection_links, domain_document, role_document
from identity.models import DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME, Role, RoleAssignment

from .common import filter_exact, require_admin, require_admin_or_self


class RolesView(APIView):
    """GET lists (filter name); POST creates (admin)."""

    def get(self, request):
        roles = filter_exact(Role.objects.all(), request.query_params, "name")
        return Response({"roles": [role_document(request, role) for role in roles], "links": collection_links(request)})

    def post(self, request):
        require_admin(request)
        role = services.create_role(services.entity_body(request.data, "role"))
        return Response({"role": role_document(request, role)}, status=status.HTTP_201_CREATED)


class RoleView(APIView):
    def get(self, request, role_id: str):
        return Response({"role": role_document(request, services.get_role(role_id))})

    def delete(self, request, role_id: str):
        require_admin(request)
        services.delete_role(services.get_role(role_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserRolesOnProjectView(APIView):
    """GET /v3/projects/{p}/users/{u}/roles: the user's roles there (admin or self)."""

    def get(self, request, project_id: str, user_id: str):
        require_admin_or_self(request, user_id)
        project, user, _ = services.assignment_parts(project_id, user_id)
        roles = Role.objects.filter(assignments__project=project, assignments__user=user).distinct()
        return Response({"roles": [role_document(request, role) for role in roles], "links": collection_links(request)})


class GrantView(APIView):
    """PUT grants (204), HEAD/GET check (204, or 404 when not granted), DELETE revokes."""

    def put(self, request, project_id: str, user_id: str, role_id: str):
        require_admin(request)
        services.grant(*services.assignment_parts(project_id, user_id, role_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get(self, request, project_id: str, user_id: str, role_id: str):
        require_admin_or_self(request, user_id)
        project, user, role = services.assignment_parts(project_id, user_id, role_id)
        if not services.has_grant(project, user, role):
            raise NotFound(f"Could not find role assignment: {role_id} for user {user_id} on project {project_id}.")
        return Response(status=status.HTTP_204_NO_CONTENT)

    def head(self, request, project_id: str, user_id: str, role_id: str):
        return self.get(request, project_id, user_id, role_id)

    def delete(self, request, project_id: str, user_id: str, role_id: str):
        require_admin(request)
        services.revoke(*services.assignment_parts(project_id, user_id, role_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleAssignmentsView(APIView):
    """GET /v3/role_assignments (admin), filters user.id, scope.project.id, role.id."""

    FILTERS = {"user.id": "user_id", "scope.project.id": "project_id", "role.id": "role_id"}

    def get(self, request):
        require_admin(request)
        params = request.query_params
        assignments = RoleAssignment.objects.select_related("user", "project", "role").order_by(
            "project_id", "user_id", "role_id"
        )
        for param, column in self.FILTERS.items():
            if param in params:
                assignments = assignments.filter(**{column: params[param]})
        names = services.truthy(params["include_names"]) if "include_names" in params else False
        entries = [self._entry(request, row, names) for row in assignments]
        return Response({"role_assignments": entries, "links": collection_links(request)})

    @staticmethod
    def _entry(request, row: RoleAssignment, names: bool) -> dict:
        entry = assignment_document(request, row.user_id, row.project_id, row.role_id)
        if names:
            domain = {"id": DEFAULT_DOMAIN_ID, "name": DEFAULT_DOMAIN_NAME}
            entry["role"]["name"] = row.role.name
            entry["user"].update(name=row.user.name, domain=domain)
            entry["scope"]["project"].update(name=row.project.name, domain=domain)
        return entry


class DomainsView(APIView):
    """GET /v3/domains (filters name, enabled): only Default exists."""

    def get(self, request):
        params = request.query_params
        matches = params.get("name", DEFAULT_DOMAIN_NAME) == DEFAULT_DOMAIN_NAME
        if "enabled" in params and not services.truthy(params["enabled"]):
            matches = False
        domains = [domain_document(request)] if matches else []
        return Response({"domains": domains, "links": collection_links(request)})


class DomainView(APIView):
    """GET /v3/domains/default (also by the name Default)."""

    def get(self, request, domain_id: str):
        if domain_id not in (DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME):
            raise NotFound(f"Could not find domain: {domain_id}.")
        return Response({"domain": domain_document(request)})
