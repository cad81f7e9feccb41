"""The compute API's server bodies as OpenAPI schemas (servers, their actions, metadata and
tags): what ``representation.py`` and the views write, as of the newest microversion (fields
a microversion adds or removes say so). Request bodies reuse Nova's JSON schemas
(``validation/server_schemas.py``). Flavors, keypairs, groups and quotas are in
``openapi_resources``. Views name these operations in their ``openapi`` attribute."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.openapi.types import (
    ANY_OBJECT,
    BOOLEAN,
    DATETIME,
    INTEGER,
    MICRO_DATETIME_OR_NULL,
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
            "OS-SRV-USG:launched_at": MICRO_DATETIME_OR_NULL,
            "OS-SRV-USG:terminated_at": MICRO_DATETIME_OR_NULL,
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
        description="Most actions answer 202 with no body (createImage from 2.45: 202 with image_id); "
        "some answer 200 with a body (rescue: adminPass, os-getConsoleOutput: output). "
        "os-getConsoleOutput asks the server's host: 503 when it does not answer.",
        status=202,
        also=((200, ANY_OBJECT),),
        errors=(400, 403, 404, 409, 503),
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
    "Add a tag (201 when new, 204 when present).",
    status=201,
    errors=(400, 403, 404, 409),
    headers=("Location",),
    also=((204, None),),
)
TAG_DELETE = deleted("Delete a tag.")
