"""Projects: list, show, create, update, delete, and the projects a user holds a role on."""

from __future__ import annotations

from django.db.models import QuerySet

from core import policy
from core.principal import Caller
from core.unset import UNSET
from identity.models import Project

from .changes import NewProject, ProjectChanges
from .common import check_same_domain, find_project, find_user, resolve_domain, save_unique


def list_projects(caller: Caller) -> QuerySet[Project]:
    """Every project for an admin (identity:list_projects); for anyone else, the projects it
    holds a role on (what Keystone answers them on /v3/users/{id}/projects)."""
    if policy.allows(caller, policy.IDENTITY_LIST_PROJECTS):
        return Project.objects.all()
    return Project.objects.filter(assignments__user_id=caller.user_id).distinct()


def get_project(caller: Caller, project_id: str) -> Project:
    """A project (identity:get_project). Keystone checks the rule against the fetched project,
    so an unknown id is 404 (the client's lookup by name relies on it) and another existing
    project 403."""
    project = find_project(project_id)
    policy.enforce(caller, policy.IDENTITY_GET_PROJECT, project_id=project.id)
    return project


def create_project(caller: Caller, new: NewProject) -> Project:
    """Create a project (identity:create_project); 409 when the name is taken in the domain."""
    policy.enforce(caller, policy.IDENTITY_CREATE_PROJECT)
    project = Project(
        name=new.name, domain_id=resolve_domain(new.domain_id), description=new.description, enabled=new.enabled
    )
    save_unique(project, "project", project.name)
    return project


def update_project(caller: Caller, project_id: str, changes: ProjectChanges) -> Project:
    """Change a project's name, description or enabled flag (identity:update_project)."""
    policy.enforce(caller, policy.IDENTITY_UPDATE_PROJECT)
    project = find_project(project_id)
    if changes.domain_id is not UNSET:
        check_same_domain(changes.domain_id, project.domain_id, "project")
    if changes.name is not UNSET:
        project.name = changes.name
    if changes.description is not UNSET:
        project.description = changes.description
    if changes.enabled is not UNSET:
        project.enabled = changes.enabled
    save_unique(project, "project", project.name)
    return project


def delete_project(caller: Caller, project_id: str) -> None:
    """Delete a project (identity:delete_project); its tokens and role assignments go with it
    (Keystone knows nothing of servers or networks, which keep their project_id)."""
    policy.enforce(caller, policy.IDENTITY_DELETE_PROJECT)
    find_project(project_id).delete()


def list_user_projects(caller: Caller, user_id: str) -> QuerySet[Project]:
    """The projects on which user ``user_id`` holds at least one role
    (identity:list_user_projects: admins, or the user itself)."""
    policy.enforce(caller, policy.IDENTITY_LIST_USER_PROJECTS, user_id=user_id)
    user = find_user(user_id)
    return Project.objects.filter(assignments__user=user).distinct()
