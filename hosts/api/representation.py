"""Wire bodies of the host admin resources (aggregates, services, hypervisors), per
microversion: aggregate `uuid` from 2.41; service and hypervisor ids are UUIDs from 2.53 and
integers below; `forced_down` from 2.11; hypervisor usage statistics until 2.87 and `uptime`
from 2.88; `cpu_info` a dict from 2.28, a JSON string below; a hypervisor's `servers` when
asked for (an empty list too from 2.75)."""

from __future__ import annotations

import json
from typing import Any

from core import microversions as mv
from core.microversions import Microversion
from core.timestamps import micro
from hosts.heartbeats import is_up
from hosts.models import Aggregate, ComputeNode, Service
from hosts.services.hypervisors import Hypervisor, current_uptime
from hosts.zones import zone_of_service


def aggregate_body(aggregate: Aggregate, version: Microversion, *, members: bool = True) -> dict[str, Any]:
    """An aggregate; `members` (all but the create answer, as Nova's) adds hosts and metadata."""
    body: dict[str, Any] = {
        "id": aggregate.pk,
        "name": aggregate.name,
        "availability_zone": aggregate.availability_zone,
        "created_at": micro(aggregate.created_at),
        "updated_at": micro(aggregate.updated_at),
        "deleted_at": None,
        "deleted": False,
    }
    if members:
        body["hosts"] = sorted(member.host for member in aggregate.hosts.all())
        body["metadata"] = dict(aggregate.metadata or {})
    if version >= mv.AGGREGATE_UUID:
        body["uuid"] = str(aggregate.uuid)
    return body


def service_id(service: Service, version: Microversion) -> str | int:
    """A Service record's id on the wire: its UUID from 2.53, its integer id below."""
    return str(service.uuid) if version >= mv.UUID_IDS else service.pk


def service_body(service: Service, version: Microversion, zones: dict[str, str]) -> dict[str, Any]:
    """A Service record; `zones` is hosts.zones.zones_by_host()."""
    body: dict[str, Any] = {
        "id": service_id(service, version),
        "binary": service.binary,
        "host": service.host,
        "zone": zone_of_service(service, zones),
        "status": "disabled" if service.disabled else "enabled",
        "state": "up" if is_up(service) else "down",
        "updated_at": micro(service.updated_at),
        "disabled_reason": service.disabled_reason,
    }
    if version >= mv.SERVICE_FORCED_DOWN:
        body["forced_down"] = service.forced_down
    return body


def hypervisor_id(node: ComputeNode, version: Microversion) -> str | int:
    """A hypervisor's id on the wire: its UUID from 2.53, its integer id below."""
    return str(node.uuid) if version >= mv.UUID_IDS else node.pk


def _state_and_status(node: ComputeNode) -> dict[str, str]:
    service = node.service
    return {
        "state": "up" if service is not None and is_up(service) else "down",
        "status": "disabled" if service is not None and service.disabled else "enabled",
    }


def _with_servers(body: dict[str, Any], hypervisor: Hypervisor, version: Microversion) -> dict[str, Any]:
    """A hypervisor's servers when they were asked for: only when it has some before 2.75,
    an empty list too from 2.75 (Nova's)."""
    servers = hypervisor.servers
    if servers or (servers is not None and version >= mv.API_CONSISTENCY):
        body["servers"] = [{"uuid": server.uuid, "name": server.name} for server in servers]
    return body


def hypervisor_brief(hypervisor: Hypervisor, version: Microversion) -> dict[str, Any]:
    """A hypervisor as GET /os-hypervisors lists it (and its servers when they were asked for)."""
    node = hypervisor.node
    body = {"id": hypervisor_id(node, version), "hypervisor_hostname": node.hypervisor_hostname}
    return _with_servers({**body, **_state_and_status(node)}, hypervisor, version)


def hypervisor_uptime(hypervisor: Hypervisor, version: Microversion) -> dict[str, Any]:
    """GET /os-hypervisors/{id}/uptime (until 2.87): the brief fields and the host's uptime."""
    node = hypervisor.node
    body = {"id": hypervisor_id(node, version), "hypervisor_hostname": node.hypervisor_hostname}
    return {**body, **_state_and_status(node), "uptime": node.uptime}


def cpu_info(node: ComputeNode, version: Microversion) -> dict[str, Any] | str:
    """The host's CPU description: an object from 2.28, the JSON text below."""
    if version < mv.HYPERVISOR_CPU_INFO_OBJECT:
        return node.cpu_info or "{}"
    try:
        value = json.loads(node.cpu_info or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def hypervisor_detail(hypervisor: Hypervisor, version: Microversion) -> dict[str, Any]:
    """A hypervisor in full: usage and cpu_info until 2.87, `uptime` from 2.88."""
    node, service = hypervisor.node, hypervisor.node.service
    body: dict[str, Any] = {
        "id": hypervisor_id(node, version),
        "hypervisor_hostname": node.hypervisor_hostname,
        **_state_and_status(node),
        "hypervisor_type": node.hypervisor_type,
        "hypervisor_version": node.hypervisor_version,
        "host_ip": node.host_ip,
        "service": {
            "id": service_id(service, version) if service is not None else None,
            "host": node.host,
            "disabled_reason": service.disabled_reason if service is not None else None,
        },
    }
    if version >= mv.HYPERVISOR_STATISTICS_REMOVED:
        body["uptime"] = current_uptime(node)
        return _with_servers(body, hypervisor, version)
    free_disk = node.local_gb - node.local_gb_used
    body.update(
        {
            "vcpus": node.vcpus,
            "memory_mb": node.memory_mb,
            "local_gb": node.local_gb,
            "vcpus_used": node.vcpus_used,
            "memory_mb_used": node.memory_mb_used,
            "local_gb_used": node.local_gb_used,
            "free_ram_mb": node.memory_mb - node.memory_mb_used,
            "free_disk_gb": free_disk,
            "current_workload": hypervisor.workload,
            "running_vms": node.running_vms,
            "disk_available_least": free_disk,
            "cpu_info": cpu_info(node, version),
        }
    )
    return _with_servers(body, hypervisor, version)
