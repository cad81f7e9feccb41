"""The Network API's (Neutron v2.0) bodies as OpenAPI schemas, as ``documents.py`` writes
them. Every document may be narrowed with ``fields=``, so no field is required in an
answer. Views name these operations in their ``openapi`` attribute."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.openapi.types import (
    ANY_OBJECT,
    BOOLEAN,
    INTEGER,
    STRING,
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
    nullable,
    obj,
)

FIELDS = Query("fields", "Only these fields (repeat, or comma-separated).")
PAGING = (
    Query("limit", "A page of at most this many (absent or 0: every one).", {"type": "integer", "minimum": 0}),
    Query("marker", "The id of the item the page starts after (with limit)."),
    Query("page_reverse", "true: the page before the marker, in the same order."),
    Query("sort_key", "Sort by this attribute (repeat; each with a sort_dir)."),
    Query("sort_dir", "asc or desc, one per sort_key.", enum("asc", "desc")),
)
LINKS = array(obj({"rel": enum("next", "previous"), "href": STRING}))
_OWNED = {"tenant_id": STRING, "project_id": STRING}
_STAMPS = {"tags": STRINGS, "revision_number": INTEGER, "created_at": STRING, "updated_at": STRING}


def document(name: str, properties: dict[str, Any]) -> Component:
    """A Neutron resource: its fields, none required (``fields=`` may leave any out)."""
    return Component(name, obj({**properties, **_OWNED, **_STAMPS}, required=()))


@dataclass(frozen=True)
class Resource:
    """The five operations of a Neutron resource (``key``: its singular body key)."""

    list: Operation
    create: Operation
    show: Operation
    update: Operation
    delete: Operation


def resource(key: str, plural: str, schema: Component, writable: dict[str, Any], required: tuple[str, ...]) -> Resource:
    """list/create/show/update/delete of a resource whose create body holds ``writable``."""
    one = envelope(key, schema)
    name = key.replace("_", " ")
    return Resource(
        list=Operation(
            f"List {plural.replace('_', ' ')} (any field is a filter; paged with limit).",
            response=envelope(plural, array(schema), **{f"{plural}_links": LINKS}),
            query=(FIELDS, *PAGING),
        ),
        create=Operation(
            f"Create a {name}.",
            request=envelope(key, obj(writable, required=required)),
            response=one,
            status=201,
            errors=(400, 403, 404, 409),
        ),
        show=Operation(f"Show a {name}.", response=one, query=(FIELDS,)),
        update=Operation(
            f"Update a {name}.",
            request=envelope(key, obj({k: v for k, v in writable.items() if k not in required}, required=())),
            response=one,
            errors=(400, 403, 404, 409),
        ),
        delete=deleted(f"Delete a {name}."),
    )


NETWORK = document(
    "Network",
    {
        "id": UUID,
        "name": STRING,
        "shared": BOOLEAN,
        "router:external": BOOLEAN,
        "admin_state_up": BOOLEAN,
        "status": STRING,
        "mtu": INTEGER,
        "description": STRING,
        "subnets": array(UUID),
        "availability_zones": STRINGS,
        "availability_zone_hints": STRINGS,
        "ipv4_address_scope": TEXT_OR_NULL,
        "ipv6_address_scope": TEXT_OR_NULL,
        "port_security_enabled": BOOLEAN,
        "is_default": BOOLEAN,
    },
)
NETWORKS = resource(
    "network",
    "networks",
    NETWORK,
    {
        "name": {"type": "string", "maxLength": 255},
        "description": {"type": "string", "maxLength": 1024},
        "admin_state_up": BOOLEAN,
        "shared": BOOLEAN,
        "router:external": BOOLEAN,
        "mtu": {"type": "integer", "minimum": 68},
        "project_id": STRING,
    },
    (),
)

_POOL = obj({"start": STRING, "end": STRING})
SUBNET = document(
    "Subnet",
    {
        "id": UUID,
        "name": STRING,
        "network_id": UUID,
        "ip_version": {"type": "integer", "enum": [4, 6]},
        "cidr": STRING,
        "gateway_ip": TEXT_OR_NULL,
        "allocation_pools": array(_POOL),
        "enable_dhcp": BOOLEAN,
        "dns_nameservers": STRINGS,
        "host_routes": array(ANY_OBJECT),
        "service_types": STRINGS,
        "subnetpool_id": TEXT_OR_NULL,
        "ipv6_ra_mode": TEXT_OR_NULL,
        "ipv6_address_mode": TEXT_OR_NULL,
        "description": STRING,
    },
)
SUBNETS = resource(
    "subnet",
    "subnets",
    SUBNET,
    {
        "network_id": UUID,
        "cidr": STRING,
        "ip_version": {"type": "integer", "enum": [4]},
        "name": STRING,
        "gateway_ip": TEXT_OR_NULL,
        "allocation_pools": array(_POOL),
        "enable_dhcp": BOOLEAN,
        "dns_nameservers": STRINGS,
        "project_id": STRING,
    },
    ("network_id", "cidr"),
)

_FIXED_IP = obj({"subnet_id": UUID, "ip_address": STRING}, required=())
PORT = document(
    "Port",
    {
        "id": UUID,
        "name": STRING,
        "network_id": UUID,
        "mac_address": STRING,
        "fixed_ips": array(_FIXED_IP),
        "device_id": STRING,
        "device_owner": STRING,
        "status": STRING,
        "admin_state_up": BOOLEAN,
        "binding:vnic_type": STRING,
        "security_groups": array(UUID),
        "allowed_address_pairs": array(ANY_OBJECT),
        "extra_dhcp_opts": array(ANY_OBJECT),
        "port_security_enabled": BOOLEAN,
        "description": STRING,
    },
)
PORTS = resource(
    "port",
    "ports",
    PORT,
    {
        "network_id": UUID,
        "name": STRING,
        "admin_state_up": BOOLEAN,
        "device_id": STRING,
        "device_owner": STRING,
        "mac_address": STRING,
        "fixed_ips": array(_FIXED_IP),
        "security_groups": array(UUID),
        "project_id": STRING,
    },
    ("network_id",),
)

RULE = document(
    "SecurityGroupRule",
    {
        "id": UUID,
        "security_group_id": UUID,
        "direction": enum("ingress", "egress"),
        "ethertype": enum("IPv4", "IPv6"),
        "protocol": TEXT_OR_NULL,
        "port_range_min": nullable(INTEGER),
        "port_range_max": nullable(INTEGER),
        "remote_ip_prefix": TEXT_OR_NULL,
        "remote_group_id": nullable(UUID),
        "remote_address_group_id": nullable(UUID),
        "normalized_cidr": TEXT_OR_NULL,
        "description": STRING,
        "belongs_to_default_sg": BOOLEAN,
    },
)
_RULE_FIELDS: Schema = {
    "security_group_id": UUID,
    "direction": enum("ingress", "egress"),
    "ethertype": enum("IPv4", "IPv6"),
    "protocol": TEXT_OR_NULL,
    "port_range_min": nullable(INTEGER),
    "port_range_max": nullable(INTEGER),
    "remote_ip_prefix": TEXT_OR_NULL,
    "remote_group_id": nullable(UUID),
    "description": STRING,
}
RULES = resource("security_group_rule", "security_group_rules", RULE, _RULE_FIELDS, ("security_group_id", "direction"))
GROUP = document(
    "SecurityGroup",
    {
        "id": UUID,
        "name": STRING,
        "description": STRING,
        "security_group_rules": array(RULE),
        "stateful": BOOLEAN,
        "shared": BOOLEAN,
    },
)
GROUPS = resource(
    "security_group", "security_groups", GROUP, {"name": STRING, "description": STRING, "project_id": STRING}, ()
)

# --- quotas and extensions ----------------------------------------------------------------

QUOTA_RESOURCES = ("network", "subnet", "port", "router", "floatingip", "security_group", "security_group_rule")
QUOTA = Component("NetworkQuota", obj(dict.fromkeys(QUOTA_RESOURCES, INTEGER), required=()))
QUOTA_LIST = Operation(
    "List the projects with non-default quotas (administrators).",
    response=envelope("quotas", array({"allOf": [QUOTA], "properties": {"project_id": STRING}})),
)
QUOTA_SHOW = Operation("Show a project's quotas.", response=envelope("quota", QUOTA))
QUOTA_UPDATE = Operation(
    "Update a project's quotas (administrators).",
    request=envelope("quota", {"type": "object", "additionalProperties": {"type": "integer", "minimum": -1}}),
    response=envelope("quota", QUOTA),
)
QUOTA_DELETE = deleted("Reset a project's quotas to the defaults.", errors=(403, 404))
QUOTA_DEFAULT = Operation("Show the default quotas.", response=envelope("quota", QUOTA))
QUOTA_DETAILS = Operation(
    "Show a project's quotas with usage.",
    response=envelope(
        "quota",
        {
            "type": "object",
            "additionalProperties": obj({"limit": INTEGER, "used": INTEGER, "reserved": INTEGER}),
        },
    ),
)
EXTENSION = obj({"alias": STRING, "name": STRING, "description": STRING, "updated": STRING, "links": array(ANY_OBJECT)})
EXTENSION_LIST = Operation("List the API extensions.", response=envelope("extensions", array(EXTENSION)))
EXTENSION_SHOW = Operation("Show an API extension.", response=envelope("extension", EXTENSION))
