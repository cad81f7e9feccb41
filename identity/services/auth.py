"""Authentication: issuing a token for a POST /v3/auth/tokens request, and what a token may
ask about its own scope (GET /v3/auth/projects, /domains, /system, /catalog) and about other
tokens (GET, HEAD, DELETE /v3/auth/tokens).

Keystone's order and words (keystone/auth/core.py AuthInfo, keystone/auth/plugins/,
keystone/api/_shared/authentication.py): the scope is looked up first, then each method
authenticates, then a request without a scope gets the user's default project when it may use
it. Every failure to authenticate is the same 401 sentence, whatever the cause (Keystone hides
the cause unless insecure_debug is on); a malformed request is a 400 naming what is missing;
a token given to the ``token`` method that is not valid is Keystone's 404 (TokenNotFound)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from core import policy
from core.exceptions import BadRequest, Forbidden, NotFound, Unauthorized
from core.principal import Caller
from identity import tokens
from identity.models import DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME, DomainRoleAssignment, Project, User

from .credentials import PASSWORD, TOKEN, AuthRequest, DomainRef, PasswordUser, ProjectRef, ScopeKind

#: keystone.exception.Unauthorized, as Keystone words every failed authentication.
AUTHENTICATION_REQUIRED = "The request you have made requires authentication."
#: keystone.exception.Forbidden, without insecure_debug.
NOT_AUTHORIZED = "You are not authorized to perform the requested action."


def missing(attribute: str, target: str) -> BadRequest:
    """keystone.exception.ValidationError: a request without something it needs."""
    return BadRequest(
        f"Expecting to find {attribute} in {target}. The server could not comply with the request since it is"
        " either malformed or otherwise incorrect. The client is assumed to be in error."
    )


def _domain_id(ref: DomainRef) -> str:
    """The id of the domain ``ref`` names; 400 when it names none, 401 when there is no such
    domain (only Default exists; its name is matched without regard to case, as Keystone's
    usual database collation does)."""
    if not ref.id and not ref.name:
        raise missing("id or name", "domain")
    if ref.name.lower() == DEFAULT_DOMAIN_NAME.lower() if ref.name else ref.id == DEFAULT_DOMAIN_ID:
        return DEFAULT_DOMAIN_ID
    raise Unauthorized(AUTHENTICATION_REQUIRED)


def _project(ref: ProjectRef) -> Project:
    """The enabled project a scope names: by name it needs its domain (400), an unknown or
    disabled one is 401."""
    if ref.name:
        if ref.domain is None:
            raise missing("domain", "project")
        project = Project.objects.filter(name=ref.name, domain_id=_domain_id(ref.domain)).first()
    else:
        project = Project.objects.filter(id=ref.id).first()
    if project is None or not project.enabled:
        raise Unauthorized(AUTHENTICATION_REQUIRED)
    return project


def _password_user(user: PasswordUser | None) -> User:
    """The enabled user the password method names, if the password is its own; else 401."""
    if user is None:
        raise missing("user", PASSWORD)
    if user.name:
        if user.domain is None:
            raise missing("domain", "user")
        account = User.objects.filter(name=user.name, domain_id=_domain_id(user.domain)).first()
    else:
        account = User.objects.filter(id=user.id).first()
    if account is None or not account.enabled or user.password is None or not account.check_password(user.password):
        raise Unauthorized(AUTHENTICATION_REQUIRED)
    return account


def password_account(name: str, password: str) -> User:
    """The enabled user ``name`` of the Default domain whose password is ``password``: the
    password method's own check (the admin console's login uses it); 401 otherwise."""
    return _password_user(PasswordUser(name=name, domain=DomainRef(id=DEFAULT_DOMAIN_ID), password=password))


def _token(token_id: str | None) -> tokens.Principal:
    """The valid token the token method names, else Keystone's 404."""
    if not token_id:
        raise NotFound("No token in the request")
    found = tokens.check(token_id)
    if isinstance(found, tokens.Invalid):
        raise NotFound(found.message)
    return found


@dataclass
class _Authenticated:
    """What the methods established: the user, the methods in Keystone's order, and the
    expiry and audit chain a rescoped token inherits."""

    user: User | None = None
    methods: tuple[str, ...] = ()
    expires_at: datetime | None = None
    parent_audit_id: str = ""

    def add(self, user: User, method: str, earlier: tuple[str, ...] = ()) -> None:
        """One method succeeded for ``user`` (it must be the user every other method found)."""
        if self.user is not None and self.user.id != user.id:
            raise Unauthorized(AUTHENTICATION_REQUIRED)
        self.user = user
        # Each method goes first, followed by the methods of the token it used (Keystone keeps
        # them so that a rescoped token still says how its user proved who they are).
        self.methods = tuple(dict.fromkeys((method, *self.methods, *earlier)))


