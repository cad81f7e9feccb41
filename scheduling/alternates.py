"""Claiming an alternate host when a build is rescheduled.

The alternates were chosen with the decision; by the time a build fails and is rescheduled,
other members of the server's group may have landed on them. For a hard affinity or
anti-affinity group the alternate is re-checked against the group's current hosts, under the
group's lock, before it is claimed (Nova relies on a late check on the compute host instead).
"""

from __future__ import annotations

from typing import Any

from . import claims, groups


def claim_alternate(
    instance_uuid: str,
    alternate: dict[str, Any],
    res: claims.Resources,
    *,
    project_id: str,
    user_id: str,
    scheduler_hints: dict[str, Any] | None = None,
) -> bool:
    """Claim `res` on the alternate ({"host", "node", "compute_node_id"}) for the instance,
    unless its server group's hard policy now forbids that host. True when claimed."""
    group = groups.load_group(scheduler_hints or {})
    if group is None or not group.hard:
        return claims.claim(alternate["compute_node_id"], instance_uuid, res, project_id=project_id, user_id=user_id)
    with groups.serialised(group):
        groups.load_members(group, [instance_uuid])
        host = alternate["host"]
        if group.policy == "affinity" and group.member_hosts and host not in group.member_hosts:
            return False
        if group.policy == "anti-affinity" and group.member_hosts[host] >= group.max_server_per_host:
            return False
        return claims.claim(alternate["compute_node_id"], instance_uuid, res, project_id=project_id, user_id=user_id)
