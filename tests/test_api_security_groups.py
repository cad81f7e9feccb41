"""Nova's network proxies over HTTP: os-security-groups, os-security-group-rules, a server's
groups and the add/removeSecurityGroup actions, os-networks and os-tenant-networks (all but
the actions end at 2.36)."""

from __future__ import annotations

import uuid

import pytest

from networks import ipam
from networks.models import Network, Port
from novasite.demo import CIRROS_IMAGE_ID
from servers.models import Server

from .servers_helpers import demo_server

pytestmark = pytest.mark.django_db
V21 = "/compute/v2.1"


def create_group(api, name="web", description="d"):
    return api.post(
        f"{V21}/os-security-groups", {"security_group": {"name": name, "description": description}}, format="json"
    )


def create_rule(api, **rule):
    return api.post(f"{V21}/os-security-group-rules", {"security_group_rule": rule}, format="json")


def message(response) -> str:
    return next(iter(response.json().values()))["message"]


@pytest.fixture
def server(demo_api):
    server = demo_server(host=None, node=None)
    provider = Network.objects.get(name="provider")
    ipam.bind_ports_for_server(str(server.uuid), server.project_id, [{"uuid": str(provider.id)}])
    return server


def test_groups_create_list_show_update_delete(demo_api, admin_api):
    created = create_group(demo_api, " web ")
    assert created.status_code == 200, created.content
    group = created.json()["security_group"]
    assert group["name"] == " web " and group["rules"] == []  # egress rules are not Nova's to show
    listed = demo_api.get(f"{V21}/os-security-groups").json()["security_groups"]
    assert [g["name"] for g in listed] == [" web ", "default"]  # by project, then name
    default = next(g for g in listed if g["name"] == "default")
    assert {rule["group"]["name"] for rule in default["rules"]} == {"default"}
    assert all(rule["ip_range"] == {} and rule["from_port"] is None for rule in default["rules"])
    assert demo_api.get(f"{V21}/os-security-groups/{group['id']}").json()["security_group"] == group
    update = {"security_group": {"name": "web2", "description": "new"}}
    updated = demo_api.put(f"{V21}/os-security-groups/{group['id']}", update, format="json").json()["security_group"]
    assert (updated["name"], updated["description"]) == ("web2", "new")
    assert demo_api.get(f"{V21}/os-security-groups/x").status_code == 400
    assert demo_api.get(f"{V21}/os-security-groups/{uuid.uuid4()}").status_code == 404
    assert demo_api.delete(f"{V21}/os-security-groups/{default['id']}").status_code == 400
    assert demo_api.delete(f"{V21}/os-security-groups/{group['id']}").status_code == 202
    assert demo_api.delete(f"{V21}/os-security-groups/{group['id']}").status_code == 404
    assert create_group(demo_api, "x" * 256).status_code == 400
    assert (
        demo_api.post(f"{V21}/os-security-groups", {"security_group": {"name": "n"}}, format="json").status_code == 400
    )
    old = {"HTTP_OPENSTACK_API_VERSION": "compute 2.36"}
    assert demo_api.get(f"{V21}/os-security-groups", **old).status_code == 404


def test_all_tenants_is_for_admins(demo_api, admin_api):
    mine = create_group(demo_api, "mine").json()["security_group"]
    theirs = create_group(admin_api, "theirs").json()["security_group"]
    everything = {
        g["id"] for g in admin_api.get(f"{V21}/os-security-groups?all_tenants=true").json()["security_groups"]
    }
    assert {mine["id"], theirs["id"]} <= everything
    own = {g["id"] for g in demo_api.get(f"{V21}/os-security-groups?all_tenants=true").json()["security_groups"]}
    assert mine["id"] in own and theirs["id"] not in own


