"""osc-placement, the `openstack resource provider ...` commands (and the client Horizon's
resource provider tab mirrors), against the live API: the compute nodes with their
inventories and usages, found through the token's catalog."""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from hosts.heartbeats import record_compute_report
from hosts.models import ComputeNode
from novasite.demo import seed
from scheduling.claims import Resources, claim

from .acceptance.helpers import OPENSTACK, openrc


def claim_on(provider: str, resources: Resources) -> bool:
    """A claim as the scheduler makes it, for a new consumer, on the provider's node."""
    node = ComputeNode.objects.get(uuid=provider)
    return claim(node.id, str(uuid.uuid4()), resources, project_id="p", user_id="u")


def openstack(base_url: str, *args: str) -> object:
    done = subprocess.run(
        [OPENSTACK, *args, "-f", "json"], env=openrc(base_url), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def cloud_url(live_server, transactional_db, settings, tmp_path) -> str:
    settings.IMAGE_DIR = str(tmp_path / "images")
    seed("secret", "secret")
    report = {"vcpus": 4, "memory_mb": 8192, "disk_gb": 100, "hypervisor_type": "QEMU", "host_ip": "10.0.0.1"}
    for host in ("compute1", "compute2"):
        record_compute_report(host, report)
    return str(live_server.url)


def test_resource_provider_list_inventories_and_usages(cloud_url):
    listed = openstack(cloud_url, "resource", "provider", "list")
    assert isinstance(listed, list)
    assert sorted((row["name"], row["generation"]) for row in listed) == [("compute1", 0), ("compute2", 0)]
    first = next(row["uuid"] for row in listed if row["name"] == "compute1")
    assert claim_on(first, Resources(2, 2048, 20))

    inventory = openstack(cloud_url, "resource", "provider", "inventory", "list", first)
    assert isinstance(inventory, list)
    by_class = {row["resource_class"]: row for row in inventory}
    assert set(by_class) == {"VCPU", "MEMORY_MB", "DISK_GB"}
    assert (by_class["VCPU"]["total"], by_class["MEMORY_MB"]["total"], by_class["DISK_GB"]["total"]) == (4, 8192, 100)
    assert by_class["VCPU"]["used"] == 2 and by_class["DISK_GB"]["used"] == 20  # from the usages

    usages = openstack(cloud_url, "resource", "provider", "usage", "show", first)
    assert isinstance(usages, list)
    assert {row["resource_class"]: row["usage"] for row in usages} == {"VCPU": 2, "MEMORY_MB": 2048, "DISK_GB": 20}
