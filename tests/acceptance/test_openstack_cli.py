"""The hands-on lab, run with the real `openstack` command (python-openstackclient 10.5.0)
against a live novasite with Celery workers on the libvirt test driver.

One test function: the lab is a sequence on one cloud (the `cloud` fixture flushes the
database per test). Every step runs the command a user would type, waits as a user would
(until the expected status and no task in progress; polled through the API, which is what
`openstack server show` reads, without the client's start-up cost) and checks the fields the
step should have changed. Failing steps are all reported at the end."""

from __future__ import annotations

import pytest
from django.conf import settings

from .helpers import LATEST, Lab, rows_by, state

pytestmark = pytest.mark.e2e

HOSTS = ("compute1", "compute2")


def lower_keys(document: dict) -> dict:
    """OSC prints column names ("Zone Name") or field names ("availability_zone") depending
    on the command; compare them in one spelling."""
    return {key.lower().replace(" ", "_"): value for key, value in document.items()}


def test_openstack_cli_lab(cloud, live_server, admin):
    lab = Lab(live_server.url, admin)
    osc = lab.osc

    # --- compute services, hypervisors, zones ----------------------------------------------
    with lab.step("compute service list"):
        services = [lower_keys(row) for row in osc("compute", "service", "list")]
        computes = {row["host"]: row for row in services if row["binary"] == "nova-compute"}
        assert set(HOSTS) <= set(computes), services
        for host in HOSTS:
            assert computes[host]["status"] == "enabled" and computes[host]["state"] == "up", computes[host]
            assert computes[host]["zone"] == "nova", computes[host]

    with lab.step("hypervisor list"):
        hypervisors = [lower_keys(row) for row in osc("hypervisor", "list")]
        assert set(HOSTS) <= {row["hypervisor_hostname"] for row in hypervisors}, hypervisors

    with lab.step("availability zone list --compute"):
        zones = [lower_keys(row) for row in osc("availability", "zone", "list", "--compute")]
        nova = [row for row in zones if row["zone_name"] == "nova"]
        assert nova and all(row["zone_status"] == "available" for row in nova), zones
        # Without --long the client prints zones only; the hosts are in what it read.
        detail = admin.get("/compute/v2.1/os-availability-zone/detail")
        assert detail.status_code == 200, detail.text
        hosts = {zone["zoneName"]: set(zone["hosts"] or ()) for zone in detail.json()["availabilityZoneInfo"]}
        assert set(HOSTS) <= hosts["nova"], hosts

    # --- aggregates ------------------------------------------------------------------------
    with lab.step("aggregate create --zone nova aggr_cli"):
        created = lower_keys(osc("aggregate", "create", "--zone", "nova", "aggr_cli"))
        assert created["name"] == "aggr_cli" and created["availability_zone"] == "nova", created

    with lab.step("aggregate add host aggr_cli compute1"):
        added = lower_keys(osc("aggregate", "add", "host", "aggr_cli", "compute1"))
        assert added["hosts"] == ["compute1"], added

    with lab.step("aggregate show aggr_cli"):
        shown = lower_keys(osc("aggregate", "show", "aggr_cli"))
        assert shown["name"] == "aggr_cli" and shown["hosts"] == ["compute1"], shown
        assert shown["availability_zone"] == "nova", shown

    with lab.step("aggregate remove host aggr_cli compute1"):
        removed = lower_keys(osc("aggregate", "remove", "host", "aggr_cli", "compute1"))
        assert removed["hosts"] == [], removed

    with lab.step("aggregate delete aggr_cli"):
        osc("aggregate", "delete", "aggr_cli", fmt_json=False)
        listed = admin.get("/compute/v2.1/os-aggregates", headers=LATEST)
        assert listed.status_code == 200, listed.text
        assert "aggr_cli" not in {a["name"] for a in listed.json()["aggregates"]}, listed.text

    # --- projects and private flavors -------------------------------------------------------
    with lab.step("project create project_cli"):
        project = lower_keys(osc("project", "create", "project_cli"))
        assert project["name"] == "project_cli" and project["id"], project

    with lab.step("flavor create --private --project project_cli flavor_cli"):
        flavor = lower_keys(
            osc(
                "flavor",
                "create",
                "--vcpu",
                "1",
                "--ram",
                "128",
                "--disk",
                "1",
                "--private",
                "--project",
                "project_cli",
                "flavor_cli",
            )
        )
        assert flavor["name"] == "flavor_cli" and flavor["ram"] == 128 and flavor["vcpus"] == 1, flavor
        assert flavor["disk"] == 1 and flavor["os-flavor-access:is_public"] is False, flavor
        access = admin.get(f"/compute/v2.1/flavors/{flavor['id']}/os-flavor-access")
        assert access.status_code == 200, access.text
        assert [entry["tenant_id"] for entry in access.json()["flavor_access"]] == [project["id"]], access.text

    with lab.step("flavor list --all"):
        flavors = rows_by(osc("flavor", "list", "--all"), "Name")
        assert {"cirros", "m1.tiny", "flavor_cli"} <= set(flavors), flavors
        assert flavors["flavor_cli"]["Is Public"] is False and flavors["cirros"]["Is Public"] is True, flavors

    with lab.step("flavor delete flavor_cli"):
        osc("flavor", "delete", "flavor_cli", fmt_json=False)
        names = {f["name"] for f in admin.get("/compute/v2.1/flavors?is_public=None").json()["flavors"]}
        assert "flavor_cli" not in names, names

    # --- keypairs and server groups ---------------------------------------------------------
    with lab.step("keypair create kp_cli"):
        printed = osc("keypair", "create", "kp_cli", fmt_json=False)
        assert "PRIVATE KEY" in printed, printed  # the client makes the key and prints its private half
        shown = admin.get("/compute/v2.1/os-keypairs/kp_cli", headers={"OpenStack-API-Version": "compute 2.10"})
        assert shown.status_code == 200 and shown.json()["keypair"]["name"] == "kp_cli", shown.text

    with lab.step("keypair delete kp_cli"):
        osc("keypair", "delete", "kp_cli", fmt_json=False)
        assert admin.get("/compute/v2.1/os-keypairs/kp_cli").status_code == 404

    with lab.step("server group create --policy anti-affinity sg_cli"):
        group = lower_keys(osc("server", "group", "create", "--policy", "anti-affinity", "sg_cli"))
        assert group["name"] == "sg_cli" and group["policy"] == "anti-affinity", group

    with lab.step("server group delete sg_cli"):
        osc("server", "group", "delete", "sg_cli", fmt_json=False)
        groups = admin.get("/compute/v2.1/os-server-groups", headers={"OpenStack-API-Version": "compute 2.64"})
        assert groups.status_code == 200 and "sg_cli" not in {g["name"] for g in groups.json()["server_groups"]}, (
            groups.text
        )

    with lab.step("quota show"):
        quotas = osc("quota", "show")
        # OSC 10.5 prints one row per resource: [{"Resource": "instances", "Limit": 10}, ...]
        limits = {row["Resource"]: row["Limit"] for row in quotas} if isinstance(quotas, list) else lower_keys(quotas)
        for resource in ("instances", "cores", "ram"):
            assert isinstance(limits.get(resource), int), quotas

    # --- the server lifecycle ---------------------------------------------------------------
    sid = None
    with lab.step("server create --network provider cirros1"):
        created = osc("server", "create", "--flavor", "cirros", "--image", "cirros", "--network", "provider", "cirros1")
        sid = created["id"]
        assert created["name"] == "cirros1", created
        server = lab.wait_server(sid, "ACTIVE")
        assert state(server) == ("ACTIVE", "active", None, 1), state(server)
        assert server["OS-EXT-SRV-ATTR:host"] in HOSTS, server
        assert server["flavor"]["original_name"] == "cirros", server["flavor"]
        assert [a["OS-EXT-IPS:type"] for a in server["addresses"]["provider"]] == ["fixed"], server["addresses"]

    sid2 = None
    with lab.step("server create --nic none cirros2"):
        created = osc("server", "create", "--flavor", "cirros", "--image", "cirros", "--nic", "none", "cirros2")
        sid2 = created["id"]
        server = lab.wait_server(sid2, "ACTIVE")
        assert server["addresses"] == {}, server["addresses"]

    def act(command: str, *args: str, status: str, vm_state: str, power: int) -> dict:
        osc("server", *command.split(), *args, "cirros1", fmt_json=False)
        server = lab.wait_server(sid, status)
        assert state(server) == (status, vm_state, None, power), state(server)
        return server

    with lab.step("server stop"):
        act("stop", status="SHUTOFF", vm_state="stopped", power=4)
    with lab.step("server start"):
        act("start", status="ACTIVE", vm_state="active", power=1)
    with lab.step("server reboot --soft"):
        act("reboot", "--soft", status="ACTIVE", vm_state="active", power=1)
    with lab.step("server lock"):
        assert act("lock", status="ACTIVE", vm_state="active", power=1)["locked"] is True
    with lab.step("server unlock"):
        assert act("unlock", status="ACTIVE", vm_state="active", power=1)["locked"] is False
    with lab.step("server pause"):
        act("pause", status="PAUSED", vm_state="paused", power=3)
    with lab.step("server unpause"):
        act("unpause", status="ACTIVE", vm_state="active", power=1)
    with lab.step("server suspend"):
        act("suspend", status="SUSPENDED", vm_state="suspended", power=7)
    with lab.step("server resume"):
        act("resume", status="ACTIVE", vm_state="active", power=1)
    with lab.step("server shelve"):
        osc("server", "shelve", "cirros1", fmt_json=False)
        server = lab.wait_server(sid, "SHELVED_OFFLOADED")
        assert server["OS-EXT-STS:vm_state"] == "shelved_offloaded" and server["OS-EXT-SRV-ATTR:host"] is None, server
    with lab.step("server unshelve"):
        server = act("unshelve", status="ACTIVE", vm_state="active", power=1)
        assert server["OS-EXT-SRV-ATTR:host"] in HOSTS, server

    snap_id = None
    with lab.step("server image create --name snap_cli"):
        image = lower_keys(osc("server", "image", "create", "--name", "snap_cli", "cirros1"))
        snap_id = image["id"]
        assert image["name"] == "snap_cli", image
        lab.wait_image(snap_id)
        assert state(lab.wait_server(sid, "ACTIVE")) == ("ACTIVE", "active", None, 1)

    with lab.step("server resize --flavor m1.tiny + resize confirm"):
        before = admin.server(sid)["OS-EXT-SRV-ATTR:host"]
        osc("server", "resize", "--flavor", "m1.tiny", "cirros1", fmt_json=False)
        server = lab.wait_server(sid, "VERIFY_RESIZE")
        assert server["OS-EXT-STS:vm_state"] == "resized" and server["flavor"]["original_name"] == "m1.tiny", server
        assert server["OS-EXT-SRV-ATTR:host"] in HOSTS, server
        assert settings.ALLOW_RESIZE_TO_SAME_HOST or server["OS-EXT-SRV-ATTR:host"] != before, (before, server)
        osc("server", "resize", "confirm", "cirros1", fmt_json=False)
        server = lab.wait_server(sid, "ACTIVE")
        assert state(server) == ("ACTIVE", "active", None, 1), state(server)
        assert server["flavor"]["original_name"] == "m1.tiny" and server["flavor"]["ram"] == 512, server["flavor"]

    with lab.step("server resize --flavor cirros + resize revert"):
        before = admin.server(sid)["OS-EXT-SRV-ATTR:host"]
        osc("server", "resize", "--flavor", "cirros", "cirros1", fmt_json=False)
        server = lab.wait_server(sid, "VERIFY_RESIZE")
        assert server["flavor"]["original_name"] == "cirros", server["flavor"]
        osc("server", "resize", "revert", "cirros1", fmt_json=False)
        server = lab.wait_server(sid, "ACTIVE")
        assert state(server) == ("ACTIVE", "active", None, 1), state(server)
        assert server["flavor"]["original_name"] == "m1.tiny", server["flavor"]
        assert server["OS-EXT-SRV-ATTR:host"] == before, (before, server["OS-EXT-SRV-ATTR:host"])

    with lab.step("server rebuild --image snap_cli"):
        osc("server", "rebuild", "--image", "snap_cli", "cirros1", fmt_json=False)
        server = lab.wait_server(sid, "ACTIVE")
        assert state(server) == ("ACTIVE", "active", None, 1), state(server)
        assert server["image"]["id"] == snap_id, server["image"]

    with lab.step("server migrate + server migration confirm"):
        before = admin.server(sid)["OS-EXT-SRV-ATTR:host"]
        osc("server", "migrate", "cirros1", fmt_json=False)
        server = lab.wait_server(sid, "VERIFY_RESIZE")
        after = server["OS-EXT-SRV-ATTR:host"]
        assert after in HOSTS and (settings.ALLOW_RESIZE_TO_SAME_HOST or after != before), (before, after)
        osc("server", "migration", "confirm", "cirros1", fmt_json=False)
        server = lab.wait_server(sid, "ACTIVE")
        assert state(server) == ("ACTIVE", "active", None, 1) and server["OS-EXT-SRV-ATTR:host"] == after, server

    with lab.step("server migrate --live-migration"):
        before = admin.server(sid)["OS-EXT-SRV-ATTR:host"]
        osc("server", "migrate", "--live-migration", "cirros1", fmt_json=False)
        server = lab.wait_server(sid, "ACTIVE")
        assert state(server) == ("ACTIVE", "active", None, 1), state(server)
        assert server["OS-EXT-SRV-ATTR:host"] in HOSTS and server["OS-EXT-SRV-ATTR:host"] != before, (before, server)

    with lab.step("server show cirros1"):
        shown = osc("server", "show", "cirros1")
        api_view = admin.server(sid)
        assert shown["id"] == sid and shown["status"] == "ACTIVE", shown
        assert shown["OS-EXT-SRV-ATTR:host"] == api_view["OS-EXT-SRV-ATTR:host"], shown
        assert shown["OS-EXT-STS:vm_state"] == "active" and shown["OS-EXT-STS:power_state"] in (1, "Running"), shown
        assert (
            shown["flavor"]["original_name"] == "m1.tiny"
            if isinstance(shown["flavor"], dict)
            else "m1.tiny" in shown["flavor"]
        )
        assert "snap_cli" in str(shown["image"]), shown["image"]

    with lab.step("server list"):
        listed = rows_by(osc("server", "list"), "Name")
        assert {"cirros1", "cirros2"} <= set(listed), listed
        assert listed["cirros1"]["Status"] == "ACTIVE" and listed["cirros1"]["Flavor"] == "m1.tiny", listed
        assert listed["cirros1"]["Image"] == "snap_cli" and listed["cirros2"]["Image"] == "cirros", listed
        assert "provider" in listed["cirros1"]["Networks"] and not listed["cirros2"]["Networks"], listed

    with lab.step("server delete cirros1 cirros2"):
        osc("server", "delete", "cirros1", "cirros2", fmt_json=False)
        for server_id in (sid, sid2):
            if server_id:
                lab.wait_gone(server_id)

    print(f"{len(lab.passed)} steps passed, {len(lab.failures)} failed, {lab.calls} openstack commands")
    assert not lab.failures, "lab steps failed:\n\n" + "\n\n".join(lab.failures)
