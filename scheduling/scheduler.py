"""Filter, weigh and claim: the placement decision.

1. Context (scheduling.context): the request's group, image properties, hints and aggregate
   metadata, each loaded once. For a hard affinity or anti-affinity group, the rest of the
   decision runs under the group's lock (scheduling.groups.serialised), so that concurrent
   decisions for one group, on any number of schedulers, see each other's placements.
2. Candidates (scheduling.candidates): one SQL statement applies every filter's condition and
   returns only the top hosts by the indexed weighers; Python filters and the normalised
   weighers rank that pool.
3. Claim (scheduling.claims): the best host is claimed atomically; if another scheduler took
   the room first, the next one is tried. A multi-create is one decision: each pick is
   claimed and the in-memory view updated before the next instance is placed, and if any
   instance cannot be placed the claims already made are released (all or nothing).
"""

from __future__ import annotations

import logging
import random
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from hosts.zones import zone_of_mirror

from . import claims, groups
from .candidates import CandidatePool
from .context import Decision
from .explain import summary
from .filters.base import BaseFilter
from .host_state import HostState
from .request import RequestSpec
from .weighers.base import BaseWeigher

log = logging.getLogger(__name__)


class NoValidHost(Exception):
    """No host can take the request; the message says which filter removed how many hosts."""


@dataclass
class Selection:
    """Where one instance goes: the claimed host and the alternates to retry on (each with
    the host's availability zone as the decision saw it, so that the build need not look it
    up again)."""

    instance_uuid: str
    host: str
    node: str
    compute_node_id: int
    alternates: list[dict[str, Any]] = field(default_factory=list)
    availability_zone: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The selection as the task returns it."""
        return asdict(self)


@cache
def _load(paths: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(import_string(path)() for path in paths)


def enabled_filters() -> tuple[BaseFilter, ...]:
    """settings.SCHEDULER_FILTERS, instantiated once, in order."""
    return _load(tuple(settings.SCHEDULER_FILTERS))


def enabled_weighers() -> tuple[BaseWeigher, ...]:
    """settings.SCHEDULER_WEIGHERS, instantiated once."""
    return _load(tuple(settings.SCHEDULER_WEIGHERS))


def explain(spec: RequestSpec) -> str:
    """How many hosts each filter removed, e.g. "ComputeFilter removed 2 of 5; ..."."""
    decision = Decision(spec)
    decision.load_group_members()
    return summary(decision, enabled_filters())


def _alternate(host: HostState) -> dict[str, Any]:
    return {
        "host": host.host,
        "node": host.hypervisor_hostname,
        "compute_node_id": host.id,
        "availability_zone": zone_of_mirror(host.availability_zone),
    }


def _subset_first(ranked: list[HostState]) -> list[HostState]:
    """Claim order: a random host among the best SCHEDULER_HOST_SUBSET_SIZE first (so that
    concurrent schedulers do not all race for the same host), then the rest in order."""
    size = max(1, settings.SCHEDULER_HOST_SUBSET_SIZE)
    if size == 1 or len(ranked) < 2:
        return ranked
    first = random.choice(ranked[:size])
    return [first] + [h for h in ranked if h is not first]


def _claim_best(
    pool: CandidatePool, decision: Decision, instance_uuid: str
) -> tuple[HostState | None, list[HostState], bool]:
    """Claim the best host that still has room: (host, the ranking it came from, whether the
    instance already held it). Grows the pool when the ranked hosts run out."""
    spec, res = decision.spec, decision.resources
    while True:
        ranked = pool.ranked()
        for host in _subset_first(ranked):
            held = claims.claim_unless_held(
                host.id, instance_uuid, res, project_id=spec.project_id, user_id=spec.user_id
            )
            if held == host.id:
                return host, ranked, False
            if held is not None:  # a redelivered request: keep what the instance already holds
                return pool.by_id(held), ranked, True
            log.info("claim on %s lost to a concurrent request; trying the next host", host.host)
            pool.discard(host)
        if not pool.grow():
            held = claims.held_node(instance_uuid)
            return (pool.by_id(held), ranked, True) if held is not None else (None, ranked, False)


def _place_one(pool: CandidatePool, decision: Decision, instance_uuid: str) -> Selection | None:
    """Claim a host for one instance (or keep the one it already holds); None if none can."""
    chosen, ranked, held = _claim_best(pool, decision, instance_uuid)
    if chosen is None:
        return None
    if not held:
        chosen.consume(decision.resources)  # later picks of this decision see the claim
    decision.picks.append(chosen.host)
    alternates_wanted = max(settings.MAX_ATTEMPTS - 1, 0)
    alternates = [_alternate(h) for h in ranked if h.id != chosen.id][:alternates_wanted]
    return Selection(
        instance_uuid,
        chosen.host,
        chosen.hypervisor_hostname,
        chosen.id,
        alternates,
        zone_of_mirror(chosen.availability_zone),
    )


def _place(decision: Decision) -> list[Selection]:
    spec = decision.spec
    pool = CandidatePool(decision, enabled_filters(), enabled_weighers())
    selections: list[Selection] = []
    for index, instance_uuid in enumerate(spec.instance_uuids):
        selection = _place_one(pool, decision, instance_uuid)
        if selection is None:
            for made in selections:
                claims.release(made.instance_uuid)
            if index:  # explain the starting point: the claims made so far are released
                decision = Decision(spec, decision.now)
                decision.load_group_members()
            detail = summary(decision, enabled_filters())
            if index:
                detail = f"Placed {index} of {len(spec.instance_uuids)} instances before running out of hosts. {detail}"
            message = "No valid host was found. " + (detail or "There are not enough hosts available.")
            log.warning("%s (request for %s)", message, ", ".join(spec.instance_uuids))
            raise NoValidHost(message)
        selections.append(selection)
    return selections


def select_destinations(spec: RequestSpec) -> list[Selection]:
    """Place every instance of the request, claiming each pick. All or nothing: if any
    instance cannot be placed, the claims made for the others are released and NoValidHost
    is raised."""
    decision = Decision(spec)
    group = decision.group
    with groups.serialised(group) if group is not None and group.hard else nullcontext():
        decision.load_group_members()  # after taking the lock: sees every earlier placement
        return _place(decision)
