"""The Identity API's (Keystone v3) bodies as OpenAPI schemas, as ``identity/documents.py``
writes them and ``parsing.py`` / ``auth_parsing.py`` read them. Views name these operations
in their ``openapi`` attribute."""

from __future__ import annotations

from core.openapi.types import (
    ANY_OBJECT,
    BOOLEAN,
    STRING,
    TEXT_OR_NULL,
    Component,
    Operation,
    Query,
    array,
    deleted,
    envelope,
    obj,
)

SELF_LINK = obj({"self": STRING})
COLLECTION_LINKS = Component(
    "IdentityCollectionLinks", obj({"self": STRING, "previous": TEXT_OR_NULL, "next": TEXT_OR_NULL})
)
NAMED = obj({"id": STRING, "name": STRING})
DOMAIN_REF = obj({"id": STRING, "name": STRING}, required=())

# --- tokens -------------------------------------------------------------------------------

_USER_REF = obj(
    {"id": STRING, "name": STRING, "domain": DOMAIN_REF, "password": STRING},
    required=("password",),
    description="The user by id, or by name with its domain.",
)
_SCOPE = obj(
    {
        "project": obj({"id": STRING, "name": STRING, "domain": DOMAIN_REF}, required=()),
        "domain": DOMAIN_REF,
        "system": obj({"all": BOOLEAN}),
    },
    required=(),
    description="At most one: a project (by id, or by name with its domain). None: the user's default project, "
    "or an unscoped token.",
)
TOKEN_REQUEST = envelope(
    "auth",
    obj(
        {
            "identity": obj(
                {
                    "methods": {"type": "array", "items": {"type": "string", "enum": ["password", "token"]}},
                    "password": obj({"user": _USER_REF}),
                    "token": obj({"id": STRING}),
                },
                required=("methods",),
            ),
            "scope": _SCOPE,
        },
        required=("identity",),
    ),
)
CATALOG = Component(
    "ServiceCatalog",
    array(
        obj(
            {
                "id": STRING,
                "type": STRING,
                "name": STRING,
                "endpoints": array(
                    obj({"id": STRING, "interface": STRING, "region_id": STRING, "region": STRING, "url": STRING})
                ),
            }
        )
    ),
)
TOKEN = Component(
    "Token",
    obj(
        {
            "methods": array(STRING),
            "user": obj({"id": STRING, "name": STRING, "domain": NAMED, "password_expires_at": TEXT_OR_NULL}),
            "audit_ids": array(STRING),
            "expires_at": STRING,
            "issued_at": STRING,
            "project": {**obj({"id": STRING, "name": STRING, "domain": NAMED}), "description": "A scoped token."},
            "is_domain": BOOLEAN,
            "roles": {**array(NAMED), "description": "A scoped token: its roles, implied ones too."},
            "catalog": {"allOf": [CATALOG], "description": "A scoped token, unless ?nocatalog."},
        },
        required=("methods", "user", "audit_ids", "expires_at", "issued_at"),
    ),
)
_NOCATALOG = (Query("nocatalog", "Leave the catalog out."),)
TOKEN_ISSUE = Operation(
    "Issue a token (password or token method; a project scope, or unscoped).",
    request=TOKEN_REQUEST,
    response=envelope("token", TOKEN),
    status=201,
    errors=(400, 401, 404),
    headers=("X-Subject-Token",),
    query=_NOCATALOG,
    description="The token itself is in the X-Subject-Token header; send it as X-Auth-Token.",
)
TOKEN_VALIDATE = Operation(
    "Validate the token in X-Subject-Token and show it.",
    response=envelope("token", TOKEN),
    errors=(403, 404),
    headers=("X-Subject-Token",),
    request_headers=("X-Subject-Token",),
    query=_NOCATALOG,
)
TOKEN_REVOKE = Operation(
    "Revoke the token in X-Subject-Token.", status=204, errors=(403, 404), request_headers=("X-Subject-Token",)
)

# --- projects, users, roles, domains ------------------------------------------------------

PROJECT = Component(
    "Project",
    obj(
        {
            "id": STRING,
            "name": STRING,
            "domain_id": STRING,
            "description": STRING,
            "enabled": BOOLEAN,
            "parent_id": STRING,
            "is_domain": BOOLEAN,
            "tags": array(STRING),
            "options": ANY_OBJECT,
            "links": SELF_LINK,
        }
    ),
)
_PROJECT_FIELDS = {
    "name": {"type": "string", "minLength": 1, "maxLength": 64},
    "domain_id": STRING,
    "description": {"type": "string", "maxLength": 65535},
    "enabled": BOOLEAN,
}
PROJECTS = envelope("projects", array(PROJECT), links=COLLECTION_LINKS)
PROJECT_LIST = Operation(
    "List projects (an administrator: all; others: those they hold a role on).",
    response=PROJECTS,
    query=(Query("name"), Query("domain_id"), Query("enabled")),
)
PROJECT_CREATE = Operation(
    "Create a project.",
    request=envelope("project", obj(_PROJECT_FIELDS, required=("name",))),
    response=envelope("project", PROJECT),
    status=201,
    errors=(400, 403, 409),
)
PROJECT_SHOW = Operation("Show a project.", response=envelope("project", PROJECT))
PROJECT_UPDATE = Operation(
    "Update a project.",
    request=envelope("project", obj(_PROJECT_FIELDS, required=())),
    response=envelope("project", PROJECT),
    errors=(400, 403, 404, 409),
)
PROJECT_DELETE = deleted("Delete a project (with its grants and tokens).", errors=(403, 404))
USER_PROJECTS = Operation("List the projects a user holds a role on.", response=PROJECTS)
AUTH_PROJECTS = Operation("The projects the token's user may scope to.", response=PROJECTS, errors=())

