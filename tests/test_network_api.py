"""Network v2.0 (Neutron wire format): networks, subnets, ports and quotas."""

from __future__ import annotations

import pytest
from django.urls import include, path
from rest_framework.test import APIClient

from identity.models import Project
from networks.models import Network, Port

# Only identity and network are mounted: these tests do not depend on the other services' URLs.
urlpatterns = [path("identity", include("identity.urls")), path("network", include("networks.api.urls"))]
handler404 = "core.errors.handler404"
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
V2 = "/network/v2.0"


def post(api: APIClient, collection: str, key: str, body: dict):
    return api.post(f"{V2}/{collection}", {key: body}, format="json")


def error_type(response) -> str:
    return response.json()["NeutronError"]["type"]


@pytest.fixture
def private_net(demo_api) -> dict:
    """A demo-project network with a 10.0.0.0/24 subnet."""
    network = post(demo_api, "networks", "network", {"name": "private"}).json()["network"]
    subnet = post(
        demo_api, "subnets", "subnet", {"network_id": network["id"], "cidr": "10.0.0.0/24", "name": "private-v4"}
    )
    assert subnet.status_code == 201, subnet.content
    return {**network, "subnet": subnet.json()["subnet"]}


def test_network_create_like_the_cli(admin_api):
    created = post(
        admin_api,
        "networks",
        "network",
        {"name": "lab", "admin_state_up": True, "shared": True, "provider:network_type": "flat"},
    )
    assert created.status_code == 201, created.content
    network = created.json()["network"]
    assert network["shared"] is True and network["status"] == "ACTIVE" and network["subnets"] == []
    admin = Project.objects.get(name="admin")
    assert network["project_id"] == admin.id == network["tenant_id"]
    assert admin_api.get(f"{V2}/networks/lab").status_code == 404  # the client's FIND-NET
    found = admin_api.get(f"{V2}/networks", {"name": "lab"}).json()["networks"]
    assert [n["id"] for n in found] == [network["id"]]


def test_members_cannot_share_or_see_private_networks(demo_api, admin_api, private_net):
    shared = post(demo_api, "networks", "network", {"name": "x", "shared": True})
    assert shared.status_code == 403 and shared.json()["NeutronError"]["type"] == "PolicyNotAuthorized"
    hidden = post(admin_api, "networks", "network", {"name": "admins-only"}).json()["network"]
    missing = demo_api.get(f"{V2}/networks/{hidden['id']}")
    assert missing.status_code == 404 and error_type(missing) == "NetworkNotFound"
    names = {n["name"] for n in demo_api.get(f"{V2}/networks").json()["networks"]}
    assert names == {"provider", "private"}
    assert demo_api.delete(f"{V2}/networks/{hidden['id']}").status_code == 404
    provider = Network.objects.get(name="provider")
    assert demo_api.put(f"{V2}/networks/{provider.id}", {"network": {"name": "mine"}}, format="json").status_code == 403
    assert demo_api.delete(f"{V2}/networks/{provider.id}").status_code == 403


def test_network_update_and_fields(demo_api, private_net):
    updated = demo_api.put(
        f"{V2}/networks/{private_net['id']}", {"network": {"name": "renamed", "admin_state_up": False}}, format="json"
    )
    assert updated.status_code == 200 and updated.json()["network"]["name"] == "renamed"
    only = demo_api.get(f"{V2}/networks", {"fields": ["id", "name"], "shared": "false"}).json()["networks"]
    assert only == [{"id": private_net["id"], "name": "renamed"}]
    shown = demo_api.get(f"{V2}/networks/{private_net['id']}", {"fields": "subnets"}).json()["network"]
    assert shown == {"subnets": [private_net["subnet"]["id"]]}
    assert demo_api.get(f"{V2}/networks", {"unknown_filter": "x"}).json()["networks"]


def test_subnet_defaults_and_lookup(demo_api, private_net):
    subnet = private_net["subnet"]
    assert subnet["gateway_ip"] == "10.0.0.1" and subnet["ip_version"] == 4
    assert subnet["allocation_pools"] == [{"start": "10.0.0.2", "end": "10.0.0.254"}]
    listed = demo_api.get(f"{V2}/subnets", {"network_id": private_net["id"]}).json()["subnets"]
    assert [s["id"] for s in listed] == [subnet["id"]]
    assert demo_api.get(f"{V2}/subnets", {"name": "private-v4"}).json()["subnets"][0]["cidr"] == "10.0.0.0/24"
    assert demo_api.get(f"{V2}/subnets/{subnet['id']}").status_code == 200
    assert demo_api.get(f"{V2}/subnets/nope").status_code == 404


