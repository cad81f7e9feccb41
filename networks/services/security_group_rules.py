"""Security group rules: create (Neutron's checks of protocol, ports, ethertype and remotes;
a duplicate is 409 SecurityGroupRuleExists) and delete. Listing and showing go through
``rules``, the rules of the groups the caller sees."""

from __future__ import annotations

import ipaddress

from django.db import transaction
from django.db.models import QuerySet

from core import policy
from core.ids import parse_uuid
from core.principal import Caller
from networks.exceptions import (
    InvalidInput,
    SecurityGroupRuleExists,
    SecurityGroupRuleInvalid,
    SecurityGroupRuleNotFound,
)
from networks.models import SecurityGroup, SecurityGroupRule

from . import quotas, security_groups
from .arguments import RuleFields

# neutron_lib.constants.IP_PROTOCOL_MAP: the protocol names a rule may use.
PROTOCOLS = {
    "ah": 51,
    "dccp": 33,
    "egp": 8,
    "esp": 50,
    "gre": 47,
    "hopopt": 0,
    "icmp": 1,
    "igmp": 2,
    "ip": 0,
    "ipip": 4,
    "ipv6-encap": 41,
    "ipv6-frag": 44,
    "ipv6-icmp": 58,
    "icmpv6": 58,
    "ipv6-nonxt": 59,
    "ipv6-opts": 60,
    "ipv6-route": 43,
    "ospf": 89,
    "pgm": 113,
    "rsvp": 46,
    "sctp": 132,
    "tcp": 6,
    "udp": 17,
    "udplite": 136,
    "vrrp": 112,
}
PORT_PROTOCOLS = {6, 17, 33, 132, 136}  # tcp, udp, dccp, sctp, udplite
ICMP_PROTOCOLS = {1, 58}
ICMPV6 = 58


def rules(caller: Caller) -> QuerySet[SecurityGroupRule]:
    """The rules of the groups the caller sees."""
    return SecurityGroupRule.objects.filter(security_group__in=security_groups.groups(caller))


def get_rule(caller: Caller, rule_id: str) -> SecurityGroupRule:
    """The rule, if the caller sees its group (else SecurityGroupRuleNotFound)."""
    key = parse_uuid(rule_id)
    found = rules(caller).filter(id=key).first() if key else None
    if found is None:
        raise SecurityGroupRuleNotFound(rule_id)
    return found


def protocol_number(protocol: str | None) -> int | None:
    """The IP protocol number of a rule's protocol (a name or a number), None for any."""
    if protocol is None:
        return None
    return PROTOCOLS[protocol] if protocol in PROTOCOLS else int(protocol)


def _protocol(value: str | None) -> str | None:
    """The protocol as stored: a known name (lower case), a number from 0 to 255, or None
    (also for "any")."""
    if value is None or value.lower() == "any":
        return None
    if value.lower() in PROTOCOLS:
        return value.lower()
    if value.isdigit() and 0 <= int(value) <= 255:
        return str(int(value))
    raise SecurityGroupRuleInvalid(
        "SecurityGroupRuleInvalidProtocol",
        f"Security group rule protocol {value} not supported. Only protocol values "
        f"{sorted([*PROTOCOLS, 'any'])} and integer representations [0 to 255] are supported.",
    )


def _check_ports(protocol: str | None, low: int | None, high: int | None) -> tuple[int | None, int | None]:
    """Neutron's port checks: a range needs a protocol that has ports (TCP-like: 1..65535,
    low <= high) or ICMP (type and code, 0..255; no code without a type)."""
    if low is None and high is None:
        return low, high
    number = protocol_number(protocol)
    if number is None:
        raise SecurityGroupRuleInvalid(
            "SecurityGroupProtocolRequiredWithPorts", "Must also specify protocol if port range is given."
        )
    if number in PORT_PROTOCOLS:
        low, high = (high if low is None else low), (low if high is None else high)
        if low == 0 or high == 0:
            raise SecurityGroupRuleInvalid("SecurityGroupInvalidPortValue", "Invalid value for port 0")
        if low is not None and high is not None and low > high:
            raise SecurityGroupRuleInvalid(
                "SecurityGroupInvalidPortRange", "For TCP/UDP protocols, port_range_min must be <= port_range_max"
            )
        return low, high
    if number in ICMP_PROTOCOLS:
        for value, field, attribute in ((low, "type", "port_range_min"), (high, "code", "port_range_max")):
            if value is not None and not 0 <= value <= 255:
                raise SecurityGroupRuleInvalid(
                    "SecurityGroupInvalidIcmpValue", f"Invalid value for ICMP {field} ({attribute}) {value}"
                )
        if low is None:
            raise SecurityGroupRuleInvalid(
                "SecurityGroupMissingIcmpType",
                f"ICMP code (port-range-max) {high} is provided but ICMP type (port-range-min) is missing.",
            )
        return low, high
    raise SecurityGroupRuleInvalid(
        "SecurityGroupInvalidProtocolForPort",
        f"Invalid protocol {protocol} for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP protocols.",
    )


