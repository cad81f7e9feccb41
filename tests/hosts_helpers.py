"""Compute hosts for the os-services and os-hypervisors tests: reports as a worker sends them,
the `hosts` fixture (three computes and a control host) and servers placed on them."""

from __future__ import annotations

import json

import pytest

from hosts.heartbeats import record_compute_report, record_heartbeat
from hosts.models import ComputeNode
from servers.models import Server

__all__ = ["hosts", "mv", "report", "server_on"]


def mv(version: str) -> dict:
    return {"HTTP_OPENSTACK_API_VERSION": f"compute {version}"}


def report(host: str) -> ComputeNode:
    return record_compute_report(
        host,
        {
            "vcpus": 8,
            "memory_mb": 16384,
            "disk_gb": 200,
            "hypervisor_type": "QEMU",
            "hypervisor_version": 8002000,
            "cpu_info": json.dumps({"arch": "x86_64"}),
            "host_ip": "10.0.0.1",
        },
    )


@pytest.fixture
def hosts(cloud):
    nodes = {host: report(host) for host in ("compute1", "compute2", "compute3")}
    record_heartbeat("ctl1", "nova-conductor")
    record_heartbeat("ctl1", "nova-scheduler")
    return nodes


def server_on(host: str, **fields) -> Server:
    return Server.objects.create(
        name=f"vm-{host}",
        project_id="p",
        user_id="u",
        host=host,
        node=host,
        flavor={"flavorid": "42", "vcpus": 1, "memory_mb": 128},
        vm_state="active",
        **fields,
    )
