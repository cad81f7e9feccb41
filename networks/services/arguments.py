"""The typed arguments of the network service layer. The views build them from request
bodies; ``UNSET`` marks an attribute the request did not give (so an update leaves it alone
and a create uses Neutron's default)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from core.unset import UNSET, Unset


def apply(instance: object, changes: dict[str, object]) -> None:
    """Set the attributes of ``instance`` whose new value is not UNSET."""
    for attribute, value in changes.items():
        if value is not UNSET:
            setattr(instance, attribute, value)


@dataclass(frozen=True)
class NetworkFields:
    """A network's writable attributes. ``provider`` says whether provider:* attributes were
    given (accepted and not stored, but admin-only as in Neutron)."""

    name: str | Unset = UNSET
    description: str | Unset = UNSET
    admin_state_up: bool | Unset = UNSET
    shared: bool | Unset = UNSET
    external: bool | Unset = UNSET
    mtu: int | Unset = UNSET
    provider: bool = False


@dataclass(frozen=True)
class Pool:
    """An allocation pool: the first and last address ports may take."""

    start: ipaddress.IPv4Address
    end: ipaddress.IPv4Address


@dataclass(frozen=True)
class SubnetFields:
    """A subnet's writable attributes. ``gateway_ip`` None means no gateway."""

    name: str | Unset = UNSET
    enable_dhcp: bool | Unset = UNSET
    dns_nameservers: list[str] | Unset = UNSET
    gateway_ip: ipaddress.IPv4Address | Unset | None = UNSET


@dataclass(frozen=True)
class FixedIp:
    """One entry of a port's ``fixed_ips``: a subnet, an address, or both."""

    subnet_id: str | None = None
    ip_address: str | None = None


@dataclass(frozen=True)
class PortFields:
    """A port's writable attributes (device_id and device_owner: admins)."""

    name: str | Unset = UNSET
    admin_state_up: bool | Unset = UNSET
    device_id: str | Unset = UNSET
    device_owner: str | Unset = UNSET
    security_groups: tuple[str, ...] | Unset = UNSET


@dataclass(frozen=True)
class SecurityGroupFields:
    """A security group's writable attributes."""

    name: str | Unset = UNSET
    description: str | Unset = UNSET


@dataclass(frozen=True)
class RuleFields:
    """A new security group rule, as parsed by the view: ports are integers from 0 to 65535,
    the prefix a valid CIDR, ids are strings; the rest is checked by the service."""

    security_group_id: str
    direction: str
    ethertype: str = "IPv4"
    protocol: str | None = None
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    remote_group_id: str | None = None
    description: str = ""


@dataclass(frozen=True)
class GatewayInfo:
    """A router's requested external gateway: an external network, SNAT (None: Neutron's
    default, on) and the addresses it asks for (admins)."""

    network_id: str
    enable_snat: bool | None = None
    fixed_ips: tuple[FixedIp, ...] = ()


@dataclass(frozen=True)
class RouterFields:
    """A router's writable attributes; ``gateway`` None clears the external gateway."""

    name: str | Unset = UNSET
    description: str | Unset = UNSET
    admin_state_up: bool | Unset = UNSET
    gateway: GatewayInfo | Unset | None = UNSET


@dataclass(frozen=True)
class FloatingIpFields:
    """A floating IP's association: ``port_id`` None disassociates; ``fixed_ip_address``
    picks one of the port's addresses."""

    port_id: str | Unset | None = UNSET
    fixed_ip_address: str | None = None
    description: str | Unset = UNSET
