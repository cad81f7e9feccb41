"""Neutron's L3 API, routers: router:external networks, router CRUD with an external
gateway, interfaces on subnets and ports, and their refusals."""

from __future__ import annotations

import pytest
from django.urls import include, path

from networks.models import Port, Router

from .network_l3_helpers import V2, neutron_error, post, private, public, put

urlpatterns = [path("identity", include("identity.urls")), path("network", include("networks.api.urls"))]
handler404 = "core.errors.handler404"
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def nets(admin_api, demo_api) -> dict:
    return {"public": public(admin_api), "private": private(demo_api)}


def test_router_external_is_admin_only_and_filters(admin_api, demo_api, nets):
    refused = post(demo_api, "networks", "network", {"name": "x", "router:external": True})
    assert neutron_error(refused) == (403, "PolicyNotAuthorized")
    # Members see external networks (and their subnets) without owning them, as in Neutron.
    external = demo_api.get(f"{V2}/networks", {"router:external": "true"}).json()["networks"]
    assert [n["name"] for n in external] == ["public"] and external[0]["router:external"] is True
    internal = {n["name"] for n in demo_api.get(f"{V2}/networks", {"router:external": "false"}).json()["networks"]}
    assert internal == {"provider", "private"}
    assert demo_api.get(f"{V2}/subnets/{nets['public']['subnet']['id']}").status_code == 200
    changed = put(demo_api, f"networks/{nets['private']['id']}", {"network": {"router:external": True}})
    assert neutron_error(changed) == (403, "PolicyNotAuthorized")
    assert put(demo_api, f"networks/{nets['public']['id']}", {"network": {"name": "x"}}).status_code == 403
    port = post(demo_api, "ports", "port", {"network_id": nets["public"]["id"]})
    assert neutron_error(port) == (404, "HTTPNotFound")  # visible, yet not open to other projects' ports
    assert post(admin_api, "ports", "port", {"network_id": nets["public"]["id"]}).status_code == 201


def test_router_lifecycle_with_gateway_and_interfaces(demo_api, admin_api, nets):
    created = post(demo_api, "routers", "router", {"name": "router1"})
    assert created.status_code == 201, created.content
    router = created.json()["router"]
    assert router["status"] == "ACTIVE" and router["admin_state_up"] is True
    assert router["external_gateway_info"] is None and router["project_id"] == nets["private"]["project_id"]

    gateway = {"external_gateway_info": {"network_id": nets["public"]["id"]}}
    updated = put(demo_api, f"routers/{router['id']}", {"router": gateway})
    assert updated.status_code == 200, updated.content
    info = updated.json()["router"]["external_gateway_info"]
    assert info["network_id"] == nets["public"]["id"] and info["enable_snat"] is True
    assert info["external_fixed_ips"] == [{"subnet_id": nets["public"]["subnet"]["id"], "ip_address": "172.24.4.2"}]
    gateway_port = Port.objects.get(device_id=router["id"], device_owner="network:router_gateway")
    assert gateway_port.project_id == ""  # Neutron's gateway ports belong to no project

    subnet_id = nets["private"]["subnet"]["id"]
    added = put(demo_api, f"routers/{router['id']}/add_router_interface", {"subnet_id": subnet_id})
    assert added.status_code == 200, added.content
    body = added.json()
    assert (body["id"], body["subnet_id"], body["subnet_ids"]) == (router["id"], subnet_id, [subnet_id])
    assert body["network_id"] == nets["private"]["id"]
    interface = demo_api.get(f"{V2}/ports/{body['port_id']}").json()["port"]
    assert interface["device_owner"] == "network:router_interface" and interface["device_id"] == router["id"]
    assert interface["fixed_ips"] == [{"subnet_id": subnet_id, "ip_address": "10.0.0.1"}]  # the gateway_ip
    listed = demo_api.get(f"{V2}/ports", {"device_id": router["id"]}).json()["ports"]
    assert [port["id"] for port in listed] == [body["port_id"]]  # the gateway port is nobody's

    again = put(demo_api, f"routers/{router['id']}/add_router_interface", {"subnet_id": subnet_id})
    assert neutron_error(again) == (400, "BadRequest") and "already has a port on subnet" in again.content.decode()
    in_use = demo_api.delete(f"{V2}/routers/{router['id']}")
    assert neutron_error(in_use) == (409, "RouterInUse")
    direct = demo_api.delete(f"{V2}/ports/{body['port_id']}")
    assert neutron_error(direct) == (409, "L3PortInUse")
    busy_net = demo_api.delete(f"{V2}/networks/{nets['private']['id']}")
    assert neutron_error(busy_net) == (409, "NetworkInUse")

    removed = put(demo_api, f"routers/{router['id']}/remove_router_interface", {"subnet_id": subnet_id})
    assert removed.status_code == 200 and removed.json()["port_id"] == body["port_id"]
    assert not Port.objects.filter(id=body["port_id"]).exists()
    gone = put(demo_api, f"routers/{router['id']}/remove_router_interface", {"subnet_id": subnet_id})
    assert neutron_error(gone) == (404, "RouterInterfaceNotFoundForSubnet")

    cleared = put(demo_api, f"routers/{router['id']}", {"router": {"external_gateway_info": {}}})
    assert cleared.json()["router"]["external_gateway_info"] is None
    assert not Port.objects.filter(id=gateway_port.id).exists()
    assert demo_api.delete(f"{V2}/routers/{router['id']}").status_code == 204
    assert neutron_error(demo_api.get(f"{V2}/routers/{router['id']}")) == (404, "RouterNotFound")


