"""Neutron's L3 API, floating IPs: allocation from the external subnet, association with a
port reachable through a router, disassociation, release, quota; and the floating address
in the server's addresses (OS-EXT-IPS:type floating)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from networks import ipam
from networks.models import FloatingIP, Network, Port
from servers.models import Server

from .network_l3_helpers import V2, neutron_error, post, private, public, put
from .servers_helpers import demo_server

pytestmark = pytest.mark.django_db
V21 = "/compute/v2.1"


@pytest.fixture
def lab(admin_api, demo_api) -> dict:
    """public, private, and router1 between them."""
    nets = {"public": public(admin_api), "private": private(demo_api)}
    gateway = {"network_id": nets["public"]["id"]}
    router = post(demo_api, "routers", "router", {"name": "router1", "external_gateway_info": gateway})
    nets["router"] = router.json()["router"]
    added = put(
        demo_api, f"routers/{nets['router']['id']}/add_router_interface", {"subnet_id": nets["private"]["subnet"]["id"]}
    )
    assert added.status_code == 200, added.content
    return nets


def server_on(network: dict) -> tuple[Server, Port]:
    server = demo_server()
    (port,) = ipam.bind_ports_for_server(str(server.uuid), server.project_id, [{"uuid": network["id"]}])
    return server, port


def allocate(api, network: dict, **body) -> dict:
    response = post(api, "floatingips", "floatingip", {"floating_network_id": network["id"], **body})
    assert response.status_code == 201, response.content
    return response.json()["floatingip"]


def test_allocate_associate_disassociate_release(demo_api, lab):
    fip = allocate(demo_api, lab["public"])
    # 172.24.4.1 is the gateway and .2 the router's gateway port: the next free address.
    assert fip["floating_ip_address"] == "172.24.4.3" and fip["floating_network_id"] == lab["public"]["id"]
    assert (fip["status"], fip["port_id"], fip["fixed_ip_address"], fip["router_id"]) == ("DOWN", None, None, None)
    second = allocate(demo_api, lab["public"])
    assert second["floating_ip_address"] == "172.24.4.4"

    server, port = server_on(lab["private"])
    associated = put(demo_api, f"floatingips/{fip['id']}", {"floatingip": {"port_id": str(port.id)}})
    assert associated.status_code == 200, associated.content
    shown = associated.json()["floatingip"]
    assert (shown["port_id"], shown["fixed_ip_address"]) == (str(port.id), port.fixed_ips[0]["ip_address"])
    assert (shown["router_id"], shown["status"]) == (lab["router"]["id"], "ACTIVE")
    listed = demo_api.get(f"{V2}/floatingips", {"port_id": str(port.id)}).json()["floatingips"]
    assert [f["id"] for f in listed] == [fip["id"]]
    by_address = demo_api.get(f"{V2}/floatingips", {"floating_ip_address": "172.24.4.3"}).json()["floatingips"]
    assert [f["id"] for f in by_address] == [fip["id"]]

    twice = put(demo_api, f"floatingips/{second['id']}", {"floatingip": {"port_id": str(port.id)}})
    assert neutron_error(twice) == (409, "FloatingIPPortAlreadyAssociated")
    interface_in_use = put(
        demo_api,
        f"routers/{lab['router']['id']}/remove_router_interface",
        {"subnet_id": lab["private"]["subnet"]["id"]},
    )
    assert neutron_error(interface_in_use) == (409, "RouterInterfaceInUseByFloatingIP")
    gateway_in_use = put(demo_api, f"routers/{lab['router']['id']}", {"router": {"external_gateway_info": None}})
    assert neutron_error(gateway_in_use) == (409, "RouterExternalGatewayInUseByFloatingIp")

    addresses = demo_api.get(f"{V21}/servers/{server.uuid}").json()["server"]["addresses"]
    assert addresses == {
        "private": [
            {
                "version": 4,
                "addr": port.fixed_ips[0]["ip_address"],
                "OS-EXT-IPS:type": "fixed",
                "OS-EXT-IPS-MAC:mac_addr": port.mac_address,
            },
            {
                "version": 4,
                "addr": "172.24.4.3",
                "OS-EXT-IPS:type": "floating",
                "OS-EXT-IPS-MAC:mac_addr": port.mac_address,
            },
        ]
    }
    ips = demo_api.get(f"{V21}/servers/{server.uuid}/ips").json()["addresses"]
    assert ips == {
        "private": [{"version": 4, "addr": port.fixed_ips[0]["ip_address"]}, {"version": 4, "addr": "172.24.4.3"}]
    }

    released = put(demo_api, f"floatingips/{fip['id']}", {"floatingip": {"port_id": None}})
    assert released.json()["floatingip"]["port_id"] is None and released.json()["floatingip"]["status"] == "DOWN"
    assert [
        a["OS-EXT-IPS:type"]
        for a in demo_api.get(f"{V21}/servers/{server.uuid}").json()["server"]["addresses"]["private"]
    ] == ["fixed"]
    assert demo_api.delete(f"{V2}/floatingips/{fip['id']}").status_code == 204
    assert neutron_error(demo_api.get(f"{V2}/floatingips/{fip['id']}")) == (404, "FloatingIPNotFound")
    assert not Port.objects.filter(device_id=fip["id"]).exists()
    assert allocate(demo_api, lab["public"])["floating_ip_address"] == "172.24.4.3"  # the address is free again


def test_floating_ips_cost_no_query_in_the_server_list(demo_api, lab):
    """The floating addresses come joined to the ports' rows: /servers/detail makes as many
    queries with floating IPs as without."""
    _, port = server_on(lab["private"])
    server_on(lab["private"])
    with CaptureQueriesContext(connection) as without:
        assert demo_api.get(f"{V21}/servers/detail").status_code == 200
    allocate(demo_api, lab["public"], port_id=str(port.id))
    with CaptureQueriesContext(connection) as with_one:
        listed = demo_api.get(f"{V21}/servers/detail").json()["servers"]
    assert len(with_one) == len(without)
    kinds = sorted(a["OS-EXT-IPS:type"] for s in listed for a in s["addresses"]["private"])
    assert kinds == ["fixed", "fixed", "floating"]


def test_association_on_create_and_a_deleted_port_disassociates(demo_api, lab):
    _, port = server_on(lab["private"])
    fip = allocate(demo_api, lab["public"], port_id=str(port.id), description="web")
    assert (fip["port_id"], fip["status"], fip["description"]) == (str(port.id), "ACTIVE", "web")
    port.delete()  # as the server's delete releases its ports
    shown = demo_api.get(f"{V2}/floatingips/{fip['id']}").json()["floatingip"]
    assert (shown["port_id"], shown["fixed_ip_address"], shown["router_id"], shown["status"]) == (
        None,
        None,
        None,
        "DOWN",
    )


def test_a_port_not_reachable_from_the_external_network_is_404(demo_api, lab):
    isolated = private(demo_api, "isolated", "10.5.0.0/24")
    _, port = server_on(isolated)
    fip = allocate(demo_api, lab["public"])
    refused = put(demo_api, f"floatingips/{fip['id']}", {"floatingip": {"port_id": str(port.id)}})
    assert neutron_error(refused) == (404, "ExternalGatewayForFloatingIPNotFound")
    message = refused.json()["NeutronError"]["message"]
    assert message == (
        f"External network {lab['public']['id']} is not reachable from subnet {isolated['subnet']['id']}.  "
        f"Therefore, cannot associate Port {port.id} with a Floating IP."
    )
    wrong_ip = put(
        demo_api, f"floatingips/{fip['id']}", {"floatingip": {"port_id": str(port.id), "fixed_ip_address": "10.5.0.99"}}
    )
    assert neutron_error(wrong_ip) == (400, "BadRequest")
    missing = put(
        demo_api, f"floatingips/{fip['id']}", {"floatingip": {"port_id": "e0b3b7f5-6c3f-4d6c-9b1e-2f4d5a6b7c8d"}}
    )
    assert neutron_error(missing) == (404, "PortNotFound")


@pytest.mark.parametrize(
    "body, status",
    [
        ({}, 400),
        ({"floating_network_id": "not-a-uuid"}, 400),
        ({"floating_network_id": "e0b3b7f5-6c3f-4d6c-9b1e-2f4d5a6b7c8d"}, 404),
        ({"floating_ip_address": "172.24.4.50"}, 403),  # choosing the address: admins
        ({"port_id": "x"}, 400),
    ],
)
def test_create_refusals(demo_api, lab, body, status):
    if body.get("floating_network_id") is None and body != {}:
        body = {"floating_network_id": lab["public"]["id"], **body}
    response = post(demo_api, "floatingips", "floatingip", body)
    assert response.status_code == status, response.content
    assert not FloatingIP.objects.exists()


def test_internal_networks_are_refused_and_admins_choose_addresses(demo_api, admin_api, lab):
    refused = post(demo_api, "floatingips", "floatingip", {"floating_network_id": lab["private"]["id"]})
    assert neutron_error(refused) == (400, "BadRequest") and "not a valid external network" in refused.content.decode()
    chosen = allocate(admin_api, lab["public"], floating_ip_address="172.24.4.50")
    assert chosen["floating_ip_address"] == "172.24.4.50"
    taken = post(
        admin_api,
        "floatingips",
        "floatingip",
        {"floating_network_id": lab["public"]["id"], "floating_ip_address": "172.24.4.50"},
    )
    assert neutron_error(taken) == (409, "IpAddressAlreadyAllocated")
    assert neutron_error(demo_api.get(f"{V2}/floatingips/{chosen['id']}")) == (404, "FloatingIPNotFound")
    assert demo_api.get(f"{V2}/floatingips").json()["floatingips"] == []
    floating_port = Port.objects.get(device_id=chosen["id"])
    assert neutron_error(admin_api.delete(f"{V2}/ports/{floating_port.id}")) == (409, "L3PortInUse")


def test_floatingip_quota(demo_api, admin_api, lab):
    project = lab["private"]["project_id"]
    admin_api.put(f"{V2}/quotas/{project}", {"quota": {"floatingip": 1}}, format="json")
    allocate(demo_api, lab["public"])
    refused = post(demo_api, "floatingips", "floatingip", {"floating_network_id": lab["public"]["id"]})
    assert neutron_error(refused) == (409, "OverQuota")
    assert Port.objects.filter(network_id=lab["public"]["id"], device_owner="network:floatingip").count() == 1


def test_a_full_external_subnet_is_409(admin_api, demo_api):
    network = post(admin_api, "networks", "network", {"name": "tiny", "router:external": True}).json()["network"]
    post(admin_api, "subnets", "subnet", {"network_id": network["id"], "cidr": "192.0.2.0/30"})
    allocate(demo_api, network)  # .1 is the gateway, .2 the only host address left
    full = post(demo_api, "floatingips", "floatingip", {"floating_network_id": network["id"]})
    assert neutron_error(full) == (409, "IpAddressGenerationFailure")
    assert Network.objects.get(id=network["id"]).floating_ips.count() == 1
