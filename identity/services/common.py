"""What the identity services share: lookups (Keystone's 404s), the one domain, and storing
a row whose name is unique."""

from __future__ import annotations

from django.db import IntegrityError, models, transaction

from core.exceptions import BadRequest, Conflict, NotFound
from identity.models import DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME, Project, Role, User


def resolve_domain(value: str | None) -> str:
    """The id of the domain ``value`` names (its id or its name; None: the default). Only the
    Default domain exists, so anything else is a 400."""
    if value in (None, DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME):
        return DEFAULT_DOMAIN_ID
    raise BadRequest(f"Domain {value!s} does not exist: only the default domain is supported.")


def check_same_domain(asked: str | None, current: str, kind: str) -> None:
    """A project or user stays in its domain: an update may only name the one it is in."""
    if resolve_domain(asked) != current:
        raise BadRequest(f"Invalid input for field 'domain_id': a {kind} cannot move to another domain.")


def save_unique(instance: models.Model, kind: str, name: str) -> None:
    """Save, turning a unique-constraint violation into Keystone's 409."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise Conflict(
            f"Conflict occurred attempting to store {kind} - Duplicate entry found with name {name}."
        ) from None


def find_project(project_id: str) -> Project:
    """The project ``project_id``, else Keystone's 404."""
    project = Project.objects.filter(id=project_id).first()
    if project is None:
        raise NotFound(f"Could not find project: {project_id}.")
    return project


def find_user(user_id: str) -> User:
    """The user ``user_id``, else Keystone's 404."""
    user = User.objects.filter(id=user_id).first()
    if user is None:
        raise NotFound(f"Could not find user: {user_id}.")
    return user


def find_role(role_id: str) -> Role:
    """The role ``role_id``, else Keystone's 404."""
    role = Role.objects.filter(id=role_id).first()
    if role is None:
        raise NotFound(f"Could not find role: {role_id}.")
    return role