def test_create_with_gateway_list_filter_and_delete_frees_the_gateway(demo_api, admin_api, nets):
    body = {"name": "r", "external_gateway_info": {"network_id": nets["public"]["id"]}}
    router = post(demo_api, "routers", "router", body).json()["router"]
    assert router["external_gateway_info"]["external_fixed_ips"][0]["ip_address"] == "172.24.4.2"
    assert [r["id"] for r in demo_api.get(f"{V2}/routers", {"name": "r"}).json()["routers"]] == [router["id"]]
    assert demo_api.get(f"{V2}/routers", {"name": "other"}).json()["routers"] == []
    assert admin_api.get(f"{V2}/routers", {"fields": "id"}).json()["routers"] == [{"id": router["id"]}]
    busy = admin_api.delete(f"{V2}/networks/{nets['public']['id']}")
    assert neutron_error(busy) == (409, "NetworkInUse")
    assert demo_api.delete(f"{V2}/routers/{router['id']}").status_code == 204
    assert not Port.objects.filter(device_id=router["id"]).exists()
    assert admin_api.delete(f"{V2}/networks/{nets['public']['id']}").status_code == 204


def test_interface_through_a_port_and_removal_by_port(demo_api, nets):
    router = post(demo_api, "routers", "router", {"name": "r"}).json()["router"]
    port = post(demo_api, "ports", "port", {"network_id": nets["private"]["id"]}).json()["port"]
    added = put(demo_api, f"routers/{router['id']}/add_router_interface", {"port_id": port["id"]})
    assert added.status_code == 200 and added.json()["port_id"] == port["id"]
    shown = demo_api.get(f"{V2}/ports/{port['id']}").json()["port"]
    assert (shown["device_id"], shown["device_owner"]) == (router["id"], "network:router_interface")
    other = post(demo_api, "routers", "router", {"name": "r2"}).json()["router"]
    taken = put(demo_api, f"routers/{other['id']}/add_router_interface", {"port_id": port["id"]})
    assert neutron_error(taken) == (409, "PortInUse")
    wrong = put(demo_api, f"routers/{other['id']}/remove_router_interface", {"port_id": port["id"]})
    assert neutron_error(wrong) == (404, "RouterInterfaceNotFound")
    removed = put(demo_api, f"routers/{router['id']}/remove_router_interface", {"port_id": port["id"]})
    assert removed.status_code == 200 and removed.json()["subnet_id"] == nets["private"]["subnet"]["id"]
    assert not Port.objects.filter(id=port["id"]).exists()  # Neutron deletes the interface's port


