"""Identity writes and lookups (projects, users, roles, role assignments), independent of
HTTP. Errors are core.exceptions (their status picks the HTTP code); the views turn the
Keystone request bodies into the keyword arguments taken here."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from core.exceptions import BadRequest, Conflict, NotFound, ServiceError

from .models import DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME, Project, Role, RoleAssignment, Token, User

UNSET: Any = object()


class Unauthorized(ServiceError):
    http_status = 401


# --- body validation --------------------------------------------------------------------


def entity_body(data: object, key: str) -> dict:
    """The `{key: {...}}` object of a request body, or 400."""
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise BadRequest(f"Expecting to find {key} in request body.")
    return data[key]


def text(body: dict, key: str, *, required: bool = False, max_length: int = 255, allow_empty: bool = True) -> Any:
    """A string attribute of `body`, UNSET when absent (and not required); 400 otherwise."""
    if key not in body:
        if required:
            raise BadRequest(f"Invalid input for field '{key}': '{key}' is a required property.")
        return UNSET
    value = body[key]
    if not isinstance(value, str) or len(value) > max_length or (not allow_empty and not value.strip()):
        raise BadRequest(f"Invalid input for field '{key}': expected a string of 1 to {max_length} characters.")
    return value


def boolean(body: dict, key: str) -> Any:
    """A boolean attribute of `body`, UNSET when absent; 400 for another type."""
    if key not in body:
        return UNSET
    if not isinstance(body[key], bool):
        raise BadRequest(f"Invalid input for field '{key}': {body[key]!r} is not of type 'boolean'.")
    return body[key]


def domain_id(body: dict) -> str:
    """Only the Default domain exists: accept its id (or name), 400 for anything else."""
    value = body.get("domain_id", DEFAULT_DOMAIN_ID)
    if value in (None, DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME):
        return DEFAULT_DOMAIN_ID
    raise BadRequest(f"Domain {value!s} does not exist: only the default domain is supported.")


def truthy(value: str) -> bool:
    """Keystone's reading of a boolean query parameter: anything but 0/false/no is true."""
    return value.strip().lower() not in {"0", "false", "no", "off"}


def _apply(instance: object, changes: dict[str, Any]) -> None:
    for attribute, value in changes.items():
        if value is not UNSET:
            setattr(instance, attribute, value)


def _save_unique(instance, kind: str) -> None:
    """Save, turning a unique-constraint violation into Keystone's 409."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise Conflict(
            f"Conflict occurred attempting to store {kind} - Duplicate entry found with name {instance.name}."
        ) from None


# --- projects -----------------------------------------------------------------------------


def get_project(project_id: str) -> Project:
    project = Project.objects.filter(id=project_id).first()
    if project is None:
        raise NotFound(f"Could not find project: {project_id}.")
    return project


def create_project(body: dict) -> Project:
    name = text(body, "name", required=True, max_length=64, allow_empty=False)
    project = Project(name=name, domain_id=domain_id(body))
    _apply(project, {"description": text(body, "description", max_length=65535), "enabled": boolean(body, "enabled")})
    _save_unique(project, "project")
    return project


def update_project(project: Project, body: dict) -> Project:
    if "domain_id" in body and domain_id(body) != project.domain_id:
        raise BadRequest("Invalid input for field 'domain_id': a project cannot move to another domain.")
    _apply(
        project,
        {
            "name": text(body, "name", max_length=64, allow_empty=False),
            "description": text(body, "description", max_length=65535),
            "enabled": boolean(body, "enabled"),
        },
    )
    _save_unique(project, "project")
    return project


def delete_project(project: Project) -> None:
    """Delete the project; its tokens and role assignments go with it (Keystone knows
    nothing of servers or networks, which keep their project_id)."""
    project.delete()


# --- users --------------------------------------------------------------------------------


def get_user(user_id: str) -> User:
    user = User.objects.filter(id=user_id).first()
    if user is None:
        raise NotFound(f"Could not find user: {user_id}.")
    return user


def _user_changes(body: dict) -> dict[str, Any]:
    changes: dict[str, Any] = {
        "name": text(body, "name", allow_empty=False),
        "enabled": boolean(body, "enabled"),
        "email": text(body, "email", max_length=254),
    }
    if "default_project_id" in body:
        value = body["default_project_id"]
        if value is not None and not isinstance(value, str):
            raise BadRequest("Invalid input for field 'default_project_id': expected a string or null.")
        changes["default_project"] = get_project(value) if value else None
    return changes


def _password(body: dict) -> Any:
    if "password" not in body or body["password"] is None:
        return UNSET
    return text(body, "password", max_length=4096)


def create_user(body: dict) -> User:
    text(body, "name", required=True, allow_empty=False)
    user = User(domain_id=domain_id(body))
    _apply(user, _user_changes(body))
    password = _password(body)
    # A user created without a password cannot log in until one is set.
    user.set_password(password if password is not UNSET else None)
    _save_unique(user, "user")
    return user


def update_user(user: User, body: dict) -> User:
    if "domain_id" in body and domain_id(body) != user.domain_id:
        raise BadRequest("Invalid input for field 'domain_id': a user cannot move to another domain.")
    _apply(user, _user_changes(body))
    password = _password(body)
    if password is not UNSET:
        user.set_password(password)
        user.tokens.update(revoked=True)  # as Keystone: a new password ends old sessions
    _save_unique(user, "user")
    return user


def user_projects(user: User):
    """The projects on which the user holds at least one role."""
    return Project.objects.filter(assignments__user=user).distinct()


# --- roles and assignments ---------------------------------------------------------------


def get_role(role_id: str) -> Role:
    role = Role.objects.filter(id=role_id).first()
    if role is None:
        raise NotFound(f"Could not find role: {role_id}.")
    return role


def create_role(body: dict) -> Role:
    role = Role(name=text(body, "name", required=True, allow_empty=False))
    _save_unique(role, "role")
    return role


def delete_role(role: Role) -> None:
    """Delete the role and its grants; tokens issued with it stop working."""
    for user_id, project_id in role.assignments.values_list("user_id", "project_id"):
        Token.objects.filter(user_id=user_id, project_id=project_id, revoked=False).update(revoked=True)
    role.delete()


def change_own_password(user: User, body: dict) -> None:
    """POST /v3/users/{id}/password: needs the current password (401 when it is wrong)."""
    original = text(body, "original_password", required=True, max_length=4096)
    new = text(body, "password", required=True, max_length=4096, allow_empty=False)
    if not user.check_password(original):
        raise Unauthorized("The request you have made requires authentication.")
    user.set_password(new)
    user.save(update_fields=["password"])
    user.tokens.update(revoked=True)


def assignment_parts(project_id: str, user_id: str, role_id: str | None = None) -> tuple[Project, User, Role | None]:
    """Look up the three parts of an assignment URL; 404 names the first unknown one."""
    project, user = get_project(project_id), get_user(user_id)
    return project, user, get_role(role_id) if role_id is not None else None


def grant(project: Project, user: User, role: Role) -> None:
    RoleAssignment.objects.get_or_create(project=project, user=user, role=role)


def has_grant(project: Project, user: User, role: Role) -> bool:
    return RoleAssignment.objects.filter(project=project, user=user, role=role).exists()


def revoke(project: Project, user: User, role: Role) -> None:
    """Remove the grant (404 when there is none); tokens carrying it stop working."""
    deleted, _ = RoleAssignment.objects.filter(project=project, user=user, role=role).delete()
    if not deleted:
        raise NotFound(f"Could not find role assignment: {role.id} for user {user.id} on project {project.id}.")
    user.tokens.filter(project=project).update(revoked=True)
