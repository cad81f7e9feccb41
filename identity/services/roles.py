"""Roles, grants (a user's role on a project) and the list of role assignments."""

from __future__ import annotations

from django.db.models import QuerySet

from core import policy
from core.exceptions import NotFound
from core.principal import Caller
from identity import tokens
from identity.models import Project, Role, RoleAssignment, User

from .common import find_project, find_role, find_user, save_unique


def list_roles(caller: Caller) -> QuerySet[Role]:
    """Every role (identity:list_roles)."""
    policy.enforce(caller, policy.IDENTITY_LIST_ROLES)
    return Role.objects.all()


def get_role(caller: Caller, role_id: str) -> Role:
    """A role (identity:get_role)."""
    policy.enforce(caller, policy.IDENTITY_GET_ROLE)
    return find_role(role_id)


def create_role(caller: Caller, name: str) -> Role:
    """Create a role (identity:create_role); 409 when the name is taken."""
    policy.enforce(caller, policy.IDENTITY_CREATE_ROLE)
    role = Role(name=name)
    save_unique(role, "role", name)
    return role


def delete_role(caller: Caller, role_id: str) -> None:
    """Delete a role and its grants (identity:delete_role); the tokens issued with it stop
    working."""
    policy.enforce(caller, policy.IDENTITY_DELETE_ROLE)
    role = find_role(role_id)
    for user_id, project_id in role.assignments.values_list("user_id", "project_id"):
        tokens.revoke_user_tokens(user_id, project_id)
    role.delete()


def _grant_parts(project_id: str, user_id: str, role_id: str) -> tuple[Project, User, Role]:
    """The three parts a grant URL names; the 404 names the first unknown one."""
    return find_project(project_id), find_user(user_id), find_role(role_id)


def _missing_grant(project_id: str, user_id: str, role_id: str) -> NotFound:
    return NotFound(f"Could not find role assignment: {role_id} for user {user_id} on project {project_id}.")


def create_grant(caller: Caller, project_id: str, user_id: str, role_id: str) -> None:
    """Give a user a role on a project (identity:create_grant); granting twice is a no-op."""
    policy.enforce(caller, policy.IDENTITY_CREATE_GRANT)
    project, user, role = _grant_parts(project_id, user_id, role_id)
    RoleAssignment.objects.get_or_create(project=project, user=user, role=role)


def check_grant(caller: Caller, project_id: str, user_id: str, role_id: str) -> None:
    """Whether a user holds a role on a project (identity:check_grant: admins, or the user
    itself); 404 when it does not."""
    policy.enforce(caller, policy.IDENTITY_CHECK_GRANT, user_id=user_id)
    project, user, role = _grant_parts(project_id, user_id, role_id)
    if not RoleAssignment.objects.filter(project=project, user=user, role=role).exists():
        raise _missing_grant(project_id, user_id, role_id)


def revoke_grant(caller: Caller, project_id: str, user_id: str, role_id: str) -> None:
    """Take a role on a project from a user (identity:revoke_grant; 404 when there is no such
    grant); the user's tokens on that project stop working."""
    policy.enforce(caller, policy.IDENTITY_REVOKE_GRANT)
    project, user, role = _grant_parts(project_id, user_id, role_id)
    deleted, _ = RoleAssignment.objects.filter(project=project, user=user, role=role).delete()
    if not deleted:
        raise _missing_grant(project_id, user_id, role_id)
    tokens.revoke_user_tokens(user.id, project.id)


def list_grants(caller: Caller, project_id: str, user_id: str) -> QuerySet[Role]:
    """The roles a user holds on a project (identity:list_grants: admins, or the user itself)."""
    policy.enforce(caller, policy.IDENTITY_LIST_GRANTS, user_id=user_id)
    project, user = find_project(project_id), find_user(user_id)
    return Role.objects.filter(assignments__project=project, assignments__user=user).distinct()


def list_role_assignments(caller: Caller) -> QuerySet[RoleAssignment]:
    """Every role assignment, by project, user and role (identity:list_role_assignments)."""
    policy.enforce(caller, policy.IDENTITY_LIST_ROLE_ASSIGNMENTS)
    return RoleAssignment.objects.select_related("user", "project", "role").order_by("project_id", "user_id", "role_id")