def test_rules_as_nova_makes_and_checks_them(demo_api):
    group = create_group(demo_api).json()["security_group"]
    peer = create_group(demo_api, "peer").json()["security_group"]
    made = create_rule(demo_api, parent_group_id=group["id"], ip_protocol="tcp", from_port=22, to_port=22)
    assert made.status_code == 200, made.content
    rule = made.json()["security_group_rule"]
    assert rule["ip_range"] == {"cidr": "0.0.0.0/0"} and rule["group"] == {}
    assert (rule["parent_group_id"], rule["ip_protocol"], rule["from_port"], rule["to_port"]) == (
        group["id"],
        "tcp",
        22,
        22,
    )
    again = create_rule(demo_api, parent_group_id=group["id"], ip_protocol="tcp", from_port=22, to_port=22)
    assert again.status_code == 400 and message(again) == f"This rule already exists in group {group['id']}"
    cidr = create_rule(
        demo_api, parent_group_id=group["id"], ip_protocol="tcp", from_port=22, to_port=22, cidr="10.2.3.124/24"
    )
    assert cidr.json()["security_group_rule"]["ip_range"] == {"cidr": "10.2.3.124/24"}
    icmp = create_rule(demo_api, parent_group_id=group["id"], ip_protocol="icmp", from_port=-1, to_port=-1)
    assert (icmp.json()["security_group_rule"]["from_port"], icmp.json()["security_group_rule"]["to_port"]) == (-1, -1)
    by_group = create_rule(
        demo_api, parent_group_id=group["id"], ip_protocol="tcp", from_port=80, to_port=80, group_id=peer["id"]
    )
    assert by_group.json()["security_group_rule"]["group"] == {"name": "peer", "tenant_id": group["tenant_id"]}
    assert by_group.json()["security_group_rule"]["ip_range"] == {}
    cases: list[tuple[dict[str, object], str]] = [
        (
            {"ip_protocol": "tcp", "from_port": 22, "to_port": 21},
            "Invalid port range 22:21. Former value cannot be greater than the later",
        ),
        (
            {"ip_protocol": "tcp", "from_port": 70000, "to_port": 22},
            "Invalid port range 70000:22. Former value cannot be greater than the later",
        ),
        (
            {"ip_protocol": "tcp", "from_port": 22, "to_port": 70000},
            "Invalid port range 22:70000. Valid TCP ports should be between 1-65535",
        ),
        ({"ip_protocol": "999x", "from_port": 22, "to_port": 22}, "Invalid IP protocol 999x."),
        (
            {"ip_protocol": "tcp", "from_port": "a", "to_port": 22},
            "Invalid input received: To and From ports must be integers",
        ),
        ({"ip_protocol": "tcp"}, "Not enough parameters to build a valid rule."),
        ({"ip_protocol": "tcp", "from_port": 1, "to_port": 2, "cidr": "nope"}, "nope is not a valid IP network."),
        (
            {"ip_protocol": "tcp", "from_port": 1, "to_port": 2, "cidr": "10.0.0.0/0"},
            "Bad prefix for network in cidr 10.0.0.0/0",
        ),
    ]
    for body, expected in cases:
        refused = create_rule(demo_api, parent_group_id=group["id"], **body)
        assert refused.status_code == 400 and message(refused) == expected, (body, refused.content)
    assert create_rule(demo_api, parent_group_id="not-a-uuid", ip_protocol="tcp").status_code == 400
    assert (
        create_rule(demo_api, parent_group_id=str(uuid.uuid4()), ip_protocol="tcp", from_port=1, to_port=1).status_code
        == 404
    )
    shown = demo_api.get(f"{V21}/os-security-groups/{group['id']}").json()["security_group"]
    assert rule["id"] in {r["id"] for r in shown["rules"]}
    assert demo_api.delete(f"{V21}/os-security-group-rules/{rule['id']}").status_code == 202
    assert demo_api.delete(f"{V21}/os-security-group-rules/{rule['id']}").status_code == 404
    assert demo_api.delete(f"{V21}/os-security-group-rules/x").status_code == 400
    assert demo_api.delete(f"{V21}/os-security-groups/{peer['id']}").status_code == 202
    rules = demo_api.get(f"{V21}/os-security-groups/{group['id']}").json()["security_group"]["rules"]
    assert all(r["group"] == {} for r in rules)  # the rule naming the deleted group went with it