def _run_methods(request: AuthRequest) -> _Authenticated:
    done = _Authenticated()
    for method in request.methods:
        if method == PASSWORD:
            done.add(_password_user(request.password_user), PASSWORD)
        elif method == TOKEN:
            principal = _token(request.token_id)
            user = User.objects.get(id=principal.user_id)
            done.add(user, TOKEN, principal.methods)
            done.expires_at = principal.expires_at
            done.parent_audit_id = principal.parent_audit_id or principal.audit_id
    return done


def _default_project(user: User) -> Project | None:
    """The project a request without a scope gets: the user's default project when it is
    enabled and the user holds a role on it; else None (an unscoped token)."""
    project = user.default_project
    if project is None or not project.enabled or not tokens.effective_roles(user, project):
        return None
    return project


def authenticate(request: AuthRequest) -> tuple[str, tokens.Principal]:
    """Issue a token for ``request``: returns its secret and principal. 400 for a malformed
    request, 401 for credentials that do not authenticate or a scope the user may not have
    (a project or domain it holds no role on; the system or a trust: no grant of those exists
    here), 404 for an invalid token given to the token method."""
    scope = request.scope
    project: Project | None = None
    domain_id = ""
    if scope.kind == ScopeKind.PROJECT and scope.project is not None:
        project = _project(scope.project)
    elif scope.kind == ScopeKind.DOMAIN and scope.domain is not None:
        domain_id = _domain_id(scope.domain)
    elif scope.kind == ScopeKind.TRUST and not scope.trust_id:
        raise missing("trust_id", "trust")
    done = _run_methods(request)
    if done.user is None:
        raise Unauthorized(AUTHENTICATION_REQUIRED)
    if scope.kind in (ScopeKind.SYSTEM, ScopeKind.TRUST):
        raise Unauthorized(AUTHENTICATION_REQUIRED)
    if scope.kind == ScopeKind.DEFAULT:
        project = _default_project(done.user)
    try:
        return tokens.issue_token(
            done.user,
            project,
            methods=done.methods,
            expires_at=done.expires_at,
            parent_audit_id=done.parent_audit_id,
            domain_id=domain_id,
        )
    except tokens.AuthError:
        raise Unauthorized(AUTHENTICATION_REQUIRED) from None


def subject_token(caller: Caller, secret: str, rule: policy.Rule) -> tokens.Principal:
    """The valid token ``secret`` names (X-Subject-Token), for an admin or its own user
    (``rule``: identity:validate_token, check_token or revoke_token); Keystone's 404 when there
    is none or it is not valid, checked before the rule, as Keystone reads the subject token
    to build the rule's target."""
    if not secret:
        raise NotFound("No token in the request")
    found = tokens.check(secret)
    if isinstance(found, tokens.Invalid):
        raise NotFound(found.message)
    policy.enforce(caller, rule, user_id=found.user_id)
    return found


def revoke_subject_token(caller: Caller, secret: str) -> None:
    """Revoke the token ``secret`` names (identity:revoke_token)."""
    subject_token(caller, secret, policy.IDENTITY_REVOKE_TOKEN)
    tokens.revoke(secret)


def scope_projects(caller: Caller) -> QuerySet[Project]:
    """The projects the caller's token may be rescoped to: those its user holds a role on
    (identity:get_auth_projects, any token)."""
    policy.enforce(caller, policy.IDENTITY_GET_AUTH_PROJECTS)
    return Project.objects.filter(assignments__user_id=caller.user_id).distinct()


def scope_domains(caller: Caller) -> list[str]:
    """The ids of the domains the caller's token may be scoped to (identity:get_auth_domains):
    those its user holds a role on."""
    policy.enforce(caller, policy.IDENTITY_GET_AUTH_DOMAINS)
    granted = DomainRoleAssignment.objects.filter(user_id=caller.user_id).values_list("domain_id", flat=True)
    return sorted(set(granted))


def scope_system(caller: Caller) -> bool:
    """Whether the caller's token may be scoped to the system (identity:get_auth_system): no,
    as no role is ever granted on the system here."""
    policy.enforce(caller, policy.IDENTITY_GET_AUTH_SYSTEM)
    return False


def catalog_project(caller: Caller) -> str:
    """The project whose catalog GET /v3/auth/catalog shows (identity:get_auth_catalog): the
    token's; an unscoped token has none (403, as Keystone answers)."""
    policy.enforce(caller, policy.IDENTITY_GET_AUTH_CATALOG)
    if not caller.project_id:
        raise Forbidden(NOT_AUTHORIZED)
    return caller.project_id
