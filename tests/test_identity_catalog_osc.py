"""The real `openstack` command against the live Identity API: `region list/show/create`,
`service list`, `endpoint list/create` and `catalog list/show` tell what the catalog's rows
hold, and a region and endpoint an admin creates appear in the next token's catalog."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from novasite.demo import seed

from .acceptance.helpers import OPENSTACK, openrc

OWN = {"identity", "compute", "image", "network", "placement", "volumev3"}


def openstack(base_url: str, *args: str, user: str = "admin") -> Any:
    env = openrc(base_url, user=user, project=user)
    done = subprocess.run([OPENSTACK, *args, "-f", "json"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"openstack {' '.join(args)}: {done.stderr}"
    return json.loads(done.stdout)


@pytest.fixture
def cloud_url(live_server, transactional_db, settings, tmp_path) -> str:
    settings.IMAGE_DIR = str(tmp_path / "images")
    seed("secret", "secret")
    return str(live_server.url)


def test_regions_endpoints_and_the_catalog_with_the_cli(cloud_url):
    regions = openstack(cloud_url, "region", "list", user="demo")  # any token reads regions
    assert regions == [{"Region": "RegionOne", "Parent Region": None, "Description": ""}]
    assert openstack(cloud_url, "region", "show", "RegionOne")["region"] == "RegionOne"

    endpoints = openstack(cloud_url, "endpoint", "list")
    assert isinstance(endpoints, list)
    assert {row["Service Type"] for row in endpoints} == OWN
    assert {(row["Region"], row["Interface"], row["Enabled"]) for row in endpoints} == {("RegionOne", "public", True)}
    compute = openstack(cloud_url, "endpoint", "list", "--service", "compute", "--interface", "public")
    assert [row["URL"] for row in compute] == ["$(public_endpoint)s/compute/v2.1"]  # as registered

    catalog = openstack(cloud_url, "catalog", "list")
    assert isinstance(catalog, list)
    assert {row["Type"] for row in catalog} == OWN
    shown = openstack(cloud_url, "catalog", "show", "compute")
    assert shown["endpoints"] == [
        {"id": shown["endpoints"][0]["id"], "interface": "public", "region_id": "RegionOne",
         "url": f"{cloud_url}/compute/v2.1", "region": "RegionOne"}
    ]  # fmt: skip

    created = openstack(cloud_url, "region", "create", "--description", "the second site", "RegionTwo")
    assert (created["region"], created["description"]) == ("RegionTwo", "the second site")
    child = openstack(cloud_url, "region", "create", "--parent-region", "RegionTwo", "RegionTwoEdge")
    assert child["parent_region"] == "RegionTwo"
    endpoint = openstack(
        cloud_url,
        "endpoint",
        "create",
        "--region",
        "RegionTwo",
        "compute",
        "public",
        "http://127.0.0.2:8100/compute/v2.1",
    )
    assert (endpoint["region"], endpoint["service_type"], endpoint["interface"]) == ("RegionTwo", "compute", "public")
    listed = openstack(cloud_url, "endpoint", "list", "--region", "RegionTwo")
    assert [(row["ID"], row["URL"]) for row in listed] == [(endpoint["id"], "http://127.0.0.2:8100/compute/v2.1")]

    # A new token's catalog (each `openstack` run logs in afresh) has RegionTwo's endpoint.
    shown = openstack(cloud_url, "catalog", "show", "compute")
    by_region = {row["region_id"]: row["url"] for row in shown["endpoints"]}
    assert by_region == {"RegionOne": f"{cloud_url}/compute/v2.1", "RegionTwo": "http://127.0.0.2:8100/compute/v2.1"}
    listed_regions = openstack(cloud_url, "region", "list")
    assert {row["Region"]: row["Parent Region"] for row in listed_regions} == {
        "RegionOne": None,
        "RegionTwo": None,
        "RegionTwoEdge": "RegionTwo",
    }


def test_a_member_may_not_change_the_catalog(cloud_url):
    env = openrc(cloud_url, user="demo", project="demo")
    done = subprocess.run(
        [OPENSTACK, "region", "create", "Elsewhere"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0 and "403" in done.stderr, done.stderr
    done = subprocess.run([OPENSTACK, "endpoint", "list"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "403" in done.stderr, done.stderr


def test_availability_zones_are_those_of_the_region_the_client_names(cloud_url):
    """A region is a control plane of its own: the zones (and the aggregates behind them) the
    client lists are those of the region whose compute endpoint it picked from the catalog."""
    from hosts.heartbeats import record_compute_report

    report = {"vcpus": 4, "memory_mb": 8192, "disk_gb": 100, "hypervisor_type": "QEMU", "host_ip": "10.0.0.1"}
    for host in ("compute1", "compute3"):
        record_compute_report(host, report)
    rows = openstack(cloud_url, "--os-region-name", "RegionOne", "availability", "zone", "list", "--compute", "--long")
    assert isinstance(rows, list)
    assert {(row["Zone Name"], row["Host Name"], row["Service Name"]) for row in rows} == {
        ("nova", "compute1", "nova-compute"),
        ("az2", "compute3", "nova-compute"),
    }
    assert set(rows[0]) == {"Zone Name", "Zone Status", "Zone Resource", "Host Name", "Service Name", "Service Status"}

    openstack(cloud_url, "region", "create", "RegionTwo")  # a region with no compute endpoint (yet)
    env = {key: value for key, value in openrc(cloud_url).items() if key != "OS_REGION_NAME"}
    argv = [OPENSTACK, "--os-region-name", "RegionTwo", "availability", "zone", "list", "--compute"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0, done.stdout
    assert "RegionTwo" in done.stderr and "compute" in done.stderr, done.stderr
