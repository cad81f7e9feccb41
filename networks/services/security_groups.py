"""Security groups: who sees which, create, update, delete, and the groups of a port, with
Neutron's rules. A project's ``default`` group is made the first time the project lists or
uses groups (``networks.security.default_group``); it cannot be renamed, and only an admin may
delete it. A group some port carries cannot be deleted (409 SecurityGroupInUse)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from core import policy
from core.ids import parse_uuid
from core.principal import Caller
from core.unset import UNSET
from networks import security
from networks.exceptions import (
    SecurityGroupCannotRemoveDefault,
    SecurityGroupCannotUpdateDefault,
    SecurityGroupDefaultAlreadyExists,
    SecurityGroupInUse,
    SecurityGroupNotFound,
)
from networks.models import Port, SecurityGroup, SecurityGroupRule

from . import access, quotas
from .arguments import SecurityGroupFields, apply


def groups(caller: Caller) -> QuerySet[SecurityGroup]:
    """The groups the caller sees (admins: all; others: their project's), with their rules.
    The caller's project gets its default group first, as Neutron makes it on first use."""
    if caller.project_id:
        security.default_group(caller.project_id)
    # The remote groups come joined to the rules: one query per page whatever the rules name.
    rules = SecurityGroupRule.objects.select_related("remote_group")
    query = SecurityGroup.objects.prefetch_related(Prefetch("rules", queryset=rules))
    return query if caller.is_admin else query.filter(project_id=caller.project_id)


def get_group(caller: Caller, group_id: str) -> SecurityGroup:
    """The group, if the caller sees it (else SecurityGroupNotFound, also for a non-UUID id)."""
    key = parse_uuid(group_id)
    found = groups(caller).filter(id=key).first() if key else None
    if found is None:
        raise SecurityGroupNotFound(group_id)
    return found


def find_for_project(caller: Caller, name_or_id: str, project_id: str) -> list[SecurityGroup]:
    """The groups of ``project_id`` the caller sees whose id, else whose name, is
    ``name_or_id`` (the lookup clients make by name or id; more than one is ambiguous)."""
    security.default_group(project_id)
    rows = groups(caller).filter(project_id=project_id)
    key = parse_uuid(name_or_id)
    if key is not None:
        by_id = list(rows.filter(id=key))
        if by_id:
            return by_id
    return list(rows.filter(name=name_or_id))


def create_group(caller: Caller, fields: SecurityGroupFields, *, project_id: str | None = None) -> SecurityGroup:
    """A group of the caller's project (an admin: of ``project_id``) that lets all traffic out.
    The name "default" is the project's default group's (409)."""
    owner = access.owner_of_new(caller, project_id, policy.SECURITY_GROUP_CREATE)
    security.default_group(owner)
    if fields.name == security.DEFAULT_NAME:
        raise SecurityGroupDefaultAlreadyExists()
    group = SecurityGroup(project_id=owner)
    apply(group, {"name": fields.name, "description": fields.description})
    with transaction.atomic():
        quotas.reserve(owner, "security_group")
        group.save()
        SecurityGroupRule.objects.bulk_create(security.egress_rules(group))
    return SecurityGroup.objects.prefetch_related("rules").get(id=group.id)


def update_group(caller: Caller, group_id: str, fields: SecurityGroupFields) -> SecurityGroup:
    """Rename or describe a group the caller owns (admins: any); the default group keeps its name."""
    group = get_group(caller, group_id)
    policy.enforce(caller, policy.SECURITY_GROUP_UPDATE, project_id=group.project_id)
    if group.is_default and fields.name not in (UNSET, security.DEFAULT_NAME):
        raise SecurityGroupCannotUpdateDefault()
    apply(group, {"name": fields.name, "description": fields.description})
    group.save()
    return group


def delete_group(caller: Caller, group_id: str) -> None:
    """Delete a group no port carries, with its rules and the rules of other groups that name
    it as their remote group. The default group: admins only."""
    group = get_group(caller, group_id)
    policy.enforce(caller, policy.SECURITY_GROUP_DELETE, project_id=group.project_id)
    if group.is_default and not caller.is_admin:
        raise SecurityGroupCannotRemoveDefault()
    with transaction.atomic():
        SecurityGroup.objects.select_for_update().filter(id=group.id).first()
        if Port.objects.filter(security_groups=group).exists():
            raise SecurityGroupInUse(str(group.id))
        group.delete()


def groups_by_id(caller: Caller, group_ids: tuple[str, ...], project_id: str) -> list[SecurityGroup]:
    """The groups a port of ``project_id`` is to carry, each one the caller sees and of that
    project (else SecurityGroupNotFound)."""
    found = []
    for group_id in dict.fromkeys(group_ids):
        group = get_group(caller, group_id)
        if group.project_id != project_id:
            raise SecurityGroupNotFound(group_id)
        found.append(group)
    return found
