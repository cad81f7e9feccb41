"""The compute API's flavors, keypairs, server groups, quotas and limits as OpenAPI schemas,
as the views write them at the newest microversion (fields a microversion adds or removes say
so). Views name these operations in their ``openapi`` attribute."""

from __future__ import annotations

from core.openapi.types import (
    ANY_OBJECT,
    BOOLEAN,
    INTEGER,
    MICRO_DATETIME,
    MICRO_DATETIME_OR_NULL,
    STRING,
    STRING_MAP,
    TEXT_OR_NULL,
    UUID,
    Component,
    Operation,
    Query,
    Schema,
    array,
    deleted,
    enum,
    envelope,
    obj,
    since,
)

from .openapi import LINKS, PAGING, SERVERS_LINKS

# --- flavors ------------------------------------------------------------------------------

FLAVOR_BRIEF = Component(
    "FlavorBrief",
    obj(
        {"id": STRING, "name": STRING, "links": LINKS, "description": since("2.55", TEXT_OR_NULL)},
        required=("id", "name", "links"),
    ),
)
FLAVOR = Component(
    "Flavor",
    obj(
        {
            "id": STRING,
            "name": STRING,
            "ram": INTEGER,
            "vcpus": INTEGER,
            "disk": INTEGER,
            "OS-FLV-EXT-DATA:ephemeral": INTEGER,
            "swap": {"anyOf": [INTEGER, STRING], "description": '"" for none before 2.75, 0 from 2.75.'},
            "os-flavor-access:is_public": BOOLEAN,
            "links": LINKS,
            "rxtx_factor": {"type": "number", "description": "Until 2.74."},
            "OS-FLV-DISABLED:disabled": {"type": "boolean", "description": "Until 2.74."},
            "description": since("2.55", TEXT_OR_NULL),
            "extra_specs": since("2.61", STRING_MAP),
        },
        required=("id", "name", "ram", "vcpus", "disk", "OS-FLV-EXT-DATA:ephemeral", "swap", "links"),
    ),
)
FLAVOR_CREATE_REQUEST = envelope(
    "flavor",
    obj(
        {
            "name": {"type": "string", "minLength": 1, "maxLength": 255},
            "id": {"type": "string", "nullable": True, "description": "Generated (a UUID) when absent or null."},
            "ram": {"type": "integer", "minimum": 1},
            "vcpus": {"type": "integer", "minimum": 1},
            "disk": {"type": "integer", "minimum": 0},
            "OS-FLV-EXT-DATA:ephemeral": {"type": "integer", "minimum": 0},
            "swap": {"type": "integer", "minimum": 0},
            "rxtx_factor": {"type": "number", "minimum": 0},
            "os-flavor-access:is_public": BOOLEAN,
            "description": since("2.55", TEXT_OR_NULL),
        },
        required=("name", "ram", "vcpus", "disk"),
    ),
)
_FLAVOR_QUERY = (
    *PAGING,
    Query("is_public", "true, false or none (administrators)."),
    Query("minRam"),
    Query("minDisk"),
)
FLAVOR_LIST = Operation(
    "List flavors.", response=envelope("flavors", array(FLAVOR_BRIEF), flavors_links=SERVERS_LINKS), query=_FLAVOR_QUERY
)
FLAVOR_DETAIL_LIST = Operation(
    "List flavors with details.",
    response=envelope("flavors", array(FLAVOR), flavors_links=SERVERS_LINKS),
    query=_FLAVOR_QUERY,
)
FLAVOR_CREATE = Operation(
    "Create a flavor (administrators).",
    request=FLAVOR_CREATE_REQUEST,
    response=envelope("flavor", FLAVOR),
    errors=(400, 403, 409),
)
FLAVOR_SHOW = Operation("Show a flavor.", response=envelope("flavor", FLAVOR))
FLAVOR_UPDATE = Operation(
    "Update a flavor's description (from 2.55; administrators).",
    request=envelope("flavor", obj({"description": TEXT_OR_NULL})),
    response=envelope("flavor", FLAVOR),
)
FLAVOR_DELETE = Operation("Delete a flavor (administrators).", status=202, errors=(403, 404))
FLAVOR_ACCESS = envelope("flavor_access", array(obj({"flavor_id": STRING, "tenant_id": STRING})))
FLAVOR_ACCESS_LIST = Operation("List the projects that may use a private flavor.", response=FLAVOR_ACCESS)
FLAVOR_ACTION = Operation(
    "Add or remove a project's access to a private flavor.",
    request={
        "oneOf": [
            envelope("addTenantAccess", obj({"tenant": STRING})),
            envelope("removeTenantAccess", obj({"tenant": STRING})),
        ]
    },
    response=FLAVOR_ACCESS,
    errors=(400, 403, 404, 409),
)
EXTRA_SPECS = envelope("extra_specs", STRING_MAP)
EXTRA_SPECS_LIST = Operation("List a flavor's extra specs.", response=EXTRA_SPECS)
EXTRA_SPECS_CREATE = Operation("Add or change extra specs (administrators).", request=EXTRA_SPECS, response=EXTRA_SPECS)
EXTRA_SPEC: Schema = {**STRING_MAP, "minProperties": 1, "maxProperties": 1, "description": "{key: value}"}
EXTRA_SPEC_SHOW = Operation("Show one extra spec.", response=EXTRA_SPEC)
EXTRA_SPEC_UPDATE = Operation("Set one extra spec (administrators).", request=EXTRA_SPEC, response=EXTRA_SPEC)
EXTRA_SPEC_DELETE = Operation("Delete one extra spec (administrators).", errors=(403, 404))

