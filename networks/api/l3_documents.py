"""Neutron wire documents for routers and floating IPs."""

from __future__ import annotations

from typing import Any

from core.timestamps import seconds_z
from networks.models import FloatingIP, Router


def _owned(project_id: str) -> dict[str, str]:
    return {"tenant_id": project_id, "project_id": project_id}


def gateway_info(router: Router) -> dict[str, Any] | None:
    """``external_gateway_info``: null without a gateway (select ``gateway_port`` for a list)."""
    port = router.gateway_port
    if port is None:
        return None
    return {
        "network_id": str(port.network_id),
        "enable_snat": router.enable_snat,
        "external_fixed_ips": [
            {"subnet_id": entry["subnet_id"], "ip_address": entry["ip_address"]} for entry in port.fixed_ips
        ],
    }


def router_document(router: Router) -> dict[str, Any]:
    return {
        "id": str(router.id),
        "name": router.name,
        "description": router.description,
        **_owned(router.project_id),
        "admin_state_up": router.admin_state_up,
        "status": router.status,
        "external_gateway_info": gateway_info(router),
        "routes": [],
        "distributed": False,
        "ha": False,
        "availability_zone_hints": [],
        "availability_zones": ["nova"],
        "flavor_id": None,
        "tags": [],
        "revision_number": 1,
        "created_at": seconds_z(router.created_at),
        "updated_at": seconds_z(router.updated_at),
    }


def floating_ip_document(fip: FloatingIP) -> dict[str, Any]:
    """A floating IP; its association counts only while its port exists (a deleted port
    leaves it unassociated and DOWN)."""
    associated = fip.port_id is not None
    return {
        "id": str(fip.id),
        **_owned(fip.project_id),
        "floating_ip_address": fip.floating_ip_address,
        "floating_network_id": str(fip.floating_network_id),
        "router_id": str(fip.router_id) if associated and fip.router_id else None,
        "port_id": str(fip.port_id) if associated else None,
        "fixed_ip_address": fip.fixed_ip_address if associated else None,
        "status": "ACTIVE" if associated else "DOWN",
        "description": fip.description,
        "dns_domain": "",
        "dns_name": "",
        "port_forwardings": [],
        "qos_policy_id": None,
        "tags": [],
        "revision_number": 1,
        "created_at": seconds_z(fip.created_at),
        "updated_at": seconds_z(fip.updated_at),
    }
