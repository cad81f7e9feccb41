"""Server groups service layer: create (one policy, optional rules), list, show and delete,
with Nova's rules (nova/api/openstack/compute/server_groups.py). Members are added by server
create (servers.services.create, scheduler hint `group`); an operator may also put an existing
server in a group or take it out (``add_member``, ``remove_member``: the admin console).
Both ways count the server_group_members quota (``check_group_room``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet

from core import policy
from core.exceptions import BadRequest, Conflict, NotFound, QuotaExceeded
from core.ids import parse_uuid
from core.principal import Caller
from core.quotas import UNLIMITED, fits

from ..models import Server, ServerGroup, ServerGroupMember
from . import quotas
from .lookup import get_server

BASE_POLICIES = ("affinity", "anti-affinity")
HARD_POLICIES = BASE_POLICIES
SOFT_POLICIES = ("soft-affinity", "soft-anti-affinity")
POLICIES = BASE_POLICIES + SOFT_POLICIES


@dataclass(frozen=True)
class ServerGroupCreate:
    """A server group to create: its name, its one policy and (anti-affinity only) rules."""

    name: str
    policy: str
    rules: dict[str, object] = field(default_factory=dict)


def check_name(name: object) -> str:
    """1 to 255 characters without leading or trailing spaces; 400 otherwise."""
    if not isinstance(name, str) or not 1 <= len(name) <= 255 or name != name.strip():
        raise BadRequest(
            f"Invalid input for field/attribute name. Value: {name}. "
            "A name of 1 to 255 characters without leading or trailing spaces is required"
        )
    return name


def check_policy(policy_name: object, allowed: tuple[str, ...] = POLICIES) -> str:
    """One of ``allowed`` (the API narrows it to the policies of the request's version)."""
    if not isinstance(policy_name, str) or policy_name not in allowed:
        raise BadRequest(
            f"Invalid input for field/attribute policy. Value: {policy_name}. "
            f"'{policy_name}' is not one of {list(allowed)}"
        )
    return policy_name


def check_rules(policy_name: str, rules: object) -> dict[str, object]:
    """Rules belong to anti-affinity only; the one rule is a positive `max_server_per_host`
    (a string of digits counts as its number)."""
    if not isinstance(rules, dict) or set(rules) - {"max_server_per_host"}:
        raise BadRequest(f"Invalid input for field/attribute rules. Value: {rules}.")
    if rules and policy_name != "anti-affinity":
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


def create_group(caller: Caller, spec: ServerGroupCreate) -> ServerGroup:
    """Create a group in the caller's project; 400 for a bad name, policy or rules, 403 over
    the server_groups quota."""
    name = check_name(spec.name)
    policy_name = check_policy(spec.policy)
    rules = check_rules(policy_name, spec.rules)
    _check_quota(caller)
    group = ServerGroup.objects.create(
        name=name, policy=policy_name, rules=rules, project_id=caller.project_id, user_id=caller.user_id
    )
    try:
        _check_quota(caller, extra=0)  # Nova's recheck after the write
    except QuotaExceeded:
        group.delete()
        raise
    return group


def _check_quota(caller: Caller, extra: int = 1) -> None:
    """Count-based like Nova: the project's groups (+ `extra`) against server_groups."""
    limit = quotas.limits_for(caller.project_id).get("server_groups", UNLIMITED)
    if not fits(limit, ServerGroup.objects.filter(project_id=caller.project_id).count(), extra):
        raise QuotaExceeded("Quota exceeded, too many server groups.")


def list_groups(
    caller: Caller, all_projects: bool = False, limit: int | None = None, offset: int = 0
) -> QuerySet[ServerGroup]:
    """The project's groups, oldest first; every project's when ``all_projects`` is asked
    and policy os_compute_api:os-server-groups:index:all_projects allows it (else ignored,
    as Nova ignores it)."""
    groups = ServerGroup.objects.order_by("created_at", "id").prefetch_related("members__server")
    if not (all_projects and policy.allows(caller, policy.SERVER_GROUPS_ALL_PROJECTS)):
        groups = groups.filter(project_id=caller.project_id)
    end = offset + limit if limit is not None else None
    return groups[offset:end]


def get_group(caller: Caller, group_id: str) -> ServerGroup:
    """The group by uuid; another project's (for non-admins) or an unknown one is 404."""
    group_uuid = parse_uuid(group_id)
    groups = ServerGroup.objects.filter(uuid=group_uuid) if group_uuid else ServerGroup.objects.none()
    if not caller.is_admin:
        groups = groups.filter(project_id=caller.project_id)
    group = groups.prefetch_related("members__server").first()
    if group is None:
        raise NotFound(f"Instance group {group_id} could not be found.")
    return group


def delete_group(caller: Caller, group_id: str) -> None:
    """Delete a group; its memberships go with it."""
    get_group(caller, group_id).delete()


def member_uuids(group: ServerGroup) -> list[str]:
    """Uuids of the group's live servers (uses the prefetched members)."""
    return [str(member.server.uuid) for member in group.members.all() if not member.server.deleted]


def check_group_room(project_id: str, group: ServerGroup, count: int) -> None:
    """The server_group_members quota of ``project_id``, checked under the group's row lock so
    that concurrent additions to one group cannot pass it together."""
    locked = ServerGroup.objects.select_for_update().get(pk=group.pk)
    members = locked.members.filter(server__deleted=False).count()
    if not fits(quotas.limits_for(project_id)["server_group_members"], members, count):
        raise QuotaExceeded("Quota exceeded, too many servers in group")


def _check_policy_holds(group: ServerGroup, server: Server) -> None:
    """A hard policy must still hold with ``server`` where it is (a server not on a host yet
    is placed by the scheduler later), in Nova's words when a build would break it
    (nova/compute/manager.py, _validate_instance_group_policy)."""
    if group.policy not in HARD_POLICIES or not server.host:
        return
    members = Server.objects.filter(group_membership__group=group, deleted=False).exclude(host=None)
    hosts = Counter(members.values_list("host", flat=True))
    if group.policy == "affinity" and set(hosts) - {server.host}:
        raise BadRequest("Affinity instance group policy was violated.")
    if group.policy == "anti-affinity" and hosts[server.host] >= int(group.rules.get("max_server_per_host", 1)):
        raise BadRequest("Anti-affinity instance group policy was violated.")


def add_member(caller: Caller, group_id: str, server_id: str) -> ServerGroupMember:
    """Put an existing live server in a group (novasite:os-server-groups:add_member). 403 over
    the group project's server_group_members quota, 400 when a hard policy would no longer
    hold, 409 when the server is in a group already (a server belongs to one at most)."""
    policy.enforce(caller, policy.SERVER_GROUPS_ADD_MEMBER)
    group = get_group(caller, group_id)
    server = get_server(caller, server_id)
    with transaction.atomic():
        check_group_room(group.project_id, group, 1)
        current = ServerGroupMember.objects.filter(server=server).select_related("group").first()
        if current is not None:
            raise Conflict(f"Server {server.uuid} is already a member of server group {current.group.uuid}.")
        _check_policy_holds(group, server)
        return ServerGroupMember.objects.create(group=group, server=server)


def remove_member(caller: Caller, group_id: str, server_id: str) -> None:
    """Take a server out of a group (novasite:os-server-groups:remove_member); 404 when it is
    not a member."""
    policy.enforce(caller, policy.SERVER_GROUPS_REMOVE_MEMBER)
    group = get_group(caller, group_id)
    server_uuid = parse_uuid(server_id)
    deleted, _ = group.members.filter(server__uuid=server_uuid).delete() if server_uuid else (0, {})
    if not deleted:
        raise NotFound(f"Server {server_id} is not a member of server group {group.uuid}.")
