"""Nova's security group proxy (nova/network/security_group_api.py): the os-security-groups
and os-security-group-rules APIs and the addSecurityGroup / removeSecurityGroup actions,
answered from the network service as Nova answers them from Neutron, with Nova's checks and
its mapping of Neutron's errors (a conflict on delete or update is Nova's 400, on create its
403 "limit exceeded"). Nova shows ingress rules only, and makes ingress rules only."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from core import policy
from core.exceptions import BadRequest, Conflict, Forbidden, NotFound
from core.ids import parse_uuid
from core.principal import Caller
from networks import security
from networks.models import Port, SecurityGroup, SecurityGroupRule
from networks.services import security_group_rules, security_groups
from networks.services.arguments import RuleFields, SecurityGroupFields
from servers.models import Server

ANY_IPV4 = "0.0.0.0/0"
PORT_PROTOCOLS = ("TCP", "UDP")


@dataclass(frozen=True)
class NovaRule:
    """An os-security-group-rules create body: ids checked as UUIDs by the view, the rest as given."""

    parent_group_id: str
    group_id: str | None = None
    ip_protocol: object = None
    from_port: object = None
    to_port: object = None
    cidr: object = None


@contextmanager
def neutron_conflicts_as(error: type[Exception]) -> Iterator[None]:
    """Nova turns what Neutron refuses with 409 into ``error`` (keeping Neutron's words)."""
    try:
        yield
    except Conflict as refused:
        raise error(str(refused)) from refused


def _valid_id(group_id: str) -> str:
    if parse_uuid(group_id) is None:
        raise BadRequest("Security group id should be uuid")
    return group_id


def list_groups(caller: Caller, *, all_tenants: bool) -> list[SecurityGroup]:
    """The project's groups (its default one made on first use); an admin's all_tenants: every group."""
    rows = security_groups.groups(caller)
    if not (caller.is_admin and all_tenants):
        rows = rows.filter(project_id=caller.project_id)
    return list(rows)


def get_group(caller: Caller, group_id: str) -> SecurityGroup:
    """A group the caller sees (400 for an id that is not a UUID, 404 for an unknown one)."""
    return security_groups.get_group(caller, _valid_id(group_id))


def create_group(caller: Caller, name: str, description: str) -> SecurityGroup:
    with neutron_conflicts_as(Forbidden):
        return security_groups.create_group(caller, SecurityGroupFields(name=name, description=description))


def update_group(caller: Caller, group_id: str, name: str, description: str) -> SecurityGroup:
    group = get_group(caller, group_id)
    with neutron_conflicts_as(BadRequest):
        return security_groups.update_group(caller, str(group.id), SecurityGroupFields(name, description))


def delete_group(caller: Caller, group_id: str) -> None:
    """Delete a group; one in use, or the default group, is Nova's 400."""
    group = get_group(caller, group_id)
    with neutron_conflicts_as(BadRequest):
        security_groups.delete_group(caller, str(group.id))


# --- rules ---------------------------------------------------------------------------------


def _cidr(value: object) -> str:
    """Nova's parse_cidr: none given is 0.0.0.0/0; anything else must be a network."""
    if not value:
        return ANY_IPV4
    try:
        ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        raise BadRequest(f"{value} is not a valid IP network.") from None
    return str(value)


def _port_range(protocol: str, low: object, high: object) -> tuple[int, int]:
    """Nova's checks of a rule's protocol and ports (ICMP: type and code)."""
    upper = protocol.upper()
    try:
        first, last = int(low), int(high)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        reason = (
            "Type and Code must be integers for ICMP protocol type"
            if upper == "ICMP"
            else "To and From ports must be integers"
        )
        raise BadRequest(f"Invalid input received: {reason}") from None
    if upper not in (*PORT_PROTOCOLS, "ICMP"):
        raise BadRequest(f"Invalid IP protocol {protocol}.")
    problem = None
    if upper in PORT_PROTOCOLS and first > last:
        problem = "Former value cannot be greater than the later"
    elif upper in PORT_PROTOCOLS and (first < 1 or last > 65535):
        problem = f"Valid {upper} ports should be between 1-65535"
    elif upper == "ICMP" and not (-1 <= first <= 255 and -1 <= last <= 255):
        problem = "For ICMP, the type:code must be valid"
    if problem:
        raise BadRequest(f"Invalid port range {first}:{last}. {problem}")
    return first, last


def ingress_rule(rule: NovaRule) -> dict[str, object] | None:
    """The rule Nova asks Neutron for (keys group_id or cidr, and protocol, from_port,
    to_port when given); None when a CIDR rule lacks its protocol or ports."""
    values: dict[str, object] = {}
    low, high = rule.from_port, rule.to_port
    if rule.group_id is not None:
        values["group_id"] = rule.group_id
        # A group rule without ports opens every port (ICMP: every type and code).
        upper = str(rule.ip_protocol).upper() if rule.ip_protocol else ""
        if low is None and high is None and upper in (*PORT_PROTOCOLS, "ICMP"):
            low, high = (-1, -1) if upper == "ICMP" else (1, 65535)
    else:
        values["cidr"] = _cidr(rule.cidr)
    if rule.ip_protocol and low is not None and high is not None:
        protocol = str(rule.ip_protocol)
        first, last = _port_range(protocol, low, high)
        values.update(protocol=protocol, from_port=first, to_port=last)
    elif "cidr" in values:
        return None
    return values


def nova_ports(rule: SecurityGroupRule) -> tuple[int | None, int | None]:
    """A Neutron rule's (from_port, to_port) as Nova shows them: a protocol without ports is
    1-65535 for TCP and UDP, -1 (any type and code) for the others."""
    if rule.protocol and rule.port_range_min is None and rule.port_range_max is None:
        return (1, 65535) if rule.protocol.upper() in PORT_PROTOCOLS else (-1, -1)
    return rule.port_range_min, rule.port_range_max


def _exists(group: SecurityGroup, new: dict[str, object]) -> bool:
    """Nova's own duplicate check, over the group's ingress rules as Nova sees them."""
    for rule in group.rules.filter(direction="ingress"):
        from_port, to_port = nova_ports(rule)
        seen = {
            "group_id": str(rule.remote_group_id) if rule.remote_group_id else None,
            "cidr": _cidr(rule.remote_ip_prefix),
            "from_port": from_port,
            "to_port": to_port,
            "protocol": rule.protocol,
        }
        if all(seen[key] == new.get(key) for key in seen):
            return True
    return False


def create_rule(caller: Caller, rule: NovaRule) -> SecurityGroupRule:
    """An ingress rule, checked as Nova checks it, then made by the network service."""
    group = security_groups.get_group(caller, rule.parent_group_id)
    if rule.group_id is not None:
        security_groups.get_group(caller, rule.group_id)
    new = ingress_rule(rule)
    if new is None:
        raise BadRequest("Not enough parameters to build a valid rule.")
    cidr = new.get("cidr")
    network = ipaddress.ip_network(str(cidr), strict=False) if cidr else None
    if network is not None and network.prefixlen == 0 and str(cidr).split("/")[0] not in ("0.0.0.0", "::"):
        raise BadRequest(f"Bad prefix for network in cidr {cidr}")
    if _exists(group, new):
        raise BadRequest(f"This rule already exists in group {group.id}")
    ports = [new.get(key) for key in ("from_port", "to_port")]
    low, high = (None if port in (None, -1) else int(port) for port in ports)  # type: ignore[call-overload]
    fields = RuleFields(
        security_group_id=str(group.id),
        direction="ingress",
        ethertype=f"IPv{network.version}" if network is not None else "IPv4",
        protocol=str(new["protocol"]) if "protocol" in new else None,
        port_range_min=low,
        port_range_max=high,
        remote_ip_prefix=str(cidr) if cidr else None,
        remote_group_id=str(new["group_id"]) if "group_id" in new else None,
    )
    with neutron_conflicts_as(Forbidden):
        return security_group_rules.create_rule(caller, fields)


def delete_rule(caller: Caller, rule_id: str) -> None:
    """Remove a rule (400 for an id that is not a UUID; Nova words an unknown one as Neutron)."""
    rule = security_group_rules.get_rule(caller, _valid_id(rule_id))
    security_group_rules.delete_rule(caller, str(rule.id))


# --- servers -------------------------------------------------------------------------------


def _find(caller: Caller, name: str) -> SecurityGroup:
    """The caller's project's group with this id or name (404 none, 409 several)."""
    found = security_groups.find_for_project(caller, name, caller.project_id)
    if not found:
        raise NotFound(f"Security group {name} is not found for project {caller.project_id}")
    if len(found) > 1:
        raise Conflict(f"Multiple security_group matches found for name '{name}', use an ID to be more specific.")
    return found[0]


def _ports_of(server: Server) -> list[Port]:
    ports = list(Port.objects.filter(device_id=str(server.uuid)).prefetch_related("security_groups"))
    if not ports:
        raise NotFound(f"instance_id {server.uuid} could not be found as device id on any ports")
    return ports


def server_groups(server: Server) -> list[SecurityGroup]:
    """The groups of the server's ports, port by port (a group on two ports shows twice, as in Nova)."""
    ports = Port.objects.filter(device_id=str(server.uuid)).prefetch_related("security_groups__rules__remote_group")
    return [group for port in ports for group in port.security_groups.all()]


def add_to_server(caller: Caller, server: Server, name: str) -> None:
    """Put every port of the server in the group (a port without an address cannot take one)."""
    policy.enforce(caller, policy.SERVER_SECURITY_GROUPS_ADD, project_id=server.project_id)
    group = _find(caller, name)
    ports = _ports_of(server)
    if any(not port.fixed_ips for port in ports):
        raise BadRequest(
            "Network requires port_security_enabled and subnet associated in order to apply security groups."
        )
    for port in ports:
        port.security_groups.add(group)


def remove_from_server(caller: Caller, server: Server, name: str) -> None:
    """Take the group off every port of the server that has it (404 when none has)."""
    policy.enforce(caller, policy.SERVER_SECURITY_GROUPS_REMOVE, project_id=server.project_id)
    group = _find(caller, name)
    holding = [port for port in _ports_of(server) if group in port.security_groups.all()]
    if not holding:
        raise NotFound(f"Security group {name} not associated with the instance {server.uuid}")
    for port in holding:
        port.security_groups.remove(group)


def groups_for_new_server(caller: Caller, names: list[str]) -> list[str]:
    """The ids of the groups a create names ("default": the project's default group); an
    unknown one is the create's 400, an ambiguous one its 409."""
    ids = []
    for name in dict.fromkeys(names):
        if name == security.DEFAULT_NAME:
            ids.append(str(security.default_group(caller.project_id).id))
            continue
        found = security_groups.find_for_project(caller, name, caller.project_id)
        if not found:
            raise BadRequest(f"Unable to find security_group with name or id '{name}'")
        if len(found) > 1:
            raise Conflict(f"Multiple security_group matches found for name '{name}', use an ID to be more specific.")
        ids.append(str(found[0].id))
    return ids
