"""Users: list, show, create, update, delete, and a user changing its own password."""

from __future__ import annotations

from django.db.models import QuerySet

from core import policy
from core.exceptions import Unauthorized
from core.principal import Caller
from core.unset import UNSET
from identity import tokens
from identity.models import User

from .changes import NewUser, UserChanges
from .common import check_same_domain, find_project, find_user, resolve_domain, save_unique


def list_users(caller: Caller) -> QuerySet[User]:
    """Every user (identity:list_users)."""
    policy.enforce(caller, policy.IDENTITY_LIST_USERS)
    return User.objects.all()


def get_user(caller: Caller, user_id: str) -> User:
    """A user (identity:get_user: admins, or the user itself)."""
    policy.enforce(caller, policy.IDENTITY_GET_USER, user_id=user_id)
    return find_user(user_id)


def create_user(caller: Caller, new: NewUser) -> User:
    """Create a user (identity:create_user); 404 for an unknown default project, 409 when the
    name is taken in the domain. Without a password the user cannot log in until one is set."""
    policy.enforce(caller, policy.IDENTITY_CREATE_USER)
    user = User(
        name=new.name,
        domain_id=resolve_domain(new.domain_id),
        email=new.email,
        description=new.description,
        enabled=new.enabled,
        default_project=find_project(new.default_project_id) if new.default_project_id else None,
    )
    user.set_password(new.password)
    save_unique(user, "user", user.name)
    return user


def update_user(caller: Caller, user_id: str, changes: UserChanges) -> User:
    """Change a user (identity:update_user). A new password ends the user's sessions, as in
    Keystone."""
    policy.enforce(caller, policy.IDENTITY_UPDATE_USER)
    user = find_user(user_id)
    if changes.domain_id is not UNSET:
        check_same_domain(changes.domain_id, user.domain_id, "user")
    if changes.name is not UNSET:
        user.name = changes.name
    if changes.email is not UNSET:
        user.email = changes.email
    if changes.description is not UNSET:
        user.description = changes.description
    if changes.enabled is not UNSET:
        user.enabled = changes.enabled
    if changes.default_project_id is not UNSET:
        user.default_project = find_project(changes.default_project_id) if changes.default_project_id else None
    if changes.password is not UNSET:
        user.set_password(changes.password)
    save_unique(user, "user", user.name)
    if changes.password is not UNSET:
        tokens.revoke_user_tokens(user.id)
    return user


def delete_user(caller: Caller, user_id: str) -> None:
    """Delete a user (identity:delete_user); its tokens and grants go with it."""
    policy.enforce(caller, policy.IDENTITY_DELETE_USER)
    find_user(user_id).delete()


def change_password(caller: Caller, user_id: str, *, original_password: str, password: str) -> None:
    """A user changes its own password (identity:change_password: not even an admin may do it
    for another). The current password must match (401 otherwise); every session ends."""
    policy.enforce(caller, policy.IDENTITY_CHANGE_PASSWORD, user_id=user_id)
    user = find_user(user_id)
    if not user.check_password(original_password):
        raise Unauthorized("The request you have made requires authentication.")
    user.set_password(password)
    user.save(update_fields=["password"])
    tokens.revoke_user_tokens(user.id)
