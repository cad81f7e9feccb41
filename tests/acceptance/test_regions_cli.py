"""Two regions on one machine, driven with the real `openstack` command (issue 13): RegionOne is
the test's live cloud (its identity is the only one), RegionTwo a second control plane with its
own database, broker prefix, conductor, scheduler and host r2-compute1, registered in
RegionOne's catalog by its seed. The client picks the region with ``--os-region-name``."""

from __future__ import annotations

import subprocess
import time

import pytest

from tests.acceptance.helpers import OPENSTACK, CommandFailed, Lab, rows_by
from tests.e2e.cloud import Api
from tests.regions import RegionTwo, start_region_two

BOOT = ("--flavor", "cirros", "--image", "cirros", "--network", "provider", "--wait")


@pytest.fixture(scope="module")
def compute_hosts() -> dict[str, str]:
    """RegionOne runs one host (compute1): the machine runs both regions' processes."""
    return {"compute1": ""}


@pytest.fixture
def region_two(cloud, live_server, tmp_path):
    """RegionTwo, registered at the live cloud's identity and running; removed afterwards."""
    region = start_region_two(cloud.base_env, tmp_path / "r2", f"{live_server.url}/identity/v3", ("r2-compute1",))
    yield region
    region.remove()


class Regions(Lab):
    """A lab whose every command names its region, as a user of two regions would (no
    OS_REGION_NAME: openstacksdk takes it as the list of regions a command may name)."""

    def __init__(self, base_url: str, api: Api) -> None:
        super().__init__(base_url, api)
        del self.env["OS_REGION_NAME"]

    def in_region(self, region: str, *args: str, **kwargs):
        return self.osc("--os-region-name", region, *args, **kwargs)


def test_two_regions_with_the_openstack_cli(cloud, live_server, admin, region_two: RegionTwo) -> None:
    lab = Regions(live_server.url, admin)
    r2_admin = Api(region_two.url, str(admin.session.headers["X-Auth-Token"]))
    servers: dict[str, str] = {}

    with lab.step("region list and endpoint list show both regions"):
        assert {row["Region"] for row in lab.osc("region", "list")} >= {"RegionOne", "RegionTwo"}
        computes = lab.osc("endpoint", "list", "--service", "compute")
        by_region = rows_by(computes, "Region")
        assert set(by_region) == {"RegionOne", "RegionTwo"}, computes
        assert by_region["RegionTwo"]["URL"] == f"{region_two.url}/compute/v2.1"
        identities = rows_by(lab.osc("endpoint", "list", "--service", "identity"), "Region")
        # RegionTwo's identity endpoint is RegionOne's Keystone, never RegionTwo's own address.
        assert identities["RegionTwo"]["URL"] == f"{live_server.url}/identity", identities
        own = r2_admin.get("/identity/v3")
        assert own.status_code == 404 and live_server.url in own.json()["error"]["message"], own.text

    with lab.step("a boot in RegionTwo lands on RegionTwo's host"):
        server = lab.in_region("RegionTwo", "server", "create", *BOOT, "r2-vm")
        assert server["status"] == "ACTIVE", server
        assert server["OS-EXT-SRV-ATTR:host"] == "r2-compute1", server
        servers["RegionTwo"] = server["id"]

    with lab.step("a boot in RegionOne lands on RegionOne's host"):
        server = lab.in_region("RegionOne", "server", "create", *BOOT, "r1-vm")
        assert server["status"] == "ACTIVE", server
        assert server["OS-EXT-SRV-ATTR:host"] == "compute1", server
        servers["RegionOne"] = server["id"]

    with lab.step("each region's servers, hypervisors and quota usage are its own"):
        for region, host, name in (("RegionOne", "compute1", "r1-vm"), ("RegionTwo", "r2-compute1", "r2-vm")):
            listed = lab.in_region(region, "server", "list", "--all-projects")
            assert [row["Name"] for row in listed] == [name], (region, listed)
            hypervisors = lab.in_region(region, "hypervisor", "list")
            assert [row["Hypervisor Hostname"] for row in hypervisors] == [host], (region, hypervisors)
            limits = rows_by(lab.in_region(region, "limits", "show", "--absolute"), "Name")
            assert limits["instances_used"]["Value"] == 1, (region, limits)
        # A project made at RegionOne after RegionTwo's seed: known to RegionTwo (asked of
        # RegionOne's identity), with a quota per region.
        lab.osc("project", "create", "--domain", "default", "late")
        lab.in_region("RegionTwo", "quota", "set", "--instances", "3", "late", fmt_json=False)
        for region, instances in (("RegionTwo", 3), ("RegionOne", 10)):
            quota = rows_by(lab.in_region(region, "quota", "show", "late"), "Resource")
            assert quota["instances"]["Limit"] == instances, (region, quota)
        assert r2_admin.server(servers["RegionOne"]) is None
        assert admin.server(servers["RegionTwo"]) is None

    with lab.step("RegionTwo knows neither RegionOne's hosts nor its zones"):
        with pytest.raises(CommandFailed, match="No Hypervisor found for compute1"):
            lab.in_region("RegionTwo", "hypervisor", "show", "compute1")
        aggregate = lab.in_region("RegionTwo", "aggregate", "show", "r2-az1")
        with pytest.raises(CommandFailed, match="Compute host compute1 could not be found"):
            lab.in_region("RegionTwo", "aggregate", "add", "host", str(aggregate["id"]), "compute1")
        zones = {row["Zone Name"] for row in lab.in_region("RegionTwo", "availability", "zone", "list")}
        assert zones == {"r2-az1", "internal"}, zones  # r2-az2 has no host running; no az2, no nova
        with pytest.raises(CommandFailed, match="availability zone is not available"):
            lab.in_region("RegionTwo", "server", "create", *BOOT[:-1], "--availability-zone", "az2", "r2-lost")

    with lab.step("with RegionTwo stopped, RegionOne works in full and RegionTwo fails fast"):
        region_two.stop()
        started = time.monotonic()
        done = subprocess.run(
            [OPENSTACK, "--os-region-name", "RegionTwo", "server", "list"],
            env=lab.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        took = time.monotonic() - started
        assert done.returncode != 0, done.stdout
        # The client names RegionTwo's address and that it could not be reached.
        assert region_two.url in done.stderr and "Failed to contact the endpoint" in done.stderr, done.stderr
        assert took < 15, f"RegionTwo's failure took {took:.1f} s"
        listed = lab.in_region("RegionOne", "server", "list")
        assert [row["Name"] for row in listed] == ["r1-vm"], listed
        lab.in_region("RegionOne", "server", "delete", "--wait", "r1-vm", fmt_json=False)
        server = lab.in_region("RegionOne", "server", "create", *BOOT, "r1-again")
        assert server["status"] == "ACTIVE", server

    assert not lab.failures, "\n\n".join(lab.failures)