@pytest.mark.parametrize(
    "body, status",
    [
        ({}, 400),
        ({"subnet_id": "e0b3b7f5-6c3f-4d6c-9b1e-2f4d5a6b7c8d", "port_id": "e0b3b7f5-6c3f-4d6c-9b1e-2f4d5a6b7c8d"}, 400),
        ({"subnet_id": "not-a-uuid"}, 400),
        ({"subnet_id": "e0b3b7f5-6c3f-4d6c-9b1e-2f4d5a6b7c8d"}, 404),
        ({"port_id": "e0b3b7f5-6c3f-4d6c-9b1e-2f4d5a6b7c8d"}, 404),
    ],
)
def test_add_interface_refusals(demo_api, nets, body, status):
    router = post(demo_api, "routers", "router", {"name": "r"}).json()["router"]
    response = put(demo_api, f"routers/{router['id']}/add_router_interface", body)
    assert response.status_code == status, response.content


def test_overlapping_subnets_and_subnets_without_gateway_are_refused(demo_api, nets):
    router = post(demo_api, "routers", "router", {"name": "r"}).json()["router"]
    put(demo_api, f"routers/{router['id']}/add_router_interface", {"subnet_id": nets["private"]["subnet"]["id"]})
    overlapping = private(demo_api, "private2", "10.0.0.0/16")
    refused = put(demo_api, f"routers/{router['id']}/add_router_interface", {"subnet_id": overlapping["subnet"]["id"]})
    assert neutron_error(refused) == (400, "BadRequest") and "overlaps with cidr" in refused.content.decode()
    network = post(demo_api, "networks", "network", {"name": "nogw"}).json()["network"]
    subnet = post(
        demo_api, "subnets", "subnet", {"network_id": network["id"], "cidr": "10.9.0.0/24", "gateway_ip": None}
    ).json()["subnet"]
    no_gateway = put(demo_api, f"routers/{router['id']}/add_router_interface", {"subnet_id": subnet["id"]})
    assert neutron_error(no_gateway) == (400, "BadRequest") and "gateway IP" in no_gateway.content.decode()


def test_gateway_refusals(demo_api, admin_api, nets):
    internal = {"external_gateway_info": {"network_id": nets["private"]["id"]}}
    refused = post(demo_api, "routers", "router", {"name": "r", **internal})
    assert neutron_error(refused) == (400, "BadRequest") and "not an external network" in refused.content.decode()
    assert not Router.objects.exists()  # the failed create left nothing behind
    snat = {"external_gateway_info": {"network_id": nets["public"]["id"], "enable_snat": False}}
    assert neutron_error(post(demo_api, "routers", "router", snat)) == (403, "PolicyNotAuthorized")
    by_admin = post(admin_api, "routers", "router", {"name": "a", **snat})
    assert by_admin.status_code == 201 and by_admin.json()["router"]["external_gateway_info"]["enable_snat"] is False
    chosen = {"network_id": nets["public"]["id"], "external_fixed_ips": [{"ip_address": "172.24.4.99"}]}
    fixed = post(admin_api, "routers", "router", {"name": "b", "external_gateway_info": chosen})
    assert fixed.json()["router"]["external_gateway_info"]["external_fixed_ips"][0]["ip_address"] == "172.24.4.99"
    assert neutron_error(post(demo_api, "routers", "router", {"name": "c", "external_gateway_info": chosen}))[0] == 403
    missing = {"external_gateway_info": {"network_id": "e0b3b7f5-6c3f-4d6c-9b1e-2f4d5a6b7c8d"}}
    assert neutron_error(post(demo_api, "routers", "router", missing)) == (404, "NetworkNotFound")


def test_other_projects_routers_are_hidden_and_the_quota_holds(demo_api, admin_api, nets):
    mine = post(admin_api, "routers", "router", {"name": "admins"}).json()["router"]
    assert neutron_error(demo_api.get(f"{V2}/routers/{mine['id']}")) == (404, "RouterNotFound")
    assert neutron_error(demo_api.delete(f"{V2}/routers/{mine['id']}")) == (404, "RouterNotFound")
    assert demo_api.get(f"{V2}/routers").json()["routers"] == []
    project = nets["private"]["project_id"]
    assert admin_api.put(f"{V2}/quotas/{project}", {"quota": {"router": 1}}, format="json").status_code == 200
    assert post(demo_api, "routers", "router", {"name": "one"}).status_code == 201
    assert neutron_error(post(demo_api, "routers", "router", {"name": "two"})) == (409, "OverQuota")
    used = demo_api.get(f"{V2}/quotas/{project}/details").json()["quota"]["router"]
    assert used == {"limit": 1, "used": 1, "reserved": 0}
