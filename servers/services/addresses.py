"""A server's addresses by network (nova/api/openstack/compute/ips.py): GET /servers/{id}/ips
and /servers/{id}/ips/{network}, and the ``addresses`` of the server documents. The fixed IPs
of the server's ports, keyed by network name, each followed by the floating IPs mapped to it
(as Nova's network info lists them)."""

from __future__ import annotations

import ipaddress
from typing import Any

import core.lookups  # noqa: F401  (registers field__any)
from core import policy
from core.exceptions import NotFound
from core.expressions import UuidText
from core.principal import Caller
from networks.models import Port

from .lookup import get_server

Addresses = dict[str, list[dict[str, Any]]]


def addresses_of(device_ids: list[str]) -> dict[str, Addresses]:
    """{server uuid: {network name: [address, ...]}} for the servers' ports, in one query (a
    port's floating IPs come joined to its rows). Each address has its version, the address,
    its OS-EXT-IPS:type (fixed or floating) and the port's MAC. Rows are read as tuples, not
    models: a page of 1,000 servers would otherwise build 2,000 objects to read five columns."""
    rows = (
        Port.objects.filter(device_id__any=device_ids)
        .order_by("created_at", "id", "floating_ips__created_at")
        .values_list(
            # Ids as text: psycopg2 would make a uuid.UUID of each, only to key a dict.
            UuidText("id"),
            "device_id",
            "network__name",
            UuidText("network_id"),
            "mac_address",
            "fixed_ips",
            "floating_ips__floating_ip_address",
            "floating_ips__fixed_ip_address",
        )
    )
    ports: dict[Any, tuple[tuple[str, str, str, list[dict[str, Any]]], list[tuple[str, str | None]]]] = {}
    for port_id, device_id, network_name, network_id, mac, fixed_ips, floating, mapped_to in rows:
        _, floating_ips = ports.setdefault(port_id, ((device_id, network_name or network_id, mac, fixed_ips), []))
        if floating is not None:
            floating_ips.append((floating, mapped_to))
    found: dict[str, Addresses] = {}
    for (device_id, network, mac, fixed_ips), floating_ips in ports.values():
        entries = found.setdefault(device_id, {}).setdefault(network, [])
        for fixed in fixed_ips:
            address = fixed["ip_address"]
            entries.append(_entry(address, "fixed", mac))
            entries.extend(_entry(fip, "floating", mac) for fip, to in floating_ips if to == address)
    return found


def _entry(address: str, kind: str, mac: str) -> dict[str, Any]:
    return {
        "version": ipaddress.ip_address(address).version,
        "addr": address,
        "OS-EXT-IPS:type": kind,
        "OS-EXT-IPS-MAC:mac_addr": mac,
    }


def _addresses(caller: Caller, server_id: str, rule: policy.Rule) -> dict[str, list[dict[str, Any]]]:
    server = get_server(caller, server_id)
    policy.enforce(caller, rule, project_id=server.project_id)
    networks = addresses_of([str(server.uuid)]).get(str(server.uuid), {})
    return {
        name: [{"version": entry["version"], "addr": entry["addr"]} for entry in entries]
        for name, entries in networks.items()
    }


def list_addresses(caller: Caller, server_id: str) -> dict[str, list[dict[str, Any]]]:
    """{network name: [{"version", "addr"}, ...]} for every network the server is on."""
    return _addresses(caller, server_id, policy.SERVER_IPS_INDEX)


def network_addresses(caller: Caller, server_id: str, label: str) -> list[dict[str, Any]]:
    """The server's addresses on the network named ``label``; 404 when it has none there."""
    networks = _addresses(caller, server_id, policy.SERVER_IPS_SHOW)
    if label not in networks:
        raise NotFound("Instance is not a member of specified network")
    return networks[label]
