"""Grants on a domain (a user's role on Default, the one domain): what a domain-scoped token
needs. Keystone checks them with the same rules as grants on a project (identity:create_grant,
check_grant, list_grants, revoke_grant)."""

from __future__ import annotations

from django.db.models import QuerySet

from core import policy
from core.exceptions import NotFound
from core.principal import Caller
from identity import tokens
from identity.models import DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME, DomainRoleAssignment, Role, User

from .common import find_role, find_user


def _domain(domain_id: str) -> str:
    """The id of the domain a grant URL names (by id, or by the name Default); else 404."""
    if domain_id not in (DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME):
        raise NotFound(f"Could not find domain: {domain_id}.")
    return DEFAULT_DOMAIN_ID


def _parts(domain_id: str, user_id: str, role_id: str) -> tuple[str, User, Role]:
    return _domain(domain_id), find_user(user_id), find_role(role_id)


def _missing(domain_id: str, user_id: str, role_id: str) -> NotFound:
    return NotFound(f"Could not find role assignment: {role_id} for user {user_id} on domain {domain_id}.")


def create_domain_grant(caller: Caller, domain_id: str, user_id: str, role_id: str) -> None:
    """Give a user a role on a domain (identity:create_grant); granting twice is a no-op."""
    policy.enforce(caller, policy.IDENTITY_CREATE_GRANT)
    domain, user, role = _parts(domain_id, user_id, role_id)
    DomainRoleAssignment.objects.get_or_create(domain_id=domain, user=user, role=role)


def check_domain_grant(caller: Caller, domain_id: str, user_id: str, role_id: str) -> None:
    """Whether a user holds a role on a domain (identity:check_grant); 404 when it does not."""
    policy.enforce(caller, policy.IDENTITY_CHECK_GRANT, user_id=user_id)
    domain, user, role = _parts(domain_id, user_id, role_id)
    if not DomainRoleAssignment.objects.filter(domain_id=domain, user=user, role=role).exists():
        raise _missing(domain_id, user_id, role_id)


def revoke_domain_grant(caller: Caller, domain_id: str, user_id: str, role_id: str) -> None:
    """Take a role on a domain from a user (identity:revoke_grant; 404 when not granted); the
    user's tokens stop working, as Keystone revokes them on any change of its roles."""
    policy.enforce(caller, policy.IDENTITY_REVOKE_GRANT)
    domain, user, role = _parts(domain_id, user_id, role_id)
    deleted, _ = DomainRoleAssignment.objects.filter(domain_id=domain, user=user, role=role).delete()
    if not deleted:
        raise _missing(domain_id, user_id, role_id)
    tokens.revoke_user_tokens(user.id)


def list_domain_grants(caller: Caller, domain_id: str, user_id: str) -> QuerySet[Role]:
    """The roles a user holds on a domain (identity:list_grants: admins, or the user itself)."""
    policy.enforce(caller, policy.IDENTITY_LIST_GRANTS, user_id=user_id)
    domain, user = _domain(domain_id), find_user(user_id)
    return Role.objects.filter(domain_assignments__domain_id=domain, domain_assignments__user=user).distinct()
