"""A server's addresses by network (nova/api/openstack/compute/ips.py): GET /servers/{id}/ips
and /servers/{id}/ips/{network}. The fixed IPs of the server's ports, keyed by network name."""

from __future__ import annotations

import ipaddress
from typing import Any

from core import policy
from core.exceptions import NotFound
from core.principal import Caller
from networks.models import Port

from .lookup import get_server


def _addresses(caller: Caller, server_id: str, rule: policy.Rule) -> dict[str, list[dict[str, Any]]]:
    server = get_server(caller, server_id)
    policy.enforce(caller, rule, project_id=server.project_id)
    networks: dict[str, list[dict[str, Any]]] = {}
    ports = Port.objects.filter(device_id=str(server.uuid)).select_related("network").order_by("created_at")
    for port in ports:
        entries = networks.setdefault(port.network.name or str(port.network_id), [])
        for fixed in port.fixed_ips:
            address = fixed["ip_address"]
            entries.append({"version": ipaddress.ip_address(address).version, "addr": address})
    return networks


def list_addresses(caller: Caller, server_id: str) -> dict[str, list[dict[str, Any]]]:
    """{network name: [{"version", "addr"}, ...]} for every network the server is on."""
    return _addresses(caller, server_id, policy.SERVER_IPS_INDEX)


def network_addresses(caller: Caller, server_id: str, label: str) -> list[dict[str, Any]]:
    """The server's addresses on the network named ``label``; 404 when it has none there."""
    networks = _addresses(caller, server_id, policy.SERVER_IPS_SHOW)
    if label not in networks:
        raise NotFound("Instance is not a member of specified network")
    return networks[label]
