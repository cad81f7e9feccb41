"""The Neutron L3 API's bodies (routers, their interfaces, floating IPs) as OpenAPI schemas,
as ``l3_documents.py`` writes them. Views name these operations in their ``openapi``
attribute."""

from __future__ import annotations

from core.openapi.types import (
    ANY_OBJECT,
    BOOLEAN,
    STRING,
    STRINGS,
    TEXT_OR_NULL,
    UUID,
    Operation,
    array,
    nullable,
    obj,
)

from .openapi import document, resource

_EXTERNAL_FIXED_IP = obj({"subnet_id": UUID, "ip_address": STRING}, required=())
_GATEWAY = obj(
    {"network_id": UUID, "enable_snat": BOOLEAN, "external_fixed_ips": array(_EXTERNAL_FIXED_IP)},
    required=("network_id",),
)
ROUTER = document(
    "Router",
    {
        "id": UUID,
        "name": STRING,
        "description": STRING,
        "admin_state_up": BOOLEAN,
        "status": STRING,
        "external_gateway_info": nullable(_GATEWAY),
        "routes": array(ANY_OBJECT),
        "distributed": BOOLEAN,
        "ha": BOOLEAN,
        "availability_zone_hints": STRINGS,
        "availability_zones": STRINGS,
        "flavor_id": TEXT_OR_NULL,
    },
)
ROUTERS = resource(
    "router",
    "routers",
    ROUTER,
    {
        "name": STRING,
        "description": STRING,
        "admin_state_up": BOOLEAN,
        "external_gateway_info": nullable(_GATEWAY),
        "project_id": STRING,
    },
    (),
)
_INTERFACE_INFO = obj(
    {
        "id": UUID,
        "tenant_id": STRING,
        "project_id": STRING,
        "port_id": UUID,
        "subnet_id": nullable(UUID),
        "subnet_ids": array(UUID),
        "network_id": UUID,
    }
)
_INTERFACE_BODY = obj({"subnet_id": UUID, "port_id": UUID}, required=())
ROUTER_INTERFACE = Operation(
    "Add an interface to a router (add_router_interface), or remove one (remove_router_interface), "
    "by subnet_id or port_id.",
    request=_INTERFACE_BODY,
    response=_INTERFACE_INFO,
    errors=(400, 403, 404, 409),
)

FLOATING_IP = document(
    "FloatingIP",
    {
        "id": UUID,
        "floating_ip_address": STRING,
        "floating_network_id": UUID,
        "router_id": nullable(UUID),
        "port_id": nullable(UUID),
        "fixed_ip_address": TEXT_OR_NULL,
        "status": STRING,
        "description": STRING,
        "dns_domain": STRING,
        "dns_name": STRING,
        "port_forwardings": array(ANY_OBJECT),
        "qos_policy_id": nullable(UUID),
    },
)
FLOATING_IPS = resource(
    "floatingip",
    "floatingips",
    FLOATING_IP,
    {
        "floating_network_id": UUID,
        "floating_ip_address": STRING,
        "subnet_id": UUID,
        "port_id": nullable(UUID),
        "fixed_ip_address": STRING,
        "description": STRING,
        "project_id": STRING,
    },
    ("floating_network_id",),
)
