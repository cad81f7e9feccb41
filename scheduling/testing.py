"""Builders for scheduler tests and benchmarks: hosts, aggregates, groups and request specs
with the fewest words. Not used by the scheduler itself."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from core.ids import require_uuid
from hosts.heartbeats import record_compute_report
from hosts.models import Aggregate, AggregateHost, ComputeNode
from servers.models import Server, ServerGroup, ServerGroupMember

from .request import RequestSpec

TINY = {"flavorid": "1", "name": "tiny", "vcpus": 1, "memory_mb": 512, "root_gb": 1, "ephemeral_gb": 0, "swap": 0}


def flavor(**changes: object) -> dict[str, Any]:
    """TINY with some fields changed, e.g. flavor(memory_mb=2048, extra_specs={...})."""
    return {**TINY, **changes}


def make_host(
    name: str,
    *,
    vcpus: int = 4,
    memory_mb: int = 4096,
    disk_gb: int = 40,
    zone: str | None = None,
    hypervisor_type: str = "QEMU",
    arch: str = "x86_64",
) -> ComputeNode:
    """A compute host as its worker would report it: up, enabled, ratios 1.0, nothing reserved."""
    node = record_compute_report(
        name,
        {
            "vcpus": vcpus,
            "memory_mb": memory_mb,
            "disk_gb": disk_gb,
            "hypervisor_type": hypervisor_type,
            "cpu_info": json.dumps({"arch": arch, "features": ["avx2", "sse4_2"], "topology": {"cores": vcpus}}),
        },
    )
    ComputeNode.objects.filter(pk=node.pk).update(
        reserved_host_memory_mb=0,
        cpu_allocation_ratio=1.0,
        ram_allocation_ratio=1.0,
        disk_allocation_ratio=1.0,
    )
    if zone:
        add_to_aggregate(name, zone, availability_zone=zone)
    node.refresh_from_db()
    return node


def add_to_aggregate(host: str, aggregate: str, **metadata: object) -> Aggregate:
    """Put `host` in the named aggregate (created if needed, metadata merged)."""
    found = Aggregate.objects.filter(name=aggregate).first() or Aggregate(name=aggregate)
    if metadata:
        found.metadata = {**found.metadata, **{k: str(v) for k, v in metadata.items()}}
    found.save()
    AggregateHost.objects.get_or_create(aggregate=found, host=host)
    return found


def make_spec(count: int = 1, flavor: dict[str, Any] = TINY, *, project: str = "p1", **fields: Any) -> RequestSpec:
    """A request for `count` new instances of `flavor` by project `project`, user u1."""
    return RequestSpec([str(uuid.uuid4()) for _ in range(count)], project, "u1", flavor, **fields)


def make_server(
    host: str | None = None, *, task_state: str | None = None, project: str = "p1", server_uuid: str | None = None
) -> Server:
    server = Server(
        name="vm", project_id=project, user_id="u1", flavor=TINY, host=host, node=host, task_state=task_state
    )
    if server_uuid:
        server.uuid = require_uuid(server_uuid, ValueError(f"not a UUID: {server_uuid}"))
    server.save()
    return server


def make_group(policy: str, on_hosts: Iterable[str | None] = (), *, rules: dict[str, Any] | None = None) -> ServerGroup:
    """A server group with one member server on each of `on_hosts`."""
    group = ServerGroup.objects.create(name=policy, project_id="p1", user_id="u1", policy=policy, rules=rules or {})
    for host in on_hosts:
        ServerGroupMember.objects.create(group=group, server=make_server(host))
    return group


def group_spec(group: ServerGroup, count: int = 1, flavor: dict[str, Any] = TINY, **fields: Any) -> RequestSpec:
    """A request for `count` new members of `group` (their Server rows exist, as the API makes them)."""
    spec = make_spec(count, flavor, scheduler_hints={"group": str(group.uuid)}, **fields)
    for instance_uuid in spec.instance_uuids:
        ServerGroupMember.objects.create(group=group, server=make_server(server_uuid=instance_uuid))
    return spec
