"""The body of POST /v3/auth/tokens read into ``identity.services.credentials.AuthRequest``.

What Keystone refuses before it looks anything up is refused here, in its words: the types of
its JSON schema (keystone/auth/schema.py, "Invalid input for field 'identity/methods': ..."),
an id or a name where an object needs one, a method without its payload (400), a method it
does not offer (401), and a scope that names not exactly one thing (400). Lookups, and the
errors they raise, are the service's (identity.services.auth)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from core.exceptions import BadRequest, Unauthorized
from identity.services.auth import missing
from identity.services.credentials import (
    PASSWORD,
    SUPPORTED_METHODS,
    TOKEN,
    AuthRequest,
    DomainRef,
    PasswordUser,
    ProjectRef,
    Scope,
    ScopeKind,
)

Path = tuple[str | int, ...]
TYPES: dict[str, type | tuple[type, ...]] = {"object": dict, "string": str, "array": list, "boolean": bool}
#: keystone.exception.AuthMethodNotSupported.
UNSUPPORTED_METHOD = "Attempted to authenticate with an unsupported method."


def _invalid(path: Path, message: str) -> BadRequest:
    """Keystone's schema error: the field's path, then what is wrong with it."""
    if not path:
        return BadRequest(message)
    return BadRequest(f"Invalid input for field '{'/'.join(map(str, path))}': {message}")


def _typed(value: object, path: Path, *kinds: str) -> Any:
    """``value`` when it is of one of the schema types ``kinds``, else the schema's 400."""
    if not any(isinstance(value, TYPES[kind]) for kind in kinds):
        raise _invalid(path, f"{value!r} is not of type {', '.join(map(repr, kinds))}")
    return value


def _member(parent: dict[str, Any], key: str, path: Path, kind: str) -> Any:
    """``parent[key]`` checked against ``kind``; None when absent."""
    if key not in parent:
        return None
    return _typed(parent[key], (*path, key), kind)


def _required(parent: dict[str, Any], key: str, path: Path) -> None:
    if key not in parent:
        raise _invalid(path, f"{key!r} is a required property")


def _id_or_name(entity: dict[str, Any] | None, field: str) -> None:
    """keystone/auth/schema.py: an object that names something needs its id or its name."""
    if entity is not None and "id" not in entity and "name" not in entity:
        raise BadRequest(f"Invalid input for field {field}: id or name must be present.")


def _domain(parent: dict[str, Any], path: Path) -> DomainRef | None:
    """The ``domain`` object of ``parent`` (its id and name strings); None when absent."""
    domain = _member(parent, "domain", path, "object")
    if domain is None:
        return None
    where = (*path, "domain")
    return DomainRef(id=_member(domain, "id", where, "string"), name=_member(domain, "name", where, "string"))


def _named(entity: dict[str, Any], path: Path) -> dict[str, str | None]:
    return {"id": _member(entity, "id", path, "string"), "name": _member(entity, "name", path, "string")}


def _password_user(identity: dict[str, Any]) -> PasswordUser | None:
    """The password method's user (schema types only); None when there is none."""
    password = _member(identity, PASSWORD, ("identity",), "object")
    path: Path = ("identity", PASSWORD, "user")
    user = None if password is None else _member(password, "user", path[:2], "object")
    if user is None:
        return None
    return PasswordUser(
        **_named(user, path), domain=_domain(user, path), password=_member(user, "password", path, "string")
    )


def _token_id(identity: dict[str, Any]) -> str | None:
    """The token method's token id; None when the method has no payload."""
    token = _member(identity, TOKEN, ("identity",), "object")
    if token is None:
        return None
    _required(token, "id", ("identity", TOKEN))
    value: str = _typed(token["id"], ("identity", TOKEN, "id"), "string")
    return value


def _scope(auth: dict[str, Any]) -> Scope:
    """The scope's parts, schema types only (its kind is told later): absent, a string, or an
    object whose project, domain, OS-TRUST:trust and system are objects of the right types."""
    if "scope" not in auth:
        return Scope()
    scope = _typed(auth["scope"], ("scope",), "object", "string")
    if isinstance(scope, str):
        return Scope()
    project = _member(scope, "project", ("scope",), "object")
    domain = _member(scope, "domain", ("scope",), "object")
    trust = _member(scope, ScopeKind.TRUST.value, ("scope",), "object")
    system = _member(scope, "system", ("scope",), "object")
    if system is not None:
        _member(system, "all", ("scope", "system"), "boolean")
    return Scope(
        project=None
        if project is None
        else ProjectRef(**_named(project, ("scope", "project")), domain=_domain(project, ("scope", "project"))),
        domain=None if domain is None else DomainRef(**_named(domain, ("scope", "domain"))),
        trust_id=None if trust is None else _member(trust, "id", ("scope", ScopeKind.TRUST.value), "string"),
    )


def _names_present(auth: dict[str, Any]) -> None:
    """What keystone/auth/schema.py checks past the types: every user, project and domain
    named by its id or its name."""
    user = auth["identity"].get(PASSWORD, {}).get("user")
    _id_or_name(user, "identity/password/user")
    _id_or_name(user and user.get("domain"), "identity/password/user/domain")
    scope = auth.get("scope")
    if isinstance(scope, dict):
        project = scope.get("project")
        _id_or_name(project, "scope/project")
        _id_or_name(project and project.get("domain"), "scope/project/domain")
        _id_or_name(scope.get("domain"), "scope/domain")


def _methods(identity: dict[str, Any]) -> tuple[str, ...]:
    """The methods, each once in the order given; each needs its payload (400) and must be
    one this Keystone offers (401)."""
    names = tuple(dict.fromkeys(identity["methods"]))
    for name in names:
        if name not in identity:
            raise missing(name, "identity")
    if any(name not in SUPPORTED_METHODS for name in names):
        raise Unauthorized(UNSUPPORTED_METHOD)
    return names


def _scope_kind(scope: object) -> ScopeKind:
    """What the scope asks for: nothing (the default), the string "unscoped", or an object
    naming exactly one of project, domain, system, OS-TRUST:trust or unscoped."""
    if scope is None:
        return ScopeKind.DEFAULT
    if isinstance(scope, dict):
        kinds = [kind for kind in ScopeKind if kind != ScopeKind.DEFAULT and kind.value in scope]
    else:
        kinds = [ScopeKind.UNSCOPED] if scope == ScopeKind.UNSCOPED.value else []
    if len(kinds) != 1:
        raise missing("system, project, domain, OS-TRUST:trust or unscoped", "scope")
    return kinds[0]


def auth_request(data: object) -> AuthRequest:
    """POST /v3/auth/tokens {"auth": {"identity": {...}, "scope": ...}}, checked in Keystone's
    order: the schema's types and required members, then ids or names, then the methods,
    then the scope."""
    auth = data.get("auth") if isinstance(data, dict) else None
    if auth is None:
        raise missing("auth", "request body")
    _typed(auth, (), "object")
    identity = _member(auth, "identity", (), "object")
    password_user, token_id = None, None
    if identity is not None:
        methods = _member(identity, "methods", ("identity",), "array") or []
        for index, method in enumerate(methods):
            _typed(method, ("identity", "methods", index), "string")
        password_user, token_id = _password_user(identity), _token_id(identity)
        _required(identity, "methods", ("identity",))
    scope = _scope(auth)
    _required(auth, "identity", ())
    _names_present(auth)
    return AuthRequest(
        methods=_methods(auth["identity"]),
        password_user=password_user,
        token_id=token_id,
        scope=replace(scope, kind=_scope_kind(auth.get("scope"))),
    )