def test_subnet_like_the_install_guide(admin_api):
    network = post(admin_api, "networks", "network", {"name": "ext", "shared": True}).json()["network"]
    created = post(
        admin_api,
        "subnets",
        "subnet",
        {
            "name": "ext-v4",
            "network_id": network["id"],
            "ip_version": 4,
            "cidr": "198.51.100.0/24",
            "gateway_ip": "198.51.100.1",
            "allocation_pools": [{"start": "198.51.100.101", "end": "198.51.100.250"}],
            "dns_nameservers": ["8.8.4.4"],
            "enable_dhcp": True,
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["subnet"]["allocation_pools"] == [{"start": "198.51.100.101", "end": "198.51.100.250"}]
    no_gateway = post(
        admin_api, "subnets", "subnet", {"network_id": network["id"], "cidr": "198.51.101.0/24", "gateway_ip": None}
    )
    assert no_gateway.status_code == 201 and no_gateway.json()["subnet"]["gateway_ip"] is None
    assert no_gateway.json()["subnet"]["allocation_pools"] == [{"start": "198.51.101.1", "end": "198.51.101.254"}]


@pytest.mark.parametrize(
    "body, status",
    [
        ({"cidr": "10.1.0.0/24", "ip_version": 6}, 400),
        ({"cidr": "fd00::/64"}, 400),
        ({"cidr": "not-a-cidr"}, 400),
        ({"cidr": "10.1.0.5"}, 400),  # no prefix length: Neutron wants the CIDR written out
        ({"cidr": 7}, 400),
        ({}, 400),
        ({"cidr": "10.0.0.128/25"}, 400),  # overlaps 10.0.0.0/24 on the same network
        ({"cidr": "10.1.0.0/24", "gateway_ip": "10.2.0.1"}, 400),
        ({"cidr": "10.1.0.0/24", "allocation_pools": [{"start": "10.1.0.10", "end": "10.1.1.5"}]}, 400),
        ({"cidr": "10.1.0.0/24", "allocation_pools": [{"start": "10.1.0.10", "end": "10.1.0.5"}]}, 400),
        ({"cidr": "10.1.0.0/24", "allocation_pools": "x"}, 400),
        ({"cidr": "10.1.0.0/24", "dns_nameservers": ["x"]}, 400),
        (
            {
                "cidr": "10.1.0.0/24",
                "gateway_ip": "10.1.0.20",
                "allocation_pools": [{"start": "10.1.0.10", "end": "10.1.0.30"}],
            },
            409,
        ),
    ],
)
def test_invalid_subnets_are_refused(demo_api, private_net, body, status):
    response = post(demo_api, "subnets", "subnet", {"network_id": private_net["id"], **body})
    assert response.status_code == status, response.content
    assert "NeutronError" in response.json()


def test_host_bits_in_the_cidr_are_dropped_as_neutron_does(demo_api, private_net):
    """openstacksdk's functional tests create 10.99.99.0/16: Neutron stores 10.99.0.0/16."""
    created = post(demo_api, "subnets", "subnet", {"network_id": private_net["id"], "cidr": "10.99.99.0/16"})
    assert created.status_code == 201, created.content
    subnet = created.json()["subnet"]
    assert (subnet["cidr"], subnet["gateway_ip"]) == ("10.99.0.0/16", "10.99.0.1")
    assert subnet["allocation_pools"] == [{"start": "10.99.0.2", "end": "10.99.255.254"}]
    overlapping = post(demo_api, "subnets", "subnet", {"network_id": private_net["id"], "cidr": "10.99.5.7/24"})
    assert overlapping.status_code == 400 and "10.99.5.0/24" in overlapping.json()["NeutronError"]["message"]


def test_subnet_on_someone_elses_network(demo_api):
    provider = Network.objects.get(name="provider")
    response = post(demo_api, "subnets", "subnet", {"network_id": str(provider.id), "cidr": "10.9.0.0/24"})
    assert response.status_code == 403
    assert post(demo_api, "subnets", "subnet", {"network_id": "nope", "cidr": "10.9.0.0/24"}).status_code == 404


def test_subnet_update_and_delete(demo_api, private_net):
    url = f"{V2}/subnets/{private_net['subnet']['id']}"
    updated = demo_api.put(
        url, {"subnet": {"name": "s", "dns_nameservers": ["1.1.1.1"], "gateway_ip": None}}, format="json"
    )
    assert updated.status_code == 200, updated.content
    assert updated.json()["subnet"]["dns_nameservers"] == ["1.1.1.1"] and updated.json()["subnet"]["gateway_ip"] is None
    assert demo_api.put(url, {"subnet": {"cidr": "10.5.0.0/24"}}, format="json").status_code == 400
    assert demo_api.put(url, {"subnet": {"gateway_ip": "10.0.0.50"}}, format="json").status_code == 409
    port = post(demo_api, "ports", "port", {"network_id": private_net["id"]}).json()["port"]
    in_use = demo_api.delete(url)
    assert in_use.status_code == 409 and error_type(in_use) == "SubnetInUse"
    assert demo_api.delete(f"{V2}/ports/{port['id']}").status_code == 204
    assert demo_api.delete(url).status_code == 204


def test_ports(demo_api, admin_api, private_net):
    subnet_id = private_net["subnet"]["id"]
    first = post(demo_api, "ports", "port", {"network_id": private_net["id"], "name": "p1"})
    assert first.status_code == 201, first.content
    port = first.json()["port"]
    assert port["fixed_ips"] == [{"subnet_id": subnet_id, "ip_address": "10.0.0.2"}]
    assert port["mac_address"].startswith("fa:16:3e:") and port["status"] == "DOWN"
    fixed = post(
        demo_api,
        "ports",
        "port",
        {"network_id": private_net["id"], "fixed_ips": [{"subnet_id": subnet_id, "ip_address": "10.0.0.77"}]},
    )
    assert fixed.status_code == 201 and fixed.json()["port"]["fixed_ips"][0]["ip_address"] == "10.0.0.77"
    taken = post(
        demo_api, "ports", "port", {"network_id": private_net["id"], "fixed_ips": [{"ip_address": "10.0.0.77"}]}
    )
    assert taken.status_code == 409 and error_type(taken) == "IpAddressAlreadyAllocated"
    bad: object
    for bad in ([{"ip_address": "10.9.9.9"}], [{"ip_address": "x"}], [{"subnet_id": "nope"}], "x", [{}, {}]):
        response = post(demo_api, "ports", "port", {"network_id": private_net["id"], "fixed_ips": bad})
        assert response.status_code == 400, (bad, response.content)
    assert (
        post(
            demo_api, "ports", "port", {"network_id": private_net["id"], "mac_address": "fa:16:3e:00:00:01"}
        ).status_code
        == 403
    )
    with_mac = post(admin_api, "ports", "port", {"network_id": private_net["id"], "mac_address": "FA:16:3E:00:00:01"})
    assert with_mac.status_code == 201 and with_mac.json()["port"]["mac_address"] == "fa:16:3e:00:00:01"
    dup_mac = post(admin_api, "ports", "port", {"network_id": private_net["id"], "mac_address": "fa:16:3e:00:00:01"})
    assert dup_mac.status_code == 409 and error_type(dup_mac) == "MacAddressInUse"
    no_ip = post(demo_api, "ports", "port", {"network_id": private_net["id"], "fixed_ips": []})
    assert no_ip.status_code == 201 and no_ip.json()["port"]["fixed_ips"] == []

    by_ip = demo_api.get(f"{V2}/ports", {"fixed_ips": "ip_address=10.0.0.77"}).json()["ports"]
    assert [p["id"] for p in by_ip] == [fixed.json()["port"]["id"]]
    by_mac = demo_api.get(f"{V2}/ports", {"mac_address": port["mac_address"]}).json()["ports"]
    assert [p["id"] for p in by_mac] == [port["id"]]
    assert len(demo_api.get(f"{V2}/ports", {"network_id": private_net["id"]}).json()["ports"]) == 4

    url = f"{V2}/ports/{port['id']}"
    assert (
        demo_api.put(url, {"port": {"name": "renamed", "admin_state_up": False}}, format="json").json()["port"]["name"]
        == "renamed"
    )
    assert demo_api.put(url, {"port": {"device_id": "x"}}, format="json").status_code == 403
    assert demo_api.put(url, {"port": {"mac_address": "fa:16:3e:00:00:02"}}, format="json").status_code == 400
    bound = admin_api.put(url, {"port": {"device_id": "srv", "device_owner": "compute:nova"}}, format="json")
    assert bound.status_code == 200 and bound.json()["port"]["status"] == "ACTIVE"
    assert demo_api.get(f"{V2}/ports", {"device_id": "srv"}).json()["ports"][0]["id"] == port["id"]
    refused = demo_api.delete(url)
    assert refused.status_code == 409 and error_type(refused) == "PortInUse"
    busy = demo_api.delete(f"{V2}/networks/{private_net['id']}")
    assert busy.status_code == 409 and error_type(busy) == "NetworkInUse"
    assert admin_api.delete(url).status_code == 204
    assert demo_api.get(url).status_code == 404
    assert demo_api.delete(f"{V2}/networks/{private_net['id']}").status_code == 204
    assert not Port.objects.filter(network_id=private_net["id"]).exists()


def test_members_do_not_see_other_projects_ports(demo_api, admin_api):
    provider = Network.objects.get(name="provider")
    admins = post(admin_api, "ports", "port", {"network_id": str(provider.id)}).json()["port"]
    assert demo_api.get(f"{V2}/ports/{admins['id']}").status_code == 404
    assert demo_api.get(f"{V2}/ports").json()["ports"] == []
    mine = post(demo_api, "ports", "port", {"network_id": str(provider.id)})
    assert (
        mine.status_code == 201
        and mine.json()["port"]["fixed_ips"][0]["ip_address"] != admins["fixed_ips"][0]["ip_address"]
    )


@pytest.mark.parametrize("collection", ["networks", "subnets", "ports"])
@pytest.mark.parametrize("body", [{}, [], "x", {"wrong": {}}, {"network": "x", "subnet": "x", "port": "x"}])
def test_malformed_bodies_are_400(demo_api, collection, body):
    response = demo_api.post(f"{V2}/{collection}", body, format="json")
    assert response.status_code == 400, response.content
    assert "NeutronError" in response.json()


def test_bad_json_and_bad_types_are_400(demo_api, private_net):
    response = demo_api.generic("POST", f"{V2}/networks", "{", content_type="application/json")
    assert response.status_code == 400 and "NeutronError" in response.json()
    assert post(demo_api, "networks", "network", {"name": 5}).status_code == 400
    assert post(demo_api, "networks", "network", {"admin_state_up": "maybe"}).status_code == 400
    assert demo_api.put(f"{V2}/networks/{private_net['id']}", [], format="json").status_code == 400


def test_network_api_needs_a_token(cloud):
    response = APIClient().get(f"{V2}/networks")
    assert response.status_code == 401 and "NeutronError" in response.json()


def test_quotas(admin_api, demo_api):
    demo = Project.objects.get(name="demo")
    quota = demo_api.get(f"{V2}/quotas/{demo.id}")
    assert quota.status_code == 200
    assert quota.json()["quota"] == {
        "network": 100,
        "subnet": 100,
        "port": 500,
        "router": 10,
        "floatingip": 50,
        "security_group": 10,
        "security_group_rule": 100,
    }
    admin = Project.objects.get(name="admin")
    assert demo_api.get(f"{V2}/quotas/{admin.id}").status_code == 403
    assert demo_api.put(f"{V2}/quotas/{demo.id}", {"quota": {"network": 1}}, format="json").status_code == 403
    assert demo_api.get(f"{V2}/quotas").status_code == 403
    bad: object
    for bad in (
        {"quota": {"network": -2}},
        {"quota": {"bogus": 1}},
        {"quota": {"port": "x"}},
        {"quota": {}},
        [],
        {"network": 1},
    ):
        assert admin_api.put(f"{V2}/quotas/{demo.id}", bad, format="json").status_code == 400, bad
    updated = admin_api.put(f"{V2}/quotas/{demo.id}", {"quota": {"network": 1, "subnet": 1, "port": 1}}, format="json")
    assert updated.status_code == 200 and updated.json()["quota"]["network"] == 1
    assert admin_api.get(f"{V2}/quotas").json()["quotas"][0]["project_id"] == demo.id
    assert admin_api.get(f"{V2}/quotas/{demo.id}/default").json()["quota"]["network"] == 100

    network = post(demo_api, "networks", "network", {"name": "one"}).json()["network"]
    over = post(demo_api, "networks", "network", {"name": "two"})
    assert over.status_code == 409 and error_type(over) == "OverQuota"
    assert post(demo_api, "subnets", "subnet", {"network_id": network["id"], "cidr": "10.3.0.0/24"}).status_code == 201
    assert post(demo_api, "subnets", "subnet", {"network_id": network["id"], "cidr": "10.4.0.0/24"}).status_code == 409
    assert post(demo_api, "ports", "port", {"network_id": network["id"]}).status_code == 201
    assert post(demo_api, "ports", "port", {"network_id": network["id"]}).status_code == 409
    details = demo_api.get(f"{V2}/quotas/{demo.id}/details").json()["quota"]
    assert details["network"] == {"limit": 1, "used": 1, "reserved": 0}
    below = admin_api.put(f"{V2}/quotas/{demo.id}", {"quota": {"network": 0, "check_limit": True}}, format="json")
    assert below.status_code == 400 and "already used 1" in below.json()["NeutronError"]["message"]
    cli = admin_api.put(f"{V2}/quotas/{demo.id}", {"quota": {"network": 20, "check_limit": True}}, format="json")
    assert cli.status_code == 200 and cli.json()["quota"]["network"] == 20
    assert admin_api.delete(f"{V2}/quotas/{demo.id}").status_code == 204
    assert demo_api.get(f"{V2}/quotas/{demo.id}").json()["quota"]["network"] == 100


def test_extensions(demo_api):
    aliases = {e["alias"] for e in demo_api.get(f"{V2}/extensions").json()["extensions"]}
    assert {"quotas", "external-net"} <= aliases
    assert demo_api.get(f"{V2}/extensions/quotas").json()["extension"]["alias"] == "quotas"
    missing = demo_api.get(f"{V2}/extensions/availability_zone")
    assert missing.status_code == 404 and "NeutronError" in missing.json()


def test_equality_filters_run_in_sql(admin_api, django_assert_max_num_queries):
    for index in range(30):
        Network.objects.create(name=f"bulk{index}", project_id="p")
    with django_assert_max_num_queries(6) as captured:
        found = admin_api.get("/network/v2.0/networks", {"name": "bulk7"}).json()["networks"]
    assert [net["name"] for net in found] == ["bulk7"]
    assert any("bulk7" in query["sql"] for query in captured.captured_queries)
    assert admin_api.get("/network/v2.0/networks", {"id": "not-a-uuid"}).json()["networks"] == []
    assert admin_api.get("/network/v2.0/ports", {"network_id": "x", "device_id": "y"}).json()["ports"] == []


def test_policy_refusals_name_neutrons_rules(demo_api, admin_api, private_net):
    def refused(response, rule: str) -> None:
        assert response.status_code == 403, response.content
        assert response.json()["NeutronError"] == {
            "type": "PolicyNotAuthorized",
            "message": f"({rule}) is disallowed by policy",
            "detail": "",
        }

    admin = Project.objects.get(name="admin")
    refused(post(demo_api, "networks", "network", {"shared": True}), "create_network:shared")
    refused(post(demo_api, "networks", "network", {"router:external": True}), "create_network:router:external")
    refused(
        post(demo_api, "networks", "network", {"provider:network_type": "flat"}), "create_network:provider:network_type"
    )
    refused(post(demo_api, "networks", "network", {"project_id": admin.id}), "create_network")
    net_url = f"{V2}/networks/{private_net['id']}"
    refused(demo_api.put(net_url, {"network": {"shared": True}}, format="json"), "update_network:shared")
    port = post(demo_api, "ports", "port", {"network_id": private_net["id"]}).json()["port"]
    refused(
        post(demo_api, "ports", "port", {"network_id": private_net["id"], "device_id": "x"}), "create_port:device_owner"
    )
    mac = {"network_id": private_net["id"], "mac_address": "fa:16:3e:00:00:09"}
    refused(post(demo_api, "ports", "port", mac), "create_port:mac_address")
    refused(
        demo_api.put(f"{V2}/ports/{port['id']}", {"port": {"device_id": "x"}}, format="json"),
        "update_port:device_owner",
    )
    refused(demo_api.get(f"{V2}/quotas/{admin.id}"), "get_quota")
    refused(demo_api.delete(f"{V2}/quotas/{admin.id}"), "delete_quota")
    assert admin_api.put(net_url, {"network": {"shared": True}}, format="json").json()["network"]["shared"] is True


def test_repeated_filters_match_any_value(admin_api):
    for name in ("red", "green", "blue"):
        Network.objects.create(name=name, project_id="p")
    found = admin_api.get(f"{V2}/networks", {"name": ["red", "blue", "nope"]}).json()["networks"]
    assert sorted(net["name"] for net in found) == ["blue", "red"]
    red = Network.objects.get(name="red")
    by_id = admin_api.get(f"{V2}/networks", {"id": [str(red.id), "not-a-uuid"], "project_id": "p"}).json()["networks"]
    assert [net["name"] for net in by_id] == ["red"]
    assert admin_api.get(f"{V2}/networks", {"tenant_id": "nobody"}).json()["networks"] == []
