"""Server groups service layer: create (policy/policies, rules), list, show and delete,
with Nova's rules (nova/api/openstack/compute/server_groups.py, schemas/server_groups.py).
Members are added by server create (servers.actions, scheduler hint `group`)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from core.exceptions import BadRequest, NotFound
from core.principal import Caller

from ..models import ServerGroup
from . import quotas

Version = tuple[int, int]

BASE_POLICIES = ("affinity", "anti-affinity")
SOFT_POLICIES = ("soft-affinity", "soft-anti-affinity")


def allowed_policies(version: Version) -> tuple[str, ...]:
    """Soft policies exist from 2.15."""
    return BASE_POLICIES + SOFT_POLICIES if version >= (2, 15) else BASE_POLICIES


def _policy(body: dict, version: Version) -> str:
    """The one policy, from `policy` (≥2.64 clients) or `policies: [p]` (older ones); both
    forms are accepted at every version, as the client contract asks."""
    if "policy" in body and "policies" in body:
        raise BadRequest("Invalid input for field/attribute server_group. Give 'policy' or 'policies', not both")
    if "policies" in body:
        policies = body["policies"]
        if not isinstance(policies, list) or len(policies) != 1:
            raise BadRequest(
                f"Invalid input for field/attribute policies. Value: {policies}. Exactly one policy is required"
            )
        policy = policies[0]
    elif "policy" in body:
        policy = body["policy"]
    else:
        raise BadRequest("Invalid input for field/attribute server_group. 'policy' is a required property")
    if policy not in allowed_policies(version):
        raise BadRequest(
            f"Invalid input for field/attribute policy. Value: {policy}. "
            f"'{policy}' is not one of {list(allowed_policies(version))}"
        )
    return policy


def _rules(body: dict, policy: str, version: Version) -> dict:
    """≥2.64: `rules` (anti-affinity only), with a positive `max_server_per_host`."""
    rules = body.get("rules")
    if rules is None:
        return {}
    if version < (2, 64):
        raise BadRequest("Additional properties are not allowed ('rules' was unexpected)")
    if not isinstance(rules, dict) or set(rules) - {"max_server_per_host"}:
        raise BadRequest(f"Invalid input for field/attribute rules. Value: {rules}.")
    if rules and policy != "anti-affinity":
        raise BadRequest("Only anti-affinity policy supports rules.")
    if "max_server_per_host" not in rules:
        return {}
    value = rules["max_server_per_host"]
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadRequest(
            f"Invalid input for field/attribute max_server_per_host. Value: {rules['max_server_per_host']}. "
            "It must be an integer of at least 1"
        )
    return {"max_server_per_host": value}


def create_group(caller: Caller, body: dict, version: Version) -> ServerGroup:
    """POST /os-server-groups: validate and write; 403 over the server_groups quota."""
    unknown = sorted(set(body) - {"name", "policy", "policies", "rules"})
    if unknown:
        raise BadRequest(f"Additional properties are not allowed ({', '.join(map(repr, unknown))} was unexpected)")
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 255 or name != name.strip():
        raise BadRequest(
            f"Invalid input for field/attribute name. Value: {name}. "
            "A name of 1 to 255 characters without leading or trailing spaces is required"
        )
    policy = _policy(body, version)
    rules = _rules(body, policy, version)
    _check_quota(caller)
    group = ServerGroup.objects.create(
        name=name, policy=policy, rules=rules, project_id=caller.project_id, user_id=caller.user_id
    )
    try:
        _check_quota(caller, extra=0)  # Nova's recheck after the write
    except quotas.QuotaExceeded:
        group.delete()
        raise
    return group


def _check_quota(caller: Caller, extra: int = 1) -> None:
    """Count-based like Nova: the project's groups (+ `extra`) against server_groups."""
    limit = quotas.limits_for(caller.project_id).get("server_groups", -1)
    if limit >= 0 and ServerGroup.objects.filter(project_id=caller.project_id).count() + extra > limit:
        raise quotas.QuotaExceeded("Quota exceeded, too many server groups.")


def list_groups(caller: Caller, all_projects: bool = False, limit: int | None = None, offset: int = 0) -> QuerySet:
    """GET /os-server-groups: the project's groups; admins with all_projects see every one."""
    groups = ServerGroup.objects.order_by("created_at", "id").prefetch_related("members__server")
    if not (caller.is_admin and all_projects):
        groups = groups.filter(project_id=caller.project_id)
    end = offset + limit if limit is not None else None
    return groups[offset:end]


def get_group(caller: Caller, group_id: str) -> ServerGroup:
    """The group by uuid; another project's (for non-admins) or an unknown one is 404."""
    try:
        group_uuid = uuid.UUID(str(group_id))
    except ValueError:
        raise NotFound(f"Instance group {group_id} could not be found.") from None
    groups = ServerGroup.objects.filter(uuid=group_uuid).prefetch_related("members__server")
    if not caller.is_admin:
        groups = groups.filter(project_id=caller.project_id)
    group = groups.first()
    if group is None:
        raise NotFound(f"Instance group {group_id} could not be found.")
    return group


def delete_group(caller: Caller, group_id: str) -> None:
    """DELETE /os-server-groups/{id}; memberships go with it."""
    get_group(caller, group_id).delete()


def member_uuids(group: ServerGroup) -> list[str]:
    """Uuids of the group's live servers (uses the prefetched members)."""
    return [str(member.server.uuid) for member in group.members.all() if not member.server.deleted]
