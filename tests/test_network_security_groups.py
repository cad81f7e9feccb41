"""Network v2.0 security groups and rules (Neutron wire format and rules)."""

from __future__ import annotations

import pytest
from django.urls import include, path
from rest_framework.test import APIClient

from networks.models import SecurityGroup

urlpatterns = [path("identity", include("identity.urls")), path("network", include("networks.api.urls"))]
handler404 = "core.errors.handler404"
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
V2 = "/network/v2.0"


def create_group(api: APIClient, name: str = "web", **extra):
    return api.post(f"{V2}/security-groups", {"security_group": {"name": name, **extra}}, format="json")


def create_rule(api: APIClient, group_id: str, **rule):
    body = {"security_group_id": group_id, "direction": "ingress", **rule}
    return api.post(f"{V2}/security-group-rules", {"security_group_rule": body}, format="json")


def error_type(response) -> str:
    return response.json()["NeutronError"]["type"]


def test_the_default_group_is_made_on_first_use_with_neutrons_rules(demo_api):
    groups = demo_api.get(f"{V2}/security-groups").json()["security_groups"]
    assert [group["name"] for group in groups] == ["default"]
    default = groups[0]
    assert default["stateful"] is True and default["shared"] is False and default["tenant_id"] == default["project_id"]
    rules = {(r["direction"], r["ethertype"], r["remote_group_id"]) for r in default["security_group_rules"]}
    assert rules == {
        ("ingress", "IPv4", default["id"]),
        ("ingress", "IPv6", default["id"]),
        ("egress", "IPv4", None),
        ("egress", "IPv6", None),
    }
    assert all(rule["belongs_to_default_sg"] for rule in default["security_group_rules"])
    demo_api.get(f"{V2}/security-groups")
    assert SecurityGroup.objects.filter(name="default").count() == 1
    renamed = demo_api.put(f"{V2}/security-groups/{default['id']}", {"security_group": {"name": "x"}}, format="json")
    assert renamed.status_code == 409 and error_type(renamed) == "SecurityGroupCannotUpdateDefault"
    deleted = demo_api.delete(f"{V2}/security-groups/{default['id']}")
    assert deleted.status_code == 409 and error_type(deleted) == "SecurityGroupCannotRemoveDefault"
    assert create_group(demo_api, "default").status_code == 409


def test_group_create_show_update_filter_delete(demo_api, admin_api):
    created = create_group(demo_api, "web", description="front")
    assert created.status_code == 201, created.content
    group = created.json()["security_group"]
    assert {(r["direction"], r["ethertype"]) for r in group["security_group_rules"]} == {
        ("egress", "IPv4"),
        ("egress", "IPv6"),
    }
    shown = demo_api.get(f"{V2}/security-groups/{group['id']}").json()["security_group"]
    assert shown == group
    update = {"security_group": {"name": "web2", "description": "d"}}
    updated = demo_api.put(f"{V2}/security-groups/{group['id']}", update, format="json").json()["security_group"]
    assert (updated["name"], updated["description"]) == ("web2", "d")
    found = demo_api.get(f"{V2}/security-groups", {"name": "web2", "fields": "id"}).json()["security_groups"]
    assert found == [{"id": group["id"]}]
    other = create_group(admin_api, "admins").json()["security_group"]
    assert demo_api.get(f"{V2}/security-groups/{other['id']}").status_code == 404
    assert demo_api.get(f"{V2}/security-groups/not-a-uuid").status_code == 404
    assert demo_api.delete(f"{V2}/security-groups/{group['id']}").status_code == 204
    missing = demo_api.get(f"{V2}/security-groups/{group['id']}")
    assert missing.status_code == 404 and error_type(missing) == "SecurityGroupNotFound"