USER = Component(
    "User",
    obj(
        {
            "id": STRING,
            "name": STRING,
            "domain_id": STRING,
            "enabled": BOOLEAN,
            "password_expires_at": TEXT_OR_NULL,
            "options": ANY_OBJECT,
            "links": SELF_LINK,
            "default_project_id": STRING,
            "email": STRING,
            "description": STRING,
        },
        required=("id", "name", "domain_id", "enabled", "links"),
        description="default_project_id, email and description only when set; never the password.",
    ),
)
_USER_FIELDS = {
    "name": {"type": "string", "minLength": 1, "maxLength": 255},
    "domain_id": STRING,
    "password": {"type": "string", "maxLength": 4096, "nullable": True},
    "email": {"type": "string", "maxLength": 254},
    "description": {"type": "string", "maxLength": 65535},
    "enabled": BOOLEAN,
    "default_project_id": TEXT_OR_NULL,
}
USER_LIST = Operation(
    "List users.",
    response=envelope("users", array(USER), links=COLLECTION_LINKS),
    query=(Query("name"), Query("domain_id"), Query("enabled")),
)
USER_CREATE = Operation(
    "Create a user.",
    request=envelope("user", obj(_USER_FIELDS, required=("name",))),
    response=envelope("user", USER),
    status=201,
    errors=(400, 403, 404, 409),  # 404: a default_project_id that names no project
)
USER_SHOW = Operation("Show a user.", response=envelope("user", USER))
USER_UPDATE = Operation(
    "Update a user.",
    request=envelope("user", obj(_USER_FIELDS, required=())),
    response=envelope("user", USER),
    errors=(400, 403, 404, 409),
)
USER_DELETE = deleted("Delete a user (its tokens go with it).", errors=(403, 404))
USER_PASSWORD = Operation(
    "Change one's own password (every token of the user is revoked).",
    request=envelope("user", obj({"original_password": STRING, "password": {"type": "string", "minLength": 1}})),
    status=204,
    errors=(400, 401, 403, 404),
)

ROLE = Component(
    "Role",
    obj(
        {
            "id": STRING,
            "name": STRING,
            "domain_id": TEXT_OR_NULL,
            "description": TEXT_OR_NULL,
            "options": ANY_OBJECT,
            "links": SELF_LINK,
        }
    ),
)
ROLES = envelope("roles", array(ROLE), links=COLLECTION_LINKS)
ROLE_LIST = Operation("List roles.", response=ROLES, query=(Query("name"),))
ROLE_CREATE = Operation(
    "Create a role.",
    request=envelope("role", obj({"name": {"type": "string", "minLength": 1, "maxLength": 255}})),
    response=envelope("role", ROLE),
    status=201,
    errors=(400, 403, 409),
)
ROLE_SHOW = Operation("Show a role.", response=envelope("role", ROLE))
ROLE_DELETE = deleted("Delete a role (with its grants).", errors=(403, 404))
USER_ROLES_ON_PROJECT = Operation("List a user's roles on a project.", response=ROLES)
GRANT_CHECK = Operation("Whether the user holds the role on the project (204, or 404).", status=204)
GRANT_CREATE = Operation("Grant the role to the user on the project.", status=204, errors=(403, 404))
GRANT_DELETE = deleted("Revoke the role.", errors=(403, 404))
USER_ROLES_ON_DOMAIN = Operation("List a user's roles on a domain.", response=ROLES)
DOMAIN_GRANT_CHECK = Operation("Whether the user holds the role on the domain (204, or 404).", status=204)
DOMAIN_GRANT_CREATE = Operation("Grant the role to the user on the domain.", status=204, errors=(403, 404))
DOMAIN_GRANT_DELETE = deleted("Revoke the role on the domain.", errors=(403, 404))
ROLE_ASSIGNMENT = obj(
    {
        "role": obj({"id": STRING, "name": STRING}, required=("id",)),
        "user": obj({"id": STRING, "name": STRING, "domain": NAMED}, required=("id",)),
        "scope": obj({"project": obj({"id": STRING, "name": STRING, "domain": NAMED}, required=("id",))}),
        "links": obj({"assignment": STRING}),
    },
    description="Names with ?include_names.",
)
ROLE_ASSIGNMENTS = Operation(
    "List role assignments.",
    response=envelope("role_assignments", array(ROLE_ASSIGNMENT), links=COLLECTION_LINKS),
    query=(Query("user.id"), Query("scope.project.id"), Query("role.id"), Query("include_names")),
)

DOMAIN = Component(
    "Domain",
    obj(
        {
            "id": STRING,
            "name": STRING,
            "description": STRING,
            "enabled": BOOLEAN,
            "tags": array(STRING),
            "options": ANY_OBJECT,
            "links": SELF_LINK,
        }
    ),
)
DOMAINS = envelope("domains", array(DOMAIN), links=COLLECTION_LINKS)
DOMAIN_LIST = Operation("List domains (only Default).", response=DOMAINS, query=(Query("name"), Query("enabled")))
DOMAIN_SHOW = Operation("Show the Default domain.", response=envelope("domain", DOMAIN))
AUTH_DOMAINS = Operation("The domains the token's user may scope to (none).", response=DOMAINS, errors=())
AUTH_SYSTEM = Operation(
    "Whether the token's user may scope to the system.",
    response=envelope("system", array(obj({"all": BOOLEAN})), links=SELF_LINK),
    errors=(),
)
AUTH_CATALOG = Operation(
    "The service catalog of the token's project.",
    response=envelope("catalog", CATALOG, links=SELF_LINK),
    errors=(403,),
)
