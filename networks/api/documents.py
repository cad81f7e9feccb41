"""Neutron wire documents for networks, subnets and ports."""

from __future__ import annotations

from typing import Any

from core.timestamps import seconds_z
from networks.models import Network, Port, Subnet


def _owned(project_id: str) -> dict[str, str]:
    return {"tenant_id": project_id, "project_id": project_id}


def network_document(network: Network) -> dict[str, Any]:
    return {
        "id": str(network.id),
        "name": network.name,
        **_owned(network.project_id),
        "shared": network.shared,
        "router:external": network.external,
        "admin_state_up": network.admin_state_up,
        "status": network.status,
        "mtu": network.mtu,
        "description": network.description,
        "subnets": [str(subnet.id) for subnet in network.subnets.all()],
        "availability_zones": ["nova"],
        "availability_zone_hints": [],
        "ipv4_address_scope": None,
        "ipv6_address_scope": None,
        "port_security_enabled": True,
        "is_default": False,
        "tags": [],
        "revision_number": 1,
        "created_at": seconds_z(network.created_at),
        "updated_at": seconds_z(network.updated_at),
    }


def subnet_document(subnet: Subnet) -> dict[str, Any]:
    return {
        "id": str(subnet.id),
        "name": subnet.name,
        "network_id": str(subnet.network_id),
        **_owned(subnet.project_id),
        "ip_version": subnet.ip_version,
        "cidr": subnet.cidr,
        "gateway_ip": subnet.gateway_ip,
        "allocation_pools": subnet.allocation_pools,
        "enable_dhcp": subnet.enable_dhcp,
        "dns_nameservers": subnet.dns_nameservers,
        "host_routes": [],
        "service_types": [],
        "subnetpool_id": None,
        "ipv6_ra_mode": None,
        "ipv6_address_mode": None,
        "description": "",
        "tags": [],
        "revision_number": 1,
        "created_at": seconds_z(subnet.created_at),
        "updated_at": seconds_z(subnet.updated_at),
    }


def port_document(port: Port) -> dict[str, Any]:
    return {
        "id": str(port.id),
        "name": port.name,
        "network_id": str(port.network_id),
        **_owned(port.project_id),
        "mac_address": port.mac_address,
        "fixed_ips": port.fixed_ips,
        "device_id": port.device_id,
        "device_owner": port.device_owner,
        "status": port.status,
        "admin_state_up": port.admin_state_up,
        "binding:vnic_type": "normal",
        "security_groups": [],
        "allowed_address_pairs": [],
        "extra_dhcp_opts": [],
        "port_security_enabled": True,
        "description": "",
        "tags": [],
        "revision_number": 1,
        "created_at": seconds_z(port.created_at),
        "updated_at": seconds_z(port.updated_at),
    }
