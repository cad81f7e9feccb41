"""The compute API's bodies as OpenAPI schemas (servers, flavors, keypairs, server groups,
quotas, limits, metadata, tags): what ``representation.py`` and the views write, as of the
newest microversion (fields a microversion adds or removes say so). Request bodies reuse
Nova's JSON schemas (``validation/server_schemas.py``) where they exist. Views name these
operations in their ``openapi`` attribute."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.openapi.types import (
    ANY_OBJECT,
    BOOLEAN,
    DATETIME,
    DATETIME_OR_NULL,
    INTEGER,
    STRING,
    STRING_MAP,
    STRINGS,
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

from .validation import server_schemas

LINKS = Component("Links", array(obj({"rel": STRING, "href": STRING})))
PAGING = (
    Query("limit", "At most this many (capped at API_MAX_LIMIT).", {"type": "integer", "minimum": 0}),
    Query("marker", "The last id of the previous page."),
)


# --- servers ------------------------------------------------------------------------------

SERVER_BRIEF = Component("ServerBrief", obj({"id": UUID, "name": STRING, "links": LINKS}))
ADDRESS = obj(
    {"version": {"type": "integer", "enum": [4, 6]}, "addr": STRING},
    required=("version", "addr"),
)
ADDRESS["properties"].update({"OS-EXT-IPS:type": enum("fixed", "floating"), "OS-EXT-IPS-MAC:mac_addr": STRING})
ADDRESSES = Component(
    "ServerAddresses",
    {"type": "object", "additionalProperties": array(ADDRESS), "description": "Addresses by network name."},
)
_REF_WITH_LINKS = obj({"id": STRING, "links": LINKS})
SERVER_FLAVOR = obj(
    {
        "vcpus": INTEGER,
        "ram": INTEGER,
        "disk": INTEGER,
        "ephemeral": INTEGER,
        "swap": INTEGER,
        "original_name": STRING,
        "extra_specs": STRING_MAP,
    },
    description="The flavor the server was built with (from 2.47).",
)
SERVER = Component(
    "Server",
    obj(
        {
            "id": UUID,
            "name": STRING,
            "status": enum(
                *("ACTIVE", "BUILD", "DELETED", "ERROR", "HARD_REBOOT", "MIGRATING", "PASSWORD", "PAUSED"),
                *("REBOOT", "REBUILD", "RESCUE", "RESIZE", "REVERT_RESIZE", "SHELVED", "SHELVED_OFFLOADED"),
                *("SHUTOFF", "SOFT_DELETED", "SUSPENDED", "UNKNOWN", "VERIFY_RESIZE"),
            ),
            "tenant_id": STRING,
            "user_id": STRING,
            "metadata": STRING_MAP,
            "hostId": {"type": "string", "description": "A per-project hash of the host (empty without one)."},
            "image": {
                "oneOf": [_REF_WITH_LINKS, {"type": "string", "enum": [""]}],
                "description": "The image, or an empty string for a server booted from a volume.",
            },
            "flavor": {"oneOf": [SERVER_FLAVOR, _REF_WITH_LINKS], "description": "Before 2.47: {id, links}."},
            "created": DATETIME,
            "updated": DATETIME,
            "addresses": ADDRESSES,
            "accessIPv4": STRING,
            "accessIPv6": STRING,
            "links": LINKS,
            "OS-DCF:diskConfig": enum("AUTO", "MANUAL"),
            "progress": {
                "type": "integer",
                "description": "Only while ACTIVE, building, rebuilding, resizing or migrating.",
            },
            "OS-EXT-AZ:availability_zone": STRING,
            "config_drive": {"type": "string", "description": '"True" or "" (as Nova writes it).'},
            "key_name": TEXT_OR_NULL,
            "OS-EXT-STS:vm_state": STRING,
            "OS-EXT-STS:task_state": TEXT_OR_NULL,
            "OS-EXT-STS:power_state": INTEGER,
            "OS-SRV-USG:launched_at": DATETIME_OR_NULL,
            "OS-SRV-USG:terminated_at": DATETIME_OR_NULL,
            "os-extended-volumes:volumes_attached": array(
                obj({"id": UUID, "delete_on_termination": BOOLEAN}, required=("id",))
            ),
            "security_groups": array(obj({"name": STRING})),
            "OS-EXT-SRV-ATTR:host": {**TEXT_OR_NULL, "description": "Administrators only."},
            "OS-EXT-SRV-ATTR:hypervisor_hostname": {**TEXT_OR_NULL, "description": "Administrators only."},
            "OS-EXT-SRV-ATTR:instance_name": {**STRING, "description": "Administrators only."},
            "OS-EXT-SRV-ATTR:hostname": since("2.3", STRING, "Administrators; everyone from 2.90."),
            "OS-EXT-SRV-ATTR:reservation_id": since("2.3", STRING, "Administrators only."),
            "OS-EXT-SRV-ATTR:launch_index": since("2.3", INTEGER, "Administrators only."),
            "OS-EXT-SRV-ATTR:user_data": since("2.3", TEXT_OR_NULL, "Administrators only."),
            "locked": since("2.9", BOOLEAN),
            "host_status": since("2.16", enum("UP", "DOWN", "MAINTENANCE", "UNKNOWN", ""), "Administrators only."),
            "description": since("2.19", TEXT_OR_NULL),
            "tags": since("2.26", STRINGS),
            "trusted_image_certificates": since("2.63", {"type": "array", "items": STRING, "nullable": True}),
            "server_groups": since("2.71", array(UUID), "GET /servers/{id} only."),
            "locked_reason": since("2.73", TEXT_OR_NULL),
            "pinned_availability_zone": since("2.96", TEXT_OR_NULL),
            "scheduler_hints": since("2.100", ANY_OBJECT),
            "fault": obj(
                {"code": INTEGER, "message": STRING, "created": DATETIME, "details": STRING},
                required=("code", "message", "created"),
                description="The last fault, for a server in ERROR (details for administrators).",
            ),
        },
        required=(
            *("id", "name", "status", "tenant_id", "user_id", "metadata", "hostId", "image", "flavor"),
            *("created", "updated", "addresses", "accessIPv4", "accessIPv6", "links", "OS-DCF:diskConfig"),
        ),
    ),
)
SERVERS_LINKS = {**array(obj({"rel": enum("next"), "href": STRING})), "description": "The next page, if one follows."}
SERVER_CREATED = Component(
    "ServerCreated",
    obj(
        {
            "id": UUID,
            "links": LINKS,
            "OS-DCF:diskConfig": enum("AUTO", "MANUAL"),
            "security_groups": array(obj({"name": STRING})),
            "adminPass": {"type": "string", "description": "Unless ENABLE_INSTANCE_PASSWORD is off."},
        },
        required=("id", "links", "OS-DCF:diskConfig", "security_groups"),
    ),
)
SERVER_LIST_QUERY = (
    *PAGING,
    Query("name", "A regular expression on the name."),
    Query("status", "A server status (ACTIVE, SHUTOFF, ...)."),
    Query("flavor", "A flavor id."),
    Query("image", "An image id."),
    Query("ip", "A regular expression on the IPv4 addresses."),
    Query("changes-since", "Servers changed since this time (ISO 8601).", {"type": "string", "format": "date-time"}),
    Query("all_tenants", "Administrators: every project's servers."),
    Query("host", "Administrators: servers on this host."),
    Query("tags", "Servers with all these tags (comma-separated; from 2.26)."),
)
SERVER_LIST = Operation(
    "List servers (id, name, links).",
    response=envelope("servers", array(SERVER_BRIEF), servers_links=SERVERS_LINKS),
    query=SERVER_LIST_QUERY,
    errors=(400, 403),
)
SERVER_DETAIL_LIST = Operation(
    "List servers with their details.",
    response=envelope("servers", array(SERVER), servers_links=SERVERS_LINKS),
    query=SERVER_LIST_QUERY,
    errors=(400, 403),
)
SERVER_CREATE = Operation(
    "Create one or more servers (the build continues asynchronously).",
    request=server_schemas.create,
    response={
        "oneOf": [envelope("server", SERVER_CREATED), obj({"reservation_id": STRING})],
        "description": "The first server; {reservation_id} when min_count > 1 and return_reservation_id is true.",
    },
    status=202,
    errors=(400, 403, 404, 409),
    headers=("Location",),
    description="The request body is Nova's create schema at the newest microversion; `networks` is required "
    "from 2.37. The server is BUILD until the build workflow ends (ACTIVE or ERROR).",
)
SERVER_SHOW = Operation("Show a server.", response=envelope("server", SERVER))
SERVER_UPDATE = Operation(
    "Update a server's name, description, hostname or access addresses.",
    request=server_schemas.update,
    response=envelope("server", SERVER),
    errors=(400, 403, 404, 409),
)
SERVER_DELETE = deleted("Delete a server.")

_SIMPLE_ACTION: Schema = {"type": "object", "nullable": True, "description": "null or {}."}
#: Nova's schemas of the actions that have one; the others take null, {} or their own
#: arguments (see the API reference of each action).
_ACTION_SCHEMAS: dict[str, Callable[[Any], Schema]] = {
    "reboot": lambda version: server_schemas.REBOOT,
    "resize": lambda version: server_schemas.RESIZE,
    "rebuild": server_schemas.rebuild,
    "rescue": lambda version: server_schemas.RESCUE,
    "createImage": lambda version: server_schemas.CREATE_IMAGE,
    "evacuate": server_schemas.evacuate,
    "changePassword": lambda version: server_schemas.change_password(),
}


def server_action(handlers: Mapping[str, object]) -> Operation:
    """POST /servers/{id}/action: one of the registered actions (``handlers``, read when the
    schema is generated, so actions registered by other modules are listed too)."""

    def body(version: Any) -> Schema:
        choices = []
        for name in sorted(handlers):
            schema = _ACTION_SCHEMAS.get(name)
            choices.append(schema(version) if schema else envelope(name, {**_SIMPLE_ACTION, "title": name}))
        return {"oneOf": choices, "description": "One action key: " + ", ".join(sorted(handlers)) + "."}

    return Operation(
        "Run a server action (start, stop, reboot, resize, migrate, rebuild, lock, shelve...).",
        request=body,
        response={
            **ANY_OBJECT,
            "description": "Most actions answer 202 with no body; some answer a body "
            "(rescue: adminPass, createImage from 2.45: image_id, os-getConsoleOutput: output).",
        },
        status=202,
        errors=(400, 403, 404, 409),
    )


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
            "created_at": DATETIME,
            "updated_at": DATETIME_OR_NULL,
            "deleted_at": DATETIME_OR_NULL,
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

# --- metadata and tags --------------------------------------------------------------------

METADATA = envelope("metadata", STRING_MAP)
META_ITEM = envelope("meta", {**STRING_MAP, "minProperties": 1, "maxProperties": 1})
METADATA_LIST = Operation("Show all metadata.", response=METADATA)
METADATA_MERGE = Operation(
    "Add or change metadata items (the others are kept).",
    request=METADATA,
    response=METADATA,
    errors=(400, 403, 404, 409),
)
METADATA_REPLACE = Operation("Replace all metadata.", request=METADATA, response=METADATA, errors=(400, 403, 404, 409))
META_SHOW = Operation("Show one metadata item.", response=META_ITEM)
META_UPDATE = Operation("Set one metadata item.", request=META_ITEM, response=META_ITEM, errors=(400, 403, 404, 409))
META_DELETE = deleted("Delete one metadata item.")

TAGS = envelope("tags", array(server_schemas.TAG))
TAG_LIST = Operation("List a server's tags (from 2.26).", response=TAGS)
TAGS_REPLACE = Operation("Replace a server's tags.", request=TAGS, response=TAGS, errors=(400, 403, 404, 409))
TAGS_DELETE = deleted("Delete all of a server's tags.")
TAG_CHECK = Operation("Whether the server has the tag (204, or 404).", status=204)
TAG_ADD = Operation(
    "Add a tag (201 when new, 204 when present).", status=201, errors=(400, 403, 404, 409), headers=("Location",)
)
TAG_DELETE = deleted("Delete a tag.")
