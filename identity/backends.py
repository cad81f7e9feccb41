"""The operator console's login with the cloud's own credentials (a Django authentication
backend over the identity app).

An operator signs in to /admin/ with the name and password of a Keystone user of the Default
domain, checked by ``identity.services.auth.password_account``: the password method of
POST /v3/auth/tokens, the same code path. A user who is enabled and holds the ``admin`` role on
an enabled project is an operator. Django sees a *shadow* ``django.contrib.auth`` user of the
same name, staff and superuser while the role holds; the shadow is brought in line at every
login, and its session is checked at every request, so a role revoked (or a user disabled) in
Keystone ends the console session at the next page and takes the staff flags off the shadow.

In a region that shares another region's identity (IDENTITY_URL), the password and the rule
are asked of that identity service (``identity.remote_operators``); the shadow is the same.

A shadow has an unusable password, so only this backend logs it in. A Django user of the same
name with a password of its own (``createsuperuser``) is Django's: this backend never takes it
over, and ``ModelBackend`` logs it in with its own password.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.contrib.auth.models import User as AuthUser
from django.db.models import QuerySet
from django.http import HttpRequest

from core.exceptions import ServiceError
from identity import remote, remote_operators
from identity.models import DEFAULT_DOMAIN_ID, RoleAssignment, User
from identity.remote_operators import RemoteAccount
from identity.services import auth

log = logging.getLogger(__name__)

#: The role that makes a Keystone user an operator of the console (on any project).
OPERATOR_ROLE = "admin"
#: Django's user names are shorter than Keystone's (150 characters against 255).
USERNAME_LENGTH = 150


def _operator_grants() -> QuerySet[RoleAssignment]:
    """Grants that make their user an operator: the admin role, on an enabled project (a
    disabled project gives no token, so no authority), held by an enabled user."""
    return RoleAssignment.objects.filter(role__name=OPERATOR_ROLE, project__enabled=True, user__enabled=True)


def is_operator(name: str) -> bool:
    """Whether the Default domain's user ``name`` is an operator of the console now (asked of
    the shared identity service in a region without identity of its own)."""
    if remote.configured():
        return remote_operators.is_operator(name)
    return _operator_grants().filter(user__name=name, user__domain_id=DEFAULT_DOMAIN_ID).exists()


def _shadows() -> QuerySet[AuthUser]:
    """The Django users that stand for Keystone users: those with an unusable password."""
    return AuthUser.objects.filter(password__startswith=UNUSABLE_PASSWORD_PREFIX)


def revoke_shadow(name: str) -> None:
    """``name`` is no operator (any more): its shadow, if it has one, is no longer staff."""
    _shadows().filter(username=name).update(is_staff=False, is_superuser=False)


def sync_shadow(account: User | RemoteAccount) -> AuthUser | None:
    """The shadow of ``account`` when it is an operator (created at its first login; staff,
    superuser and e-mail brought in line), else None (its shadow, if any, loses staff). None
    too when a Django user of that name has a password of its own: that user is not taken over."""
    if not is_operator(account.name):
        revoke_shadow(account.name)
        return None
    if len(account.name) > USERNAME_LENGTH:
        log.warning("Keystone user %s is an operator, but its name is too long for a Django user", account.id)
        return None
    shadow, _ = AuthUser.objects.get_or_create(username=account.name, defaults={"password": make_password(None)})
    if shadow.has_usable_password():
        log.warning(
            "Keystone user %s is an operator, but Django's own user %s is not a shadow: refused",
            account.id,
            shadow.username,
        )
        return None
    if not (shadow.is_staff and shadow.is_superuser and shadow.email == account.email):
        shadow.is_staff = shadow.is_superuser = True
        shadow.email = account.email
        shadow.save(update_fields=["is_staff", "is_superuser", "email"])
    return shadow


class KeystoneBackend(ModelBackend):
    """Logs in the cloud's operators by their Keystone name and password (Default domain);
    permissions are those of a Django superuser, as ModelBackend answers them."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> AuthUser | None:
        if not username or password is None:
            return None
        account: User | RemoteAccount | None
        try:
            if remote.configured():
                account = remote_operators.password_account(username, password)
            else:
                account = auth.password_account(username, password)
            if account is None:
                return None
            shadow = sync_shadow(account)
        except remote.IdentityUnavailable:
            log.warning("console login of %s refused: the identity service is unavailable", username)
            return None
        except ServiceError:
            return None  # unknown, disabled or a wrong password: Keystone's 401, told apart to no one
        return shadow if shadow is not None and self.user_can_authenticate(shadow) else None

    def get_user(self, user_id: int) -> AuthUser | None:
        """The session's shadow while its Keystone user is still an operator (one query more
        per request than ModelBackend); else None, so the session is anonymous again."""
        user = super().get_user(user_id)
        if not isinstance(user, AuthUser) or user.has_usable_password():
            return None
        try:
            operator = is_operator(user.username)
        except remote.IdentityUnavailable:
            return None  # this page is anonymous; the session is not ended for it
        if operator:
            return user
        revoke_shadow(user.username)
        return None
