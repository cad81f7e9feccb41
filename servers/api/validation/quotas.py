"""PUT /os-quota-sets/{project} bodies (nova/api/openstack/compute/schemas/quota_sets.py):
integer limits (or strings of one), `force`, and the keys each version still accepts."""

from __future__ import annotations

import re

from core import microversions as mv
from core.exceptions import BadRequest
from core.microversions import Microversion
from core.params import parse_bool
from servers.services import quotas

from .common import unexpected

INT_RE = re.compile(r"^-?[0-9]+$")


def _limit(key: str, value: object) -> int:
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and INT_RE.match(value))):
        raise BadRequest(f"Invalid input for field/attribute {key}. Value: {value!r}. It must be an integer.")
    return int(value)


def ignored_keys(version: Microversion) -> set[str]:
    """Keys a PUT may still send at ``version`` although they limit nothing any more: the
    network proxies before 2.36, the personality files before 2.57."""
    ignored: set[str] = set()
    if version < mv.NETWORK_PROXIES_REMOVED:
        ignored.update(quotas.NETWORK_QUOTAS)
    if version < mv.INJECTED_FILES_REMOVED:
        ignored.update(quotas.INJECTED_FILE_QUOTAS)
    return ignored


def quota_update(body: object, version: Microversion) -> tuple[dict[str, int], bool]:
    """The body of PUT /os-quota-sets/{project}: (the new limits, force)."""
    if not isinstance(body, dict) or not isinstance(body.get("quota_set"), dict) or set(body) != {"quota_set"}:
        raise BadRequest('Invalid input: the request body must be {"quota_set": {...}}.')
    changes = body["quota_set"]
    force = parse_bool(
        changes.get("force", False),
        "force",
        message="Invalid input for field/attribute {name}. Value: {value!r}. It must be a boolean.",
    )
    ignored, known = ignored_keys(version), quotas.resources()
    limits: dict[str, int] = {}
    for key, value in changes.items():
        if key == "force":
            continue
        if key not in known and key not in ignored:
            raise unexpected({key})
        number = _limit(key, value)
        if key not in ignored:
            limits[key] = number
    return limits, force
