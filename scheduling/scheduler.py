"""Filter, weigh and claim: the placement decision.

One SQL query applies every filter's `narrow` (resources, enabled + up service, zone, ...);
Python filters and weighers run only on what it returns; the best host is then claimed
atomically (scheduling.claims). If another scheduler took the room first, the next host is
tried. A multi-create is one decision: each pick is claimed and the in-memory view updated
before the next instance is placed.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from hosts.models import Allocation, ComputeNode

from . import claims
from .filters.base import BaseFilter
from .request import RequestSpec
from .weighers.base import BaseWeigher, normalise

log = logging.getLogger(__name__)


class NoValidHost(Exception):
    """No host can take the request; the message says which filter removed how many hosts."""


@dataclass
class Selection:
    """Where one instance goes: the claimed host and the alternates to retry on."""

    instance_uuid: str
    host: str
    node: str
    compute_node_id: int
    alternates: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=None)
def _load(paths: tuple[str, ...]) -> tuple:
    return tuple(import_string(path)() for path in paths)


def enabled_filters() -> tuple[BaseFilter, ...]:
    return _load(tuple(settings.SCHEDULER_FILTERS))


def enabled_weighers() -> tuple[BaseWeigher, ...]:
    return _load(tuple(settings.SCHEDULER_WEIGHERS))


def _candidates(spec: RequestSpec) -> list[ComputeNode]:
    query = ComputeNode.objects.select_related("service")
    for host_filter in enabled_filters():
        query = host_filter.narrow(query, spec)
    nodes = list(query)
    for host_filter in enabled_filters():
        nodes = [node for node in nodes if host_filter.host_passes(node, spec)]
    return nodes


def _weighed(nodes: list[ComputeNode], spec: RequestSpec) -> list[ComputeNode]:
    """Nodes ordered best first: sum of normalised weights times multipliers; ties by name so
    that the order is stable."""
    totals = [0.0] * len(nodes)
    for weigher in enabled_weighers():
        multiplier = getattr(settings, weigher.multiplier_setting, 1.0)
        if not multiplier:
            continue
        for index, value in enumerate(normalise([weigher.raw(node, spec) for node in nodes])):
            totals[index] += multiplier * value
    order = sorted(range(len(nodes)), key=lambda i: (-totals[i], nodes[i].host))
    return [nodes[i] for i in order]


def explain(spec: RequestSpec) -> str:
    """How many hosts each filter removed, e.g. "ComputeFilter removed 2 of 5; ..."."""
    query = ComputeNode.objects.select_related("service")
    remaining = query.count()
    parts = []
    for host_filter in enabled_filters():
        query = host_filter.narrow(query, spec)
        left = query.count()
        if left != remaining:
            parts.append(f"{host_filter.name} removed {remaining - left} of {remaining}")
        remaining = left
    nodes = list(query)
    for host_filter in enabled_filters():
        kept = [node for node in nodes if host_filter.host_passes(node, spec)]
        if len(kept) != len(nodes):
            parts.append(f"{host_filter.name} removed {len(nodes) - len(kept)} of {len(nodes)}")
        nodes = kept
    return "; ".join(parts)


def _consume(node: ComputeNode, res: claims.Resources) -> None:
    """Update the in-memory view after a claim so later picks in this decision see it."""
    node.vcpus_used += res.vcpus
    node.memory_mb_used += res.memory_mb
    node.local_gb_used += res.disk_gb


def _fits(node: ComputeNode, res: claims.Resources) -> bool:
    return (
        node.vcpus_used + res.vcpus <= node.vcpus_capacity
        and node.memory_mb_used + res.memory_mb <= node.memory_mb_capacity
        and node.local_gb_used + res.disk_gb <= node.local_gb_capacity
    )


def select_destinations(spec: RequestSpec) -> list[Selection]:
    """Place every instance of the request, claiming each pick. All or nothing: if any
    instance cannot be placed, the claims made for the others are released and NoValidHost
    is raised."""
    res = spec.resources
    nodes = _candidates(spec)
    alternates_wanted = max(settings.MAX_ATTEMPTS - 1, 0)
    selections: list[Selection] = []
    # A redelivered request must not claim twice: instances that already hold an allocation
    # keep it.
    held = dict(
        Allocation.objects.filter(consumer__in=spec.instance_uuids).values_list("consumer", "compute_node_id")
    )
    for instance_uuid in spec.instance_uuids:
        chosen = None
        ranked = _weighed([node for node in nodes if _fits(node, res)], spec)
        held_node = held.get(uuid.UUID(str(instance_uuid)))
        if held_node is not None:
            ranked = [ComputeNode.objects.select_related("service").get(pk=held_node)] + [
                node for node in ranked if node.pk != held_node
            ]
        for node in ranked:
            if claims.claim(node.pk, instance_uuid, res, project_id=spec.project_id, user_id=spec.user_id):
                chosen = node
                break
            log.info("claim on %s lost to a concurrent request; trying the next host", node.host)
            node.refresh_from_db()
        if chosen is None:
            for selection in selections:
                claims.release(selection.instance_uuid)
            detail = explain(spec)
            raise NoValidHost("No valid host was found. " + (detail or "There are not enough hosts available."))
        _consume(chosen, res)
        alternates = [
            {"host": node.host, "node": node.hypervisor_hostname, "compute_node_id": node.pk}
            for node in ranked
            if node.pk != chosen.pk
        ][:alternates_wanted]
        selections.append(Selection(instance_uuid, chosen.host, chosen.hypervisor_hostname, chosen.pk, alternates))
    return selections
