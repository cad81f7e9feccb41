"""Keystone v3 projects: /v3/projects[/{id}] and /v3/users/{id}/projects.

Policy: admins see and change every project. A member lists only the projects it holds a
role on; showing another existing project is 403 (Keystone checks policy against the
fetched project, so an unknown id stays 404, as the client's name lookup needs)."""

from __future__ import annotations

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from identity import services
from identity.documents import collection_links, project_document
from identity.models import Project, RoleAssignment

from .common import POLICY_MESSAGE, filter_exact, require_admin, require_admin_or_self


def _member_of(request, project: Project) -> bool:
    return RoleAssignment.objects.filter(user_id=request.user.user_id, project=project).exists()


def project_list(request, projects) -> Response:
    return Response(
        {
            "projects": [project_document(request, project) for project in projects],
            "links": collection_links(request),
        }
    )


class ProjectsView(APIView):
    """GET lists (filters name, domain_id, enabled); POST creates (admin)."""

    def get(self, request):
        projects = Project.objects.all()
        if not request.user.is_admin:
            projects = projects.filter(assignments__user_id=request.user.user_id).distinct()
        params = request.query_params
        projects = filter_exact(projects, params, "name", "domain_id")
        if "enabled" in params:
            projects = projects.filter(enabled=services.truthy(params["enabled"]))
        return project_list(request, projects)

    def post(self, request):
        require_admin(request)
        project = services.create_project(services.entity_body(request.data, "project"))
        return Response({"project": project_document(request, project)}, status=status.HTTP_201_CREATED)


class ProjectView(APIView):
    """GET shows (admin or a member of it); PATCH updates and DELETE deletes (admin)."""

    def get(self, request, project_id: str):
        project = services.get_project(project_id)
        if not request.user.is_admin and not _member_of(request, project):
            raise exceptions.PermissionDenied(POLICY_MESSAGE)
        return Response({"project": project_document(request, project)})

    def patch(self, request, project_id: str):
        require_admin(request)
        body = services.entity_body(request.data, "project")
        project = services.update_project(services.get_project(project_id), body)
        return Response({"project": project_document(request, project)})

    def delete(self, request, project_id: str):
        require_admin(request)
        services.delete_project(services.get_project(project_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserProjectsView(APIView):
    """GET /v3/users/{id}/projects: the projects the user has a role on (admin or self)."""

    def get(self, request, user_id: str):
        require_admin_or_self(request, user_id)
        user = services.get_user(user_id)
        projects = filter_exact(services.user_projects(user), request.query_params, "name", "domain_id")
        return project_list(request, projects)
