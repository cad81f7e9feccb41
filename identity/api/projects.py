"""Keystone v3 projects: /v3/projects[/{id}] and /v3/users/{id}/projects.

Who may do what is ``core.policy`` (identity:list_projects, identity:get_project, ...),
enforced by ``identity.services.projects``."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from identity.documents import collection_links, project_document
from identity.models import Project
from identity.services import projects

from . import openapi as doc
from . import parsing
from .base import IdentityView
from .filtersets import ProjectFilterSet


def project_list(request: Request, found: QuerySet[Project]) -> Response:
    """A list of projects, narrowed by the query's filters."""
    filtered = ProjectFilterSet(request.query_params, queryset=found).qs
    return Response(
        {"projects": [project_document(request, project) for project in filtered], "links": collection_links(request)}
    )


class ProjectsView(IdentityView):
    """GET lists (an admin every project, others the projects they hold a role on; filters
    name, domain_id, enabled); POST creates."""

    openapi = {"get": doc.PROJECT_LIST, "post": doc.PROJECT_CREATE}

    def get(self, request: Request) -> Response:
        return project_list(request, projects.list_projects(self.caller))

    def post(self, request: Request) -> Response:
        project = projects.create_project(self.caller, parsing.new_project(request.data))
        return Response({"project": project_document(request, project)}, status=status.HTTP_201_CREATED)


class ProjectView(IdentityView):
    """GET shows; PATCH updates; DELETE deletes (with the project's grants and tokens)."""

    openapi = {"get": doc.PROJECT_SHOW, "patch": doc.PROJECT_UPDATE, "delete": doc.PROJECT_DELETE}

    def get(self, request: Request, project_id: str) -> Response:
        return Response({"project": project_document(request, projects.get_project(self.caller, project_id))})

    def patch(self, request: Request, project_id: str) -> Response:
        project = projects.update_project(self.caller, project_id, parsing.project_changes(request.data))
        return Response({"project": project_document(request, project)})

    def delete(self, request: Request, project_id: str) -> Response:
        projects.delete_project(self.caller, project_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserProjectsView(IdentityView):
    """GET /v3/users/{id}/projects: the projects the user holds a role on."""

    openapi = {"get": doc.USER_PROJECTS}

    def get(self, request: Request, user_id: str) -> Response:
        return project_list(request, projects.list_user_projects(self.caller, user_id))