def test_rules_are_checked_as_neutron_checks_them(demo_api):
    group = create_group(demo_api).json()["security_group"]
    ok = create_rule(demo_api, group["id"], protocol="tcp", port_range_min=22, port_range_max=22)
    assert ok.status_code == 201, ok.content
    rule = ok.json()["security_group_rule"]
    assert rule["remote_ip_prefix"] is None and rule["belongs_to_default_sg"] is False
    again = create_rule(demo_api, group["id"], protocol="6", port_range_min=22, port_range_max=22)
    assert again.status_code == 409 and error_type(again) == "SecurityGroupRuleExists"
    assert rule["id"] in again.json()["NeutronError"]["message"]
    cases: list[tuple[dict[str, object], str]] = [
        ({"protocol": "tcp", "port_range_min": 30, "port_range_max": 20}, "SecurityGroupInvalidPortRange"),
        ({"protocol": "bogus"}, "SecurityGroupRuleInvalidProtocol"),
        ({"port_range_min": 22, "port_range_max": 22}, "SecurityGroupProtocolRequiredWithPorts"),
        ({"protocol": "icmp", "port_range_max": 3}, "SecurityGroupMissingIcmpType"),
        ({"protocol": "icmp", "port_range_min": 300}, "SecurityGroupInvalidIcmpValue"),
        ({"protocol": "gre", "port_range_min": 1, "port_range_max": 2}, "SecurityGroupInvalidProtocolForPort"),
        ({"remote_ip_prefix": "::/0"}, "SecurityGroupRuleParameterConflict"),
        ({"ethertype": "IPv5"}, "SecurityGroupRuleInvalidEtherType"),
        (
            {"remote_ip_prefix": "10.0.0.0/8", "remote_group_id": group["id"]},
            "SecurityGroupRemoteGroupAndRemoteIpPrefix",
        ),
    ]
    for body, kind in cases:
        refused = create_rule(demo_api, group["id"], **body)
        assert refused.status_code == 400 and error_type(refused) == kind, (body, refused.content)
    assert create_rule(demo_api, group["id"], direction="sideways").status_code == 400
    assert create_rule(demo_api, group["id"], protocol="tcp", port_range_min=70000).status_code == 400
    assert create_rule(demo_api, group["id"], remote_ip_prefix="nonsense").status_code == 400
    host = create_rule(demo_api, group["id"], protocol="icmp", remote_ip_prefix="10.1.2.3").json()[
        "security_group_rule"
    ]
    assert host["remote_ip_prefix"] == "10.1.2.3/32" and host["port_range_min"] is None
    missing = create_rule(demo_api, "8f8a4d3c-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and error_type(missing) == "SecurityGroupNotFound"
    listed = demo_api.get(f"{V2}/security-group-rules", {"security_group_id": group["id"], "protocol": "tcp"})
    assert [r["id"] for r in listed.json()["security_group_rules"]] == [rule["id"]]
    assert demo_api.get(f"{V2}/security-group-rules/{rule['id']}").json()["security_group_rule"] == rule
    assert demo_api.delete(f"{V2}/security-group-rules/{rule['id']}").status_code == 204
    gone = demo_api.delete(f"{V2}/security-group-rules/{rule['id']}")
    assert gone.status_code == 404 and error_type(gone) == "SecurityGroupRuleNotFound"


def test_a_rule_naming_a_deleted_group_goes_with_it(demo_api):
    first = create_group(demo_api, "a").json()["security_group"]
    second = create_group(demo_api, "b").json()["security_group"]
    assert create_rule(demo_api, first["id"], protocol="tcp", remote_group_id=second["id"]).status_code == 201
    assert demo_api.delete(f"{V2}/security-groups/{second['id']}").status_code == 204
    rules = demo_api.get(f"{V2}/security-groups/{first['id']}").json()["security_group"]["security_group_rules"]
    assert all(rule["direction"] == "egress" for rule in rules)


def test_ports_carry_groups_and_groups_in_use_stay(demo_api):
    network = demo_api.post(f"{V2}/networks", {"network": {"name": "n"}}, format="json").json()["network"]
    demo_api.post(f"{V2}/subnets", {"subnet": {"network_id": network["id"], "cidr": "10.9.0.0/24"}}, format="json")
    port = demo_api.post(f"{V2}/ports", {"port": {"network_id": network["id"]}}, format="json").json()["port"]
    default = demo_api.get(f"{V2}/security-groups", {"name": "default"}).json()["security_groups"][0]
    assert port["security_groups"] == [default["id"]]
    web = create_group(demo_api).json()["security_group"]
    body = {"port": {"security_groups": [web["id"]]}}
    updated = demo_api.put(f"{V2}/ports/{port['id']}", body, format="json").json()["port"]
    assert updated["security_groups"] == [web["id"]]
    in_use = demo_api.delete(f"{V2}/security-groups/{web['id']}")
    assert in_use.status_code == 409 and error_type(in_use) == "SecurityGroupInUse"
    bare = {"port": {"network_id": network["id"], "security_groups": []}}
    assert demo_api.post(f"{V2}/ports", bare, format="json").json()["port"]["security_groups"] == []


def test_quotas_count_groups_and_rules(demo_api, admin_api):
    project = demo_api.get(f"{V2}/security-groups").json()["security_groups"][0]["project_id"]
    limits = {"quota": {"security_group": 2, "security_group_rule": 100}}
    assert admin_api.put(f"{V2}/quotas/{project}", limits, format="json").status_code == 200
    assert create_group(demo_api, "one").status_code == 201
    over = create_group(demo_api, "two")
    assert over.status_code == 409 and error_type(over) == "OverQuota"
    details = demo_api.get(f"{V2}/quotas/{project}/details").json()["quota"]
    assert details["security_group"] == {"limit": 2, "used": 2, "reserved": 0}
    assert details["security_group_rule"]["used"] == 6
    extensions = {e["alias"] for e in demo_api.get(f"{V2}/extensions").json()["extensions"]}
    assert "security-group" in extensions
