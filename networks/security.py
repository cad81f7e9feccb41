"""What every path that makes ports needs of security groups: a project's ``default`` group,
made on first use with Neutron's default rules, and the groups a new port carries. The
service layer (``networks.services.security_groups``) and IPAM (``networks.ipam``, which the
conductor calls for a server's ports) both use it."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction

from .models import Port, SecurityGroup, SecurityGroupRule

DEFAULT_NAME = "default"
DEFAULT_DESCRIPTION = "Default security group"
ETHERTYPES = ("IPv4", "IPv6")


def egress_rules(group: SecurityGroup) -> list[SecurityGroupRule]:
    """Every new group lets all traffic out, over IPv4 and IPv6 (as Neutron makes them)."""
    return [
        SecurityGroupRule(security_group=group, project_id=group.project_id, direction="egress", ethertype=ethertype)
        for ethertype in ETHERTYPES
    ]


def default_group(project_id: str) -> SecurityGroup:
    """The project's default group, made on first use: its members may reach each other, and
    everything may go out. Safe under concurrency: one default per project is a database
    constraint, and the loser of a race reads the winner's group."""
    found = SecurityGroup.objects.filter(project_id=project_id, is_default=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            group = SecurityGroup.objects.create(
                name=DEFAULT_NAME, description=DEFAULT_DESCRIPTION, project_id=project_id, is_default=True
            )
            ingress = [
                SecurityGroupRule(
                    security_group=group,
                    project_id=project_id,
                    direction="ingress",
                    ethertype=ethertype,
                    remote_group=group,
                )
                for ethertype in ETHERTYPES
            ]
            SecurityGroupRule.objects.bulk_create([*ingress, *egress_rules(group)])
            return group
    except IntegrityError:
        return SecurityGroup.objects.get(project_id=project_id, is_default=True)


def give_groups(port: Port, groups: Iterable[SecurityGroup] | None, *, new: bool = False) -> None:
    """Put the port in ``groups``; None means the port's project's default group (Neutron's
    rule for a port created without ``security_groups``). ``new``: the port was just made and
    is in no group yet, so its memberships are inserted without reading them first."""
    if groups is None and new and _join_default_group(port):
        return
    chosen = list(groups) if groups is not None else [default_group(port.project_id)]
    if new:
        through = Port.security_groups.through
        through.objects.bulk_create([through(port=port, securitygroup=group) for group in chosen])
    else:
        port.security_groups.set(chosen)


def _join_default_group(port: Port) -> bool:
    """Put a new port in its project's default group by one INSERT ... SELECT (every port a
    server boots with goes through here); False, and nothing written, when the project has no
    default group yet."""
    memberships = connection.ops.quote_name(Port.security_groups.through._meta.db_table)
    groups = connection.ops.quote_name(SecurityGroup._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {memberships} (port_id, securitygroup_id) "
            f"SELECT %s, id FROM {groups} WHERE project_id = %s AND is_default",
            [Port._meta.pk.get_db_prep_value(port.pk, connection), port.project_id],
        )
        return cursor.rowcount > 0
