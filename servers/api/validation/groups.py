"""POST /os-server-groups bodies (nova/api/openstack/compute/schemas/server_groups.py): one
policy as `policy` or `policies: [p]` (both forms at every version, as the clients send
either), soft policies from 2.15, `rules` from 2.64."""

from __future__ import annotations

from typing import Any

from core import microversions as mv
from core.exceptions import BadRequest
from core.microversions import Microversion
from servers.services import groups
from servers.services.groups import ServerGroupCreate

from .common import unexpected


def allowed_policies(version: Microversion) -> tuple[str, ...]:
    """The policies a client may ask for at ``version``: soft ones exist from 2.15."""
    return groups.POLICIES if version >= mv.SOFT_AFFINITY_POLICIES else groups.BASE_POLICIES


def _policy(body: dict[str, Any], version: Microversion) -> str:
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
    return groups.check_policy(policy, allowed_policies(version))


def group_create(body: dict[str, Any], version: Microversion) -> ServerGroupCreate:
    """The `server_group` object of POST /os-server-groups as the service's ServerGroupCreate."""
    if set(body) - {"name", "policy", "policies", "rules"}:
        raise unexpected(set(body) - {"name", "policy", "policies", "rules"})
    name = groups.check_name(body.get("name"))
    policy = _policy(body, version)
    rules = body.get("rules")
    if rules is None:
        return ServerGroupCreate(name=name, policy=policy)
    if version < mv.SERVER_GROUP_POLICY_RULES:
        raise unexpected({"rules"})
    return ServerGroupCreate(name=name, policy=policy, rules=groups.check_rules(policy, rules))