# --- keypairs -----------------------------------------------------------------------------

KEYPAIR = Component(
    "Keypair",
    obj(
        {
            "name": STRING,
            "public_key": STRING,
            "fingerprint": STRING,
            "type": since("2.2", enum("ssh", "x509")),
            "user_id": STRING,
            "created_at": MICRO_DATETIME,
            "updated_at": MICRO_DATETIME_OR_NULL,
            "deleted_at": MICRO_DATETIME_OR_NULL,
            "deleted": BOOLEAN,
            "id": INTEGER,
        },
        required=("name", "public_key", "fingerprint"),
        description="A list entry has name, public_key, fingerprint and type.",
    ),
)
KEYPAIR_CREATED = Component(
    "KeypairCreated",
    obj(
        {
            "name": STRING,
            "public_key": STRING,
            "fingerprint": STRING,
            "user_id": STRING,
            "type": since("2.2", enum("ssh", "x509")),
            "private_key": {"type": "string", "description": "When generated (no public_key given; until 2.91)."},
        },
        required=("name", "public_key", "fingerprint", "user_id"),
    ),
)
KEYPAIR_LIST = Operation(
    "List keypairs.",
    response=envelope("keypairs", array(envelope("keypair", KEYPAIR)), keypairs_links=SERVERS_LINKS),
    query=(*PAGING, Query("user_id", "Administrators: another user's keypairs (from 2.10).")),
)
KEYPAIR_CREATE = Operation(
    "Import (public_key) or generate a keypair.",
    request=envelope(
        "keypair",
        obj(
            {
                "name": {"type": "string", "minLength": 1, "maxLength": 255},
                "public_key": STRING,
                "type": since("2.2", enum("ssh", "x509")),
                "user_id": since("2.10", STRING, "Administrators only."),
            },
            required=("name",),
        ),
    ),
    response=envelope("keypair", KEYPAIR_CREATED),
    status=201,
    errors=(400, 403, 409),
    description="Answers 200 before 2.2, 201 from 2.2.",
)
KEYPAIR_SHOW = Operation("Show a keypair.", response=envelope("keypair", KEYPAIR))
KEYPAIR_DELETE = deleted("Delete a keypair (202 before 2.2).", errors=(403, 404))

# --- server groups ------------------------------------------------------------------------

GROUP_POLICIES = ("affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity")
SERVER_GROUP = Component(
    "ServerGroup",
    obj(
        {
            "id": UUID,
            "name": STRING,
            "policy": since("2.64", enum(*GROUP_POLICIES)),
            "rules": since("2.64", obj({"max_server_per_host": INTEGER}, required=())),
            "policies": {"type": "array", "items": enum(*GROUP_POLICIES), "description": "Until 2.63."},
            "metadata": {**STRING_MAP, "description": "Until 2.63 (always empty)."},
            "members": array(UUID),
            "project_id": since("2.13", STRING),
            "user_id": since("2.13", STRING),
        },
        required=("id", "name", "members"),
    ),
)
SERVER_GROUP_LIST = Operation(
    "List server groups.",
    response=envelope("server_groups", array(SERVER_GROUP)),
    query=(*PAGING, Query("all_projects")),
)
SERVER_GROUP_CREATE = Operation(
    "Create a server group.",
    request=envelope(
        "server_group",
        obj(
            {
                "name": {"type": "string", "minLength": 1, "maxLength": 255},
                "policy": since("2.64", enum(*GROUP_POLICIES)),
                "rules": since("2.64", obj({"max_server_per_host": {"type": "integer", "minimum": 1}}, required=())),
                "policies": {
                    "type": "array",
                    "items": enum(*GROUP_POLICIES),
                    "maxItems": 1,
                    "description": "Until 2.63.",
                },
            },
            required=("name",),
        ),
    ),
    response=envelope("server_group", SERVER_GROUP),
    errors=(400, 403, 409),
)
SERVER_GROUP_SHOW = Operation("Show a server group.", response=envelope("server_group", SERVER_GROUP))
SERVER_GROUP_DELETE = deleted("Delete a server group.", errors=(403, 404))