def test_server_groups_and_the_actions(demo_api, server):
    base = f"{V21}/servers/{server.uuid}"
    shown = demo_api.get(base).json()["server"]
    assert shown["security_groups"] == [{"name": "default"}]
    web = create_group(demo_api).json()["security_group"]
    assert demo_api.post(f"{base}/action", {"addSecurityGroup": {"name": "web"}}, format="json").status_code == 202
    names = [g["name"] for g in demo_api.get(f"{base}/os-security-groups").json()["security_groups"]]
    assert names == ["default", "web"]
    assert demo_api.delete(f"{V21}/os-security-groups/{web['id']}").status_code == 400  # in use
    missing = demo_api.post(f"{base}/action", {"addSecurityGroup": {"name": "nope"}}, format="json")
    assert missing.status_code == 404 and "is not found for project" in message(missing)
    assert demo_api.post(f"{base}/action", {"addSecurityGroup": {"name": " "}}, format="json").status_code == 400
    assert demo_api.post(f"{base}/action", {"addSecurityGroup": {}}, format="json").status_code == 400
    for name in ("web", "default"):
        assert (
            demo_api.post(f"{base}/action", {"removeSecurityGroup": {"name": name}}, format="json").status_code == 202
        )
    again = demo_api.post(f"{base}/action", {"removeSecurityGroup": {"name": "web"}}, format="json")
    assert again.status_code == 404 and "not associated with the instance" in message(again)
    assert "security_groups" not in demo_api.get(base).json()["server"]
    assert demo_api.delete(f"{V21}/os-security-groups/{web['id']}").status_code == 202


def test_create_applies_the_requested_groups_to_the_ports_it_makes(demo_api, django_capture_on_commit_callbacks):
    create_group(demo_api)
    provider = Network.objects.get(name="provider")
    body = {
        "name": "vm1",
        "imageRef": str(CIRROS_IMAGE_ID),
        "flavorRef": "42",
        "networks": [{"uuid": str(provider.id)}],
        "security_groups": [{"name": "web"}],
    }
    with django_capture_on_commit_callbacks(execute=False):
        response = demo_api.post(f"{V21}/servers", {"server": body}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["server"]["security_groups"] == [{"name": "web"}]
    server = Server.objects.get(uuid=response.json()["server"]["id"])
    ipam.bind_ports_for_server(str(server.uuid), server.project_id, server.requested_networks)
    port = Port.objects.get(device_id=str(server.uuid))
    assert [group.name for group in port.security_groups.all()] == ["web"]
    unknown = {**body, "security_groups": [{"name": "does_not_exist"}]}
    refused = demo_api.post(f"{V21}/servers", {"server": unknown}, format="json")
    assert refused.status_code == 400 and "does_not_exist" in message(refused)


def test_network_proxies(demo_api, admin_api):
    provider = Network.objects.get(name="provider")
    listed = demo_api.get(f"{V21}/os-networks").json()["networks"]
    entry = next(n for n in listed if n["id"] == str(provider.id))
    assert entry["label"] == "provider" and entry["cidr"] is None and "vlan" not in entry
    assert "vlan" in admin_api.get(f"{V21}/os-networks/{provider.id}").json()["network"]
    assert demo_api.get(f"{V21}/os-networks/{uuid.uuid4()}").status_code == 404
    tenant = demo_api.get(f"{V21}/os-tenant-networks/{provider.id}").json()["network"]
    assert tenant == {"id": str(provider.id), "cidr": "None", "label": "provider"}
    ids = [n["id"] for n in demo_api.get(f"{V21}/os-tenant-networks").json()["networks"]]
    assert str(provider.id) in ids
    late = {"HTTP_OPENSTACK_API_VERSION": "compute 2.36"}
    assert demo_api.get(f"{V21}/os-tenant-networks", **late).status_code == 404
