"""Keystone request bodies read into the service layer's typed arguments
(``identity.services.changes``). A body of the wrong shape is a 400 in Keystone's words."""

from __future__ import annotations

from typing import Any, TypeVar

from core.bodies import unwrap
from core.exceptions import BadRequest
from core.unset import UNSET, Unset
from identity.services.changes import NewProject, NewUser, ProjectChanges, UserChanges

#: keystone/common/validation: a request body without the entity's object.
MISSING_ENTITY = "Expecting to find {key} in request body."
NAME_LENGTH = 255
PROJECT_NAME_LENGTH = 64
DESCRIPTION_LENGTH = 65535
EMAIL_LENGTH = 254
PASSWORD_LENGTH = 4096

T = TypeVar("T")


def entity(data: object, key: str) -> dict[str, Any]:
    """The ``{key: {...}}`` object of a request body, else 400."""
    return unwrap(data, key, MISSING_ENTITY)


def _or(value: T | Unset, default: T) -> T:
    return default if value is UNSET else value


def _string(key: str, value: object, max_length: int, allow_empty: bool) -> str:
    if not isinstance(value, str) or len(value) > max_length or (not allow_empty and not value.strip()):
        raise BadRequest(f"Invalid input for field '{key}': expected a string of 1 to {max_length} characters.")
    return value


def text(body: dict[str, Any], key: str, *, max_length: int = NAME_LENGTH, allow_empty: bool = True) -> str | Unset:
    """A string attribute of ``body``: UNSET when absent, else 400 unless it is a string of the
    allowed length (and not blank where ``allow_empty`` is false)."""
    if key not in body:
        return UNSET
    return _string(key, body[key], max_length, allow_empty)


def required_text(body: dict[str, Any], key: str, *, max_length: int = NAME_LENGTH, allow_empty: bool = True) -> str:
    """A string attribute ``body`` must have: ``text`` that is 400 when absent."""
    if key not in body:
        raise BadRequest(f"Invalid input for field '{key}': '{key}' is a required property.")
    return _string(key, body[key], max_length, allow_empty)


def boolean(body: dict[str, Any], key: str) -> bool | Unset:
    """A boolean attribute of ``body``: UNSET when absent, 400 for any other type."""
    if key not in body:
        return UNSET
    if not isinstance(body[key], bool):
        raise BadRequest(f"Invalid input for field '{key}': {body[key]!r} is not of type 'boolean'.")
    value: bool = body[key]
    return value


def domain(body: dict[str, Any]) -> str | Unset | None:
    """The domain a body names (the service decides whether it exists): UNSET when absent."""
    if "domain_id" not in body:
        return UNSET
    value = body["domain_id"]
    return None if value is None else str(value)


def _default_project(body: dict[str, Any]) -> str | Unset | None:
    """``default_project_id``: a project id, or null (or "") to clear it; UNSET when absent."""
    if "default_project_id" not in body:
        return UNSET
    value = body["default_project_id"]
    if value is not None and not isinstance(value, str):
        raise BadRequest("Invalid input for field 'default_project_id': expected a string or null.")
    return value or None


def _password(body: dict[str, Any]) -> str | Unset:
    """A new password; absent or null leaves it unchanged."""
    if body.get("password") is None:
        return UNSET
    return text(body, "password", max_length=PASSWORD_LENGTH)


def new_project(data: object) -> NewProject:
    """POST /v3/projects {"project": {name, domain_id, description, enabled}}."""
    body = entity(data, "project")
    name = required_text(body, "name", max_length=PROJECT_NAME_LENGTH, allow_empty=False)
    return NewProject(
        name=name,
        domain_id=_or(domain(body), None),
        description=_or(text(body, "description", max_length=DESCRIPTION_LENGTH), ""),
        enabled=_or(boolean(body, "enabled"), True),
    )


def project_changes(data: object) -> ProjectChanges:
    """PATCH /v3/projects/{id} {"project": {name, description, enabled, domain_id}}."""
    body = entity(data, "project")
    return ProjectChanges(
        name=text(body, "name", max_length=PROJECT_NAME_LENGTH, allow_empty=False),
        description=text(body, "description", max_length=DESCRIPTION_LENGTH),
        enabled=boolean(body, "enabled"),
        domain_id=domain(body),
    )


def new_user(data: object) -> NewUser:
    """POST /v3/users {"user": {name, domain_id, password, email, description, enabled,
    default_project_id}}."""
    body = entity(data, "user")
    name = required_text(body, "name", allow_empty=False)
    return NewUser(
        name=name,
        domain_id=_or(domain(body), None),
        password=_or(_password(body), None),
        email=_or(text(body, "email", max_length=EMAIL_LENGTH), ""),
        description=_or(text(body, "description", max_length=DESCRIPTION_LENGTH), ""),
        enabled=_or(boolean(body, "enabled"), True),
        default_project_id=_or(_default_project(body), None),
    )


def user_changes(data: object) -> UserChanges:
    """PATCH /v3/users/{id} {"user": {name, enabled, email, description, default_project_id,
    password, domain_id}}."""
    body = entity(data, "user")
    return UserChanges(
        name=text(body, "name", allow_empty=False),
        enabled=boolean(body, "enabled"),
        email=text(body, "email", max_length=EMAIL_LENGTH),
        description=text(body, "description", max_length=DESCRIPTION_LENGTH),
        default_project_id=_default_project(body),
        password=_password(body),
        domain_id=domain(body),
    )


def password_change(data: object) -> tuple[str, str]:
    """POST /v3/users/{id}/password {"user": {original_password, password}}: both, in order."""
    body = entity(data, "user")
    original = required_text(body, "original_password", max_length=PASSWORD_LENGTH)
    password = required_text(body, "password", max_length=PASSWORD_LENGTH, allow_empty=False)
    return original, password


def role_name(data: object) -> str:
    """POST /v3/roles {"role": {"name"}}."""
    return required_text(entity(data, "role"), "name", allow_empty=False)