# --- quotas and limits --------------------------------------------------------------------

QUOTA_RESOURCES = (
    *("instances", "cores", "ram", "metadata_items", "key_pairs", "server_groups", "server_group_members"),
    *("injected_files", "injected_file_content_bytes", "injected_file_path_bytes"),
    *("floating_ips", "fixed_ips", "security_groups", "security_group_rules"),
)
_QUOTA_NOTE = (
    "Network proxies (floating_ips, fixed_ips, security_groups, security_group_rules) until 2.35; "
    "injected_file* until 2.56."
)
QUOTA_SET = Component(
    "QuotaSet",
    obj(
        {"id": STRING, **dict.fromkeys(QUOTA_RESOURCES, INTEGER)},
        required=("instances", "cores", "ram"),
        description=_QUOTA_NOTE,
    ),
)
QUOTA_DETAIL = obj({"limit": INTEGER, "in_use": INTEGER, "reserved": INTEGER})
QUOTA_SET_DETAIL = Component(
    "QuotaSetDetail",
    obj({"id": STRING, **dict.fromkeys(QUOTA_RESOURCES, QUOTA_DETAIL)}, required=("instances", "cores", "ram")),
)
QUOTA_SHOW = Operation("Show a project's quotas.", response=envelope("quota_set", QUOTA_SET), query=(Query("user_id"),))
QUOTA_DETAIL_SHOW = Operation(
    "Show a project's quotas with usage.", response=envelope("quota_set", QUOTA_SET_DETAIL), query=(Query("user_id"),)
)
QUOTA_DEFAULTS = Operation("Show the default quotas.", response=envelope("quota_set", QUOTA_SET))
QUOTA_UPDATE = Operation(
    "Update a project's quotas (administrators).",
    request=envelope(
        "quota_set",
        {
            "type": "object",
            "properties": {"force": BOOLEAN, **{name: {"type": "integer", "minimum": -1} for name in QUOTA_RESOURCES}},
            "additionalProperties": False,
        },
    ),
    response=envelope("quota_set", QUOTA_SET),
    query=(Query("user_id"),),
)
QUOTA_REVERT = Operation("Revert a project's quotas to the defaults (administrators).", status=202, errors=(403,))
QUOTA_CLASS = Component(
    "QuotaClassSet", obj({"id": STRING, **dict.fromkeys(QUOTA_RESOURCES, INTEGER)}, required=("instances",))
)
QUOTA_CLASS_SHOW = Operation("Show a quota class.", response=envelope("quota_class_set", QUOTA_CLASS))
QUOTA_CLASS_UPDATE = Operation(
    "Update a quota class (administrators).",
    request=envelope("quota_class_set", {"type": "object", "additionalProperties": {"type": "integer", "minimum": -1}}),
    response=envelope("quota_class_set", QUOTA_CLASS),
)
_ABSOLUTE_LIMITS = (
    *("maxTotalInstances", "maxTotalCores", "maxTotalRAMSize", "maxServerMeta", "maxTotalKeypairs"),
    *("maxServerGroups", "maxServerGroupMembers", "totalInstancesUsed", "totalCoresUsed", "totalRAMUsed"),
    "totalServerGroupsUsed",
)
LIMITS = Operation(
    "Show the project's limits and usage.",
    response=envelope(
        "limits",
        obj({"rate": array(ANY_OBJECT), "absolute": obj(dict.fromkeys(_ABSOLUTE_LIMITS, INTEGER))}),
    ),
    query=(Query("tenant_id", "Administrators: another project's limits."),),
)
