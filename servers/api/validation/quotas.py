"""os-quota-sets bodies and keys per microversion (nova/api/openstack/compute/schemas/
quota_sets.py): the resources a version shows and accepts (the nova-network proxies until
2.35, the personality file limits until 2.56), integer limits (or strings of one), `force`."""

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


def shown(values: dict, version: Microversion) -> dict:
    """``values`` (one per resource) without the resources ``version`` hides."""
    hidden = hidden_resources(version)
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


def quota_update(body: object, version: Microversion) -> tuple[dict[str, int], bool]:
    """The body of PUT /os-quota-sets/{project}: (the new limits, force). A resource the
    version does not show is refused as an unknown one."""
    if not isinstance(body, dict) or not isinstance(body.get("quota_set"), dict) or set(body) != {"quota_set"}:
        raise BadRequest('Invalid input: the request body must be {"quota_set": {...}}.')
    changes = body["quota_set"]
    force = parse_bool(
        changes.get("force", False),
        "force",
        message="Invalid input for field/attribute {name}. Value: {value!r}. It must be a boolean.",
    )
    known = quotas.resources() - hidden_resources(version)
    limits: dict[str, int] = {}
    for key, value in changes.items():
        if key == "force":
            continue
        if key not in known:
            raise unexpected({key})
        limits[key] = _limit(key, value)
    return limits, force
