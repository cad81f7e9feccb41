"""os-quota-sets and os-quota-class-sets bodies and keys per microversion
(nova/api/openstack/compute/schemas/quota_sets.py, quota_classes.py): the resources a version
shows and accepts (quota sets: the nova-network proxies until 2.35; classes: until 2.49, and
the server group limits from 2.50; both: the personality file limits until 2.56), integer
limits (or strings of one), `force` (quota sets only)."""

from __future__ import annotations

import re

from core import microversions as mv
from core.exceptions import BadRequest
from core.microversions import Microversion
from core.params import parse_bool
from servers.services import quotas

from .common import unexpected

INT_RE = re.compile(r"-?[0-9]+")


def hidden_resources(version: Microversion) -> frozenset[str]:
    """The resources the API neither shows nor accepts at ``version``: the network proxies
    from 2.36, the personality file limits from 2.57."""
    hidden: set[str] = set()
    if version >= mv.NETWORK_PROXIES_REMOVED:
        hidden.update(quotas.NETWORK_QUOTAS)
    if version >= mv.INJECTED_FILES_REMOVED:
        hidden.update(quotas.INJECTED_FILE_QUOTAS)
    return frozenset(hidden)


def class_hidden_resources(version: Microversion) -> frozenset[str]:
    """The resources a quota class neither shows nor accepts at ``version``: the network
    proxies from 2.50 (before, the server group limits are accepted but not shown), the
    personality file limits from 2.57."""
    hidden: set[str] = set()
    if version >= mv.QUOTA_CLASS_SERVER_GROUPS:
        hidden.update(quotas.NETWORK_QUOTAS)
    if version >= mv.INJECTED_FILES_REMOVED:
        hidden.update(quotas.INJECTED_FILE_QUOTAS)
    return frozenset(hidden)


def shown(values: dict, version: Microversion) -> dict:
    """``values`` (one per resource) without the resources ``version`` hides."""
    hidden = hidden_resources(version)
    return {key: value for key, value in values.items() if key not in hidden}


def class_shown(values: dict, version: Microversion) -> dict:
    """A quota class's ``values`` as ``version`` shows them."""
    hidden = set(class_hidden_resources(version))
    if version < mv.QUOTA_CLASS_SERVER_GROUPS:
        hidden.update(("server_groups", "server_group_members"))
    return {key: value for key, value in values.items() if key not in hidden}


def _limit(key: str, value: object) -> int:
    """A limit: an integer (or a string of one) from -1 (unlimited) to the largest 32-bit one."""
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and INT_RE.fullmatch(value))):
        raise BadRequest(f"Invalid input for field/attribute {key}. Value: {value!r}. It must be an integer.")
    number = int(value)
    if not -1 <= number <= quotas.MAX_LIMIT:
        raise BadRequest(
            f"Invalid input for field/attribute {key}. Value: {number}. It must be between -1 and {quotas.MAX_LIMIT}."
        )
    return number


def _limits(changes: dict, known: frozenset[str]) -> dict[str, int]:
    limits: dict[str, int] = {}
    for key, value in changes.items():
        if key not in known:
            raise unexpected({key})
        limits[key] = _limit(key, value)
    return limits


def _envelope(body: object, key: str) -> dict:
    if not isinstance(body, dict) or not isinstance(body.get(key), dict) or set(body) != {key}:
        raise BadRequest(f'Invalid input: the request body must be {{"{key}": {{...}}}}.')
    inner: dict = body[key]
    return inner


def quota_update(body: object, version: Microversion) -> tuple[dict[str, int], bool]:
    """The body of PUT /os-quota-sets/{project}: (the new limits, force). A resource the
    version does not show is refused as an unknown one."""
    changes = dict(_envelope(body, "quota_set"))
    force = parse_bool(
        changes.pop("force", False),
        "force",
        message="Invalid input for field/attribute {name}. Value: {value!r}. It must be a boolean.",
    )
    return _limits(changes, quotas.resources() - hidden_resources(version)), force


def quota_class_update(body: object, version: Microversion) -> dict[str, int]:
    """The body of PUT /os-quota-class-sets/{class}: the new limits."""
    return _limits(_envelope(body, "quota_class_set"), quotas.resources() - class_hidden_resources(version))