def _prefix(fields: RuleFields) -> str | None:
    """The remote prefix with its mask (an address alone is a /32 or /128), of the rule's ethertype."""
    if fields.remote_ip_prefix is None:
        return None
    if fields.remote_group_id is not None:
        raise SecurityGroupRuleInvalid(
            "SecurityGroupRemoteGroupAndRemoteIpPrefix", "Only remote_ip_prefix or remote_group_id may be provided."
        )
    network = ipaddress.ip_network(fields.remote_ip_prefix, strict=False)
    if f"IPv{network.version}" != fields.ethertype:
        raise SecurityGroupRuleInvalid(
            "SecurityGroupRuleParameterConflict",
            f"Conflicting value ethertype {fields.ethertype} for CIDR {fields.remote_ip_prefix}",
        )
    text = fields.remote_ip_prefix
    return text if "/" in text else f"{text}/{network.prefixlen}"


def _same(rule: SecurityGroupRule, other: SecurityGroupRule) -> bool:
    """Whether two rules let the same traffic through (the description does not count)."""
    keys = ("direction", "ethertype", "port_range_min", "port_range_max", "remote_ip_prefix", "remote_group_id")
    return protocol_number(rule.protocol) == protocol_number(other.protocol) and all(
        getattr(rule, key) == getattr(other, key) for key in keys
    )


def create_rule(caller: Caller, fields: RuleFields) -> SecurityGroupRule:
    """A rule of a group the caller owns (admins: any), after Neutron's checks; 409 for a
    rule the group already has, or over the project's security_group_rule quota."""
    if fields.direction not in ("ingress", "egress"):
        raise InvalidInput(f"'{fields.direction}' is not in ['ingress', 'egress'].")
    if fields.ethertype not in ("IPv4", "IPv6"):
        raise SecurityGroupRuleInvalid(
            "SecurityGroupRuleInvalidEtherType",
            f"Security group rule for ethertype '{fields.ethertype}' not supported. Allowed values are IPv4, IPv6.",
        )
    group = security_groups.get_group(caller, fields.security_group_id)
    policy.enforce(caller, policy.SECURITY_GROUP_RULE_CREATE, project_id=group.project_id)
    remote: SecurityGroup | None = None
    if fields.remote_group_id is not None:
        remote = security_groups.get_group(caller, fields.remote_group_id)
    protocol = _protocol(fields.protocol)
    if protocol_number(protocol) == ICMPV6 and fields.ethertype == "IPv4":
        raise SecurityGroupRuleInvalid(
            "SecurityGroupEthertypeConflictWithProtocol",
            f"Ethertype IPv4 is not supported with protocol {protocol}.",
        )
    low, high = _check_ports(protocol, fields.port_range_min, fields.port_range_max)
    rule = SecurityGroupRule(
        security_group=group,
        project_id=group.project_id,
        direction=fields.direction,
        ethertype=fields.ethertype,
        protocol=protocol,
        port_range_min=low,
        port_range_max=high,
        remote_ip_prefix=_prefix(fields),
        remote_group=remote,
        description=fields.description,
    )
    with transaction.atomic():
        quotas.reserve(group.project_id, "security_group_rule")
        SecurityGroup.objects.select_for_update().filter(id=group.id).first()
        for existing in SecurityGroupRule.objects.filter(security_group=group):
            if _same(existing, rule):
                raise SecurityGroupRuleExists(str(existing.id))
        rule.save()
    return rule


def delete_rule(caller: Caller, rule_id: str) -> None:
    """Remove a rule from a group the caller owns (admins: any)."""
    rule = get_rule(caller, rule_id)
    policy.enforce(caller, policy.SECURITY_GROUP_RULE_DELETE, project_id=rule.project_id)
    rule.delete()
