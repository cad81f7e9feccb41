"""Neutron wire documents for networks, subnets, ports, security groups and their rules."""

from __future__ import annotations

import ipaddress
from typing import Any

from core.timestamps import seconds_z
from networks.models import Network, Port, SecurityGroup, SecurityGroupRule, Subnet


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
        "security_groups": [str(group.id) for group in port.security_groups.all()],
        "allowed_address_pairs": [],
        "extra_dhcp_opts": [],
        "port_security_enabled": True,
        "description": "",
        "tags": [],
        "revision_number": 1,
        "created_at": seconds_z(port.created_at),
        "updated_at": seconds_z(port.updated_at),
    }


def _uuid_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def rule_document(rule: SecurityGroupRule, *, in_default: bool) -> dict[str, Any]:
    """A rule as Neutron shows it; ``in_default``: its group is a project's default group."""
    return {
        "id": str(rule.id),
        "security_group_id": str(rule.security_group_id),
        **_owned(rule.project_id),
        "direction": rule.direction,
        "ethertype": rule.ethertype,
        "protocol": rule.protocol,
        "port_range_min": rule.port_range_min,
        "port_range_max": rule.port_range_max,
        "remote_ip_prefix": rule.remote_ip_prefix,
        "remote_group_id": _uuid_or_none(rule.remote_group_id),
        "remote_address_group_id": None,
        "normalized_cidr": str(ipaddress.ip_network(rule.remote_ip_prefix, strict=False))
        if rule.remote_ip_prefix
        else None,
        "description": rule.description,
        "belongs_to_default_sg": in_default,
        "revision_number": 0,
        "created_at": seconds_z(rule.created_at),
        "updated_at": seconds_z(rule.updated_at),
    }


def security_group_document(group: SecurityGroup) -> dict[str, Any]:
    """A group as Neutron shows it, with its rules (prefetch ``rules`` for a list)."""
    return {
        "id": str(group.id),
        "name": group.name,
        "description": group.description,
        **_owned(group.project_id),
        "security_group_rules": [rule_document(rule, in_default=group.is_default) for rule in group.rules.all()],
        "stateful": True,
        "shared": False,
        "tags": [],
        "revision_number": 1,
        "created_at": seconds_z(group.created_at),
        "updated_at": seconds_z(group.updated_at),
    }
