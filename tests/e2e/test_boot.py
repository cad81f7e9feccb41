"""End to end over HTTP with real workers: boot, list, delete; NoValidHost; a compute worker
with no database reachable."""

from __future__ import annotations

import psycopg2
import pytest

from hosts.models import Allocation, ComputeNode
from novasite.demo import CIRROS_IMAGE_ID
from servers.models import Flavor, InstanceAction, QuotaUsage, Server

from .cloud import UNREACHABLE_DATABASE_URL
from .helpers import boot

pytestmark = pytest.mark.e2e


def test_boot_list_and_delete(admin, demo):
    network = demo.get("/network/v2.0/networks", params={"name": "provider"}).json()["networks"][0]
    server_id = boot(demo, networks=[{"uuid": network["id"]}])
    server = demo.wait_until_settled(server_id)
    assert server["status"] == "ACTIVE"
    assert server["OS-EXT-STS:vm_state"] == "active"
    assert server["OS-EXT-STS:power_state"] == 1
    assert server["OS-SRV-USG:launched_at"]
    assert server["OS-EXT-AZ:availability_zone"] == "nova"
    [address] = server["addresses"]["provider"]
    assert address["addr"].startswith("203.0.113.") and address["OS-EXT-IPS-MAC:mac_addr"].startswith("fa:16:3e")

    as_admin = admin.server(server_id)
    host = as_admin["OS-EXT-SRV-ATTR:host"]
    assert host in ("compute1", "compute2")
    allocation = Allocation.objects.get(consumer=server_id)
    assert allocation.compute_node.host == host and (allocation.vcpus, allocation.memory_mb) == (1, 128)
    events = {
        e.event: e.result for e in InstanceAction.objects.get(server__uuid=server_id, action="create").events.all()
    }
    assert events == {"conductor_schedule_and_build_instances": "Success", "compute_build_and_run_instance": "Success"}

    listed = demo.get("/compute/v2.1/servers").json()["servers"]
    assert [s["id"] for s in listed] == [server_id]
    detail = demo.get("/compute/v2.1/servers/detail").json()["servers"]
    assert detail[0]["status"] == "ACTIVE"
    assert admin.get("/compute/v2.1/servers", params={"all_tenants": "1"}).json()["servers"][0]["id"] == server_id

    assert demo.delete(f"/compute/v2.1/servers/{server_id}").status_code == 204
    demo.wait_until_gone(server_id)
    gone = Server.objects.get(uuid=server_id)
    assert (gone.vm_state, gone.task_state, gone.deleted) == ("deleted", None, True)
    assert not Allocation.objects.filter(consumer=server_id).exists()
    node = ComputeNode.objects.get(host=host)
    assert (node.vcpus_used, node.memory_mb_used, node.running_vms) == (0, 0, 0)
    assert set(QuotaUsage.objects.filter(project_id=gone.project_id).values_list("in_use", flat=True)) == {0}
    assert demo.get("/compute/v2.1/servers").json()["servers"] == []


def boot_one_by_one(api, count: int, prefix: str) -> list[tuple[str, str]]:
    """Boot `count` servers, each after the previous one is ACTIVE (so each decision sees the
    last claim); returns (id, host) pairs."""
    placed = []
    for index in range(count):
        server_id = boot(api, name=f"{prefix}{index}")
        placed.append((server_id, api.wait_until_settled(server_id)["OS-EXT-SRV-ATTR:host"]))
    return placed


def test_servers_spread_over_both_hosts(admin):
    placed = boot_one_by_one(admin, 4, "spread")
    ids = [server_id for server_id, _ in placed]
    hosts = [host for _, host in placed]
    assert sorted(hosts) == ["compute1", "compute1", "compute2", "compute2"]
    for server_id in ids:
        assert admin.delete(f"/compute/v2.1/servers/{server_id}").status_code == 204
    for server_id in ids:
        admin.wait_until_gone(server_id)
    assert not Allocation.objects.exists()


def test_multi_create_boots_every_server(admin):
    response = admin.post(
        "/compute/v2.1/servers",
        {
            "server": {
                "name": "many",
                "imageRef": str(CIRROS_IMAGE_ID),
                "flavorRef": "42",
                "networks": [],
                "min_count": 3,
                "max_count": 3,
            }
        },
    )
    assert response.status_code == 202
    servers = Server.objects.filter(reservation_id__startswith="r-").order_by("launch_index")
    assert [s.name for s in servers] == ["many-1", "many-2", "many-3"]
    for server in servers:
        assert admin.wait_until_settled(str(server.uuid))["status"] == "ACTIVE"


def test_no_valid_host(admin):
    # Within quota (51200 MB) but larger than any host (4096 MB).
    Flavor.objects.create(flavorid="huge", name="huge", vcpus=1, memory_mb=40000, root_gb=1)
    server_id = boot(admin, flavor="huge")
    server = admin.wait_until_settled(server_id)
    assert server["status"] == "ERROR"
    assert server["OS-EXT-STS:vm_state"] == "error" and server["OS-EXT-STS:task_state"] is None
    assert "No valid host was found" in server["fault"]["message"]
    assert "ResourceFitFilter removed 2 of 2" in server["fault"]["message"]
    assert server["OS-EXT-SRV-ATTR:host"] is None
    assert not Allocation.objects.filter(consumer=server_id).exists()
    # An ERROR server can be deleted, and its quota comes back.
    assert admin.delete(f"/compute/v2.1/servers/{server_id}").status_code == 204
    admin.wait_until_gone(server_id)
    assert set(QuotaUsage.objects.values_list("in_use", flat=True)) == {0}


def test_compute_workers_boot_with_no_database_reachable(admin, cloud):
    # The compute workers run with a DATABASE_URL that cannot be connected to ...
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(UNREACHABLE_DATABASE_URL, connect_timeout=2)
    for host in ("compute1", "compute2"):
        assert cloud.workers[host].process.poll() is None
    # ... and yet servers boot on each of them.
    hosts = {host for _, host in boot_one_by_one(admin, 2, "nodb")}
    assert hosts == {"compute1", "compute2"}
    for host in hosts:
        log = cloud.workers[host].output()
        assert "OperationalError" not in log and "unreachable" not in log


def test_an_admin_boots_on_the_host_it_names(admin):
    """2.74: the scheduler places each server on the named host, where it would have spread them."""
    headers = {"OpenStack-API-Version": "compute 2.74"}
    for host in ("compute2", "compute2", "compute2"):  # spreading alone would never stack them
        body = {
            "server": {
                "name": f"on-{host}",
                "imageRef": str(CIRROS_IMAGE_ID),
                "flavorRef": "42",
                "networks": "none",
                "host": host,
            }
        }
        response = admin.post("/compute/v2.1/servers", body, headers=headers)
        assert response.status_code == 202, response.text
        server = admin.wait_until_settled(response.json()["server"]["id"])
        assert server["status"] == "ACTIVE" and server["OS-EXT-SRV-ATTR:host"] == host
