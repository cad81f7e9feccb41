"""Wire bodies of the host admin resources (aggregates, services, hypervisors), per
microversion: aggregate `uuid` from 2.41; service and hypervisor ids are UUIDs from 2.53 and
integers below; `forced_down` from 2.11; hypervisor usage statistics until 2.87 and `uptime`
from 2.88; `cpu_info` a dict from 2.28, a JSON string below."""

from __future__ import annotations

import json
from datetime import datetime

from django.conf import settings
from rest_framework import exceptions

from hosts.heartbeats import is_up
from hosts.models import Aggregate, ComputeNode, Service

Version = tuple[int, int]


def iso(value: datetime | None) -> str | None:
    """Nova's timestamp format for these resources (microseconds, no zone)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def body_object(data: object, key: str) -> dict:
    """`data[key]`, which must be an object (400 otherwise)."""
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise exceptions.ValidationError(f"Invalid input: the request body must be an object with a '{key}' object.")
    return data[key]


def aggregate_body(aggregate: Aggregate, version: Version) -> dict:
    """An aggregate, complete (hosts and metadata included)."""
    body = {
        "id": aggregate.pk,
        "name": aggregate.name,
        "availability_zone": aggregate.availability_zone,
        "hosts": sorted(member.host for member in aggregate.hosts.all()),
        "metadata": dict(aggregate.metadata or {}),
        "created_at": iso(aggregate.created_at),
        "updated_at": iso(aggregate.updated_at),
        "deleted_at": None,
        "deleted": False,
    }
    if version >= (2, 41):
        body["uuid"] = str(aggregate.uuid)
    return body


def service_id(service: Service, version: Version) -> str | int:
    return str(service.uuid) if version >= (2, 53) else service.pk


def service_zone(service: Service, zones: dict[str, str]) -> str:
    """A compute service's zone is its host's; control services are in the internal zone."""
    if service.binary == "nova-compute":
        return zones.get(service.host, settings.DEFAULT_AVAILABILITY_ZONE)
    return settings.INTERNAL_SERVICE_AVAILABILITY_ZONE


def service_body(service: Service, version: Version, zones: dict[str, str]) -> dict:
    body = {
        "id": service_id(service, version),
        "binary": service.binary,
        "host": service.host,
        "zone": service_zone(service, zones),
        "status": "disabled" if service.disabled else "enabled",
        "state": "up" if is_up(service) else "down",
        "updated_at": iso(service.updated_at),
        "disabled_reason": service.disabled_reason,
    }
    if version >= (2, 11):
        body["forced_down"] = service.forced_down
    return body


def hypervisor_id(node: ComputeNode, version: Version) -> str | int:
    return str(node.uuid) if version >= (2, 53) else node.pk


def _state_and_status(node: ComputeNode) -> dict:
    service = node.service
    return {
        "state": "up" if service is not None and is_up(service) else "down",
        "status": "disabled" if service is not None and service.disabled else "enabled",
    }


def hypervisor_brief(node: ComputeNode, version: Version) -> dict:
    return {
        "id": hypervisor_id(node, version),
        "hypervisor_hostname": node.hypervisor_hostname,
        **_state_and_status(node),
    }


def cpu_info(node: ComputeNode, version: Version) -> dict | str:
    if version < (2, 28):
        return node.cpu_info or "{}"
    try:
        value = json.loads(node.cpu_info or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def hypervisor_detail(node: ComputeNode, version: Version, workload: int = 0) -> dict:
    """A hypervisor in full; `workload` is the number of its servers with a task running."""
    service = node.service
    body = {
        **hypervisor_brief(node, version),
        "hypervisor_type": node.hypervisor_type,
        "hypervisor_version": node.hypervisor_version,
        "host_ip": node.host_ip,
        "service": {
            "id": service_id(service, version) if service is not None else None,
            "host": node.host,
            "disabled_reason": service.disabled_reason if service is not None else None,
        },
    }
    if version >= (2, 88):
        body["uptime"] = None
        return body
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
            "current_workload": workload,
            "running_vms": node.running_vms,
            "disk_available_least": free_disk,
            "cpu_info": cpu_info(node, version),
        }
    )
    return body


def int_id(value: object) -> int | None:
    """`value` as a database integer id, or None when it is not one (not digits, too big)."""
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 10 or int(text) > 2**31 - 1:
        return None
    return int(text)
