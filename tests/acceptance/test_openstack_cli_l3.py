"""Routers and floating IPs with the real `openstack` command, as devstack's users make them:
the admin makes the external network `public`; the demo user makes `private`, a router
between them, a server on `private`, and gives it a floating IP of `public`. Every step is
checked through the API. Also the user's own port, attached with `server add port`, which
`server remove port` and `server delete` must leave in place, unbound."""

from __future__ import annotations

import json
import time

import pytest

from .helpers import Lab, openrc

pytestmark = pytest.mark.e2e
N = "/network/v2.0"


def one(api, collection: str, **filters) -> dict:
    rows = api.get(f"{N}/{collection}", params=filters).json()[collection]
    assert len(rows) == 1, rows
    return rows[0]


def wait_port(api, port_id: str, predicate, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    port = None
    while time.monotonic() < deadline:
        response = api.get(f"{N}/ports/{port_id}")
        port = response.json().get("port") if response.status_code == 200 else None
        if port is not None and predicate(port):
            return port
        time.sleep(0.1)
    raise AssertionError(f"port {port_id} never reached the expected state; last seen: {port}")


def test_routers_and_floating_ips_with_the_cli(cloud, live_server, admin, demo):
    lab = Lab(live_server.url, admin)
    as_admin = dict(lab.env)
    as_demo = openrc(live_server.url, user="demo", project="demo")
    osc = lab.osc

    with lab.step("network create --external public (admin)"):
        created = osc("network", "create", "--external", "public")
        assert created["router:external"] is True, created
        assert one(demo, "networks", name="public")["router:external"] is True  # members see it

    with lab.step("subnet create --no-dhcp public-subnet (admin)"):
        osc("subnet", "create", "--network", "public", "--subnet-range", "172.24.4.0/24", "--no-dhcp", "public-subnet")
        assert one(admin, "subnets", name="public-subnet")["cidr"] == "172.24.4.0/24"

    lab.env = as_demo
    with lab.step("network create private; subnet create private-subnet"):
        osc("network", "create", "private")
        osc("subnet", "create", "--network", "private", "--subnet-range", "10.0.0.0/26", "private-subnet")
        assert one(demo, "subnets", name="private-subnet")["gateway_ip"] == "10.0.0.1"

    with lab.step("subnet create --subnet-range 10.99.99.0/16 (host bits, as openstacksdk's tests)"):
        created = osc("subnet", "create", "--network", "private", "--subnet-range", "10.99.99.0/16", "sdk-subnet")
        assert created["cidr"] == "10.99.0.0/16", created
        osc("subnet", "delete", "sdk-subnet", fmt_json=False)

    router_id = None
    with lab.step("router create router_cli"):
        created = osc("router", "create", "router_cli")
        router_id = created["id"]
        router = one(demo, "routers", name="router_cli")
        assert (router["status"], router["external_gateway_info"]) == ("ACTIVE", None), router

    with lab.step("router set --external-gateway public router_cli"):
        osc("router", "set", "--external-gateway", "public", "router_cli", fmt_json=False)
        info = one(demo, "routers", name="router_cli")["external_gateway_info"]
        assert info["network_id"] == one(demo, "networks", name="public")["id"], info
        assert info["external_fixed_ips"][0]["ip_address"].startswith("172.24.4."), info

    with lab.step("router add subnet router_cli private-subnet"):
        osc("router", "add", "subnet", "router_cli", "private-subnet", fmt_json=False)
        interface = one(demo, "ports", device_id=router_id)
        assert interface["device_owner"] == "network:router_interface", interface
        assert interface["fixed_ips"][0]["ip_address"] == "10.0.0.1", interface

    sid = None
    with lab.step("server create --network private vm_l3"):
        created = osc("server", "create", "--flavor", "cirros", "--image", "cirros", "--network", "private", "vm_l3")
        sid = created["id"]
        server = lab.wait_server(sid, "ACTIVE")
        assert [a["OS-EXT-IPS:type"] for a in server["addresses"]["private"]] == ["fixed"], server["addresses"]

    address = None
    with lab.step("floating ip create public"):
        created = osc("floating", "ip", "create", "public")
        address = created["floating_ip_address"]
        fip = one(demo, "floatingips", floating_ip_address=address)
        assert (fip["status"], fip["port_id"]) == ("DOWN", None), fip

    with lab.step("server add floating ip vm_l3 ADDRESS"):
        osc("server", "add", "floating", "ip", "vm_l3", address, fmt_json=False)
        fip = one(demo, "floatingips", floating_ip_address=address)
        assert fip["status"] == "ACTIVE" and fip["router_id"] == router_id, fip
        assert fip["port_id"] == one(demo, "ports", device_id=sid)["id"], fip
        entries = demo.server(sid)["addresses"]["private"]
        assert [(a["OS-EXT-IPS:type"], a["addr"]) for a in entries][1] == ("floating", address), entries

    with lab.step("floating ip list; router show; router list; network list --external"):
        listed = {row["Floating IP Address"]: row for row in osc("floating", "ip", "list")}
        assert listed[address]["Port"] == one(demo, "ports", device_id=sid)["id"], listed
        shown = osc("router", "show", "router_cli")
        assert shown["status"] == "ACTIVE" and shown["external_gateway_info"]["network_id"], shown
        assert [row["Name"] for row in osc("router", "list")] == ["router_cli"]
        assert [row["Name"] for row in osc("network", "list", "--external")] == ["public"]

    with lab.step("server show vm_l3 lists the floating address"):
        shown = osc("server", "show", "vm_l3")
        assert address in json.dumps(shown["addresses"]), shown["addresses"]

    with lab.step("server remove floating ip vm_l3 ADDRESS"):
        osc("server", "remove", "floating", "ip", "vm_l3", address, fmt_json=False)
        fip = one(demo, "floatingips", floating_ip_address=address)
        assert (fip["status"], fip["port_id"], fip["fixed_ip_address"]) == ("DOWN", None, None), fip
        assert [a["OS-EXT-IPS:type"] for a in demo.server(sid)["addresses"]["private"]] == ["fixed"]

    with lab.step("floating ip delete ADDRESS"):
        osc("floating", "ip", "delete", address, fmt_json=False)
        assert demo.get(f"{N}/floatingips", params={"floating_ip_address": address}).json()["floatingips"] == []

    port_id = None
    with lab.step("port create; server add port vm_l3 p_cli"):
        port_id = osc("port", "create", "--network", "private", "p_cli")["id"]
        osc("server", "add", "port", "vm_l3", "p_cli", fmt_json=False)
        wait_port(demo, port_id, lambda p: p["device_id"] == sid and p["status"] == "ACTIVE")

    with lab.step("server remove port vm_l3 p_cli keeps the user's port, unbound"):
        osc("server", "remove", "port", "vm_l3", "p_cli", fmt_json=False)
        port = wait_port(demo, port_id, lambda p: p["device_id"] == "")
        assert (port["device_owner"], port["status"]) == ("", "DOWN"), port

    with lab.step("server add port again; server delete keeps the user's port"):
        osc("server", "add", "port", "vm_l3", "p_cli", fmt_json=False)
        wait_port(demo, port_id, lambda p: p["device_id"] == sid and p["status"] == "ACTIVE")
        osc("server", "delete", "vm_l3", fmt_json=False)
        lab.wait_gone(sid)
        port = wait_port(demo, port_id, lambda p: p["device_id"] == "")
        assert port["status"] == "DOWN", port
        osc("port", "delete", "p_cli", fmt_json=False)

    with lab.step("router remove subnet router_cli private-subnet"):
        osc("router", "remove", "subnet", "router_cli", "private-subnet", fmt_json=False)
        assert demo.get(f"{N}/ports", params={"device_id": router_id}).json()["ports"] == []

    with lab.step("router delete router_cli"):
        osc("router", "delete", "router_cli", fmt_json=False)
        assert demo.get(f"{N}/routers/{router_id}").status_code == 404
        # The gateway port went with the router: public can go now.
        lab.env = as_admin
        osc("network", "delete", "public", fmt_json=False)
        assert admin.get(f"{N}/networks", params={"name": "public"}).json()["networks"] == []

    print(f"{len(lab.passed)} steps passed, {len(lab.failures)} failed, {lab.calls} openstack commands")
    assert not lab.failures, "lab steps failed:\n\n" + "\n\n".join(lab.failures)
