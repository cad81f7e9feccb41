"""os-server-groups API: both create forms, policies per microversion, rules, quota, members,
isolation between projects, listing with all_projects and paging."""

from __future__ import annotations

import uuid

import pytest

from core.principal import Caller
from identity.models import Project, User
from servers.models import QuotaLimit, Server, ServerGroup, ServerGroupMember
from servers.services import groups

pytestmark = pytest.mark.django_db

URL = "/compute/v2.1/os-server-groups"
V215 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.15"}
V264 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.64"}


def create(api, headers=V264, **fields):
    body = {"name": "sg", **fields}
    return api.post(URL, {"server_group": body}, format="json", **headers)


def test_create_like_openstack_server_group_create(demo_api):
    response = create(demo_api, name="sg_cli", policy="anti-affinity")
    assert response.status_code == 200
    group = response.json()["server_group"]
    demo = Project.objects.get(name="demo").id
    assert group == {
        "id": group["id"],
        "name": "sg_cli",
        "policy": "anti-affinity",
        "rules": {},
        "members": [],
        "project_id": demo,
        "user_id": User.objects.get(name="demo").id,
    }
    assert demo_api.get(f"{URL}/{group['id']}", **V264).json()["server_group"] == group
    assert demo_api.delete(f"{URL}/{group['id']}", **V264).status_code == 204
    assert demo_api.get(f"{URL}/{group['id']}").status_code == 404


def test_policies_form_and_old_body(demo_api):
    response = create(demo_api, {}, policies=["affinity"])
    assert response.status_code == 200
    group = response.json()["server_group"]
    assert group["policies"] == ["affinity"] and group["metadata"] == {}
    assert "policy" not in group and "project_id" not in group  # project_id/user_id from 2.13
    at_213 = demo_api.get(f"{URL}/{group['id']}", HTTP_OPENSTACK_API_VERSION="compute 2.13").json()["server_group"]
    assert "project_id" in at_213 and at_213["policies"] == ["affinity"]
    # Both request forms are accepted at any version.
    assert create(demo_api, {}, policy="anti-affinity").status_code == 200
    assert create(demo_api, V264, policies=["anti-affinity"]).json()["server_group"]["policy"] == "anti-affinity"


def test_soft_policies_from_2_15(demo_api):
    assert create(demo_api, {}, policies=["soft-affinity"]).status_code == 400
    assert create(demo_api, V215, policies=["soft-anti-affinity"]).status_code == 200
    assert create(demo_api, V264, policy="soft-affinity").status_code == 200


def test_rules(demo_api):
    group = create(demo_api, policy="anti-affinity", rules={"max_server_per_host": 2}).json()["server_group"]
    assert group["rules"] == {"max_server_per_host": 2}
    only_anti = create(demo_api, policy="affinity", rules={"max_server_per_host": 2})
    assert (
        only_anti.status_code == 400
        and only_anti.json()["badRequest"]["message"] == "Only anti-affinity policy supports rules."
    )
    assert create(demo_api, policy="anti-affinity", rules={"max_server_per_host": 0}).status_code == 400
    assert create(demo_api, policy="anti-affinity", rules={"other": 1}).status_code == 400
    assert create(demo_api, V215, policies=["anti-affinity"], rules={"max_server_per_host": 1}).status_code == 400


@pytest.mark.parametrize(
    "fields",
    [
        {},  # no policy
        {"policy": "spread"},
        {"policies": []},
        {"policies": ["affinity", "anti-affinity"]},
        {"policies": "affinity"},
        {"policy": "affinity", "policies": ["affinity"]},
        {"policy": "affinity", "name": ""},
        {"policy": "affinity", "name": 7},
        {"policy": "affinity", "extra": True},
    ],
)
def test_bad_bodies_are_400(demo_api, fields):
    response = create(demo_api, **fields)
    assert response.status_code == 400 and response.json()["badRequest"]["code"] == 400


@pytest.mark.parametrize("body", [{}, {"server_group": []}, "x"])
def test_malformed_envelopes_are_400(demo_api, body):
    assert demo_api.post(URL, body, format="json").status_code == 400


def test_quota_is_403(demo_api):
    QuotaLimit.objects.create(project_id=Project.objects.get(name="demo").id, resource="server_groups", hard_limit=1)
    assert create(demo_api, policy="affinity").status_code == 200
    response = create(demo_api, policy="affinity")
    assert response.status_code == 403
    assert response.json()["forbidden"]["message"] == "Quota exceeded, too many server groups."
    assert ServerGroup.objects.count() == 1


def test_members_are_live_server_uuids(demo_api):
    group_id = create(demo_api, policy="anti-affinity").json()["server_group"]["id"]
    demo = Project.objects.get(name="demo").id
    flavor = {"flavorid": "42", "name": "cirros", "vcpus": 1, "memory_mb": 128, "root_gb": 1}
    live = Server.objects.create(name="a", project_id=demo, user_id="u", flavor=flavor)
    gone = Server.objects.create(name="b", project_id=demo, user_id="u", flavor=flavor, deleted=True)
    group = ServerGroup.objects.get(uuid=group_id)
    for server in (live, gone):
        ServerGroupMember.objects.create(group=group, server=server)
    assert demo_api.get(f"{URL}/{group_id}").json()["server_group"]["members"] == [str(live.uuid)]
    assert demo_api.get(URL).json()["server_groups"][0]["members"] == [str(live.uuid)]


def test_other_projects_and_all_projects(demo_api, admin_api):
    mine = create(demo_api, name="demo-sg", policy="affinity").json()["server_group"]["id"]
    theirs = create(admin_api, name="admin-sg", policy="affinity").json()["server_group"]["id"]
    assert demo_api.get(f"{URL}/{theirs}").status_code == 404
    assert demo_api.delete(f"{URL}/{theirs}").status_code == 404
    assert [g["id"] for g in demo_api.get(URL, {"all_projects": "True"}).json()["server_groups"]] == [mine]
    assert [g["id"] for g in admin_api.get(URL).json()["server_groups"]] == [theirs]
    every = [g["id"] for g in admin_api.get(URL, {"all_projects": "True"}).json()["server_groups"]]
    assert every == [mine, theirs]
    assert [
        g["id"] for g in admin_api.get(URL, {"all_projects": "1", "limit": 1, "offset": 1}).json()["server_groups"]
    ] == [theirs]
    assert admin_api.get(URL, {"offset": "x"}).status_code == 400
    assert admin_api.get(f"{URL}/{mine}").status_code == 200
    assert admin_api.delete(f"{URL}/{mine}").status_code == 204


def test_unknown_group_is_404(demo_api):
    for group_id in ("sg_cli", str(uuid.uuid4())):
        response = demo_api.get(f"{URL}/{group_id}")
        assert response.status_code == 404
        assert response.json()["itemNotFound"]["message"] == f"Instance group {group_id} could not be found."


def test_nul_and_huge_offsets_are_never_500(admin_api):
    assert admin_api.get(f"{URL}/a%00b").status_code == 404
    assert create(admin_api, name="a\x00", policy="affinity").status_code == 400
    assert admin_api.get(URL, {"offset": "9" * 30, "limit": "9" * 30}).json()["server_groups"] == []


def test_server_create_with_group_hint_adds_a_member(demo_api, django_capture_on_commit_callbacks):
    from novasite.demo import CIRROS_IMAGE_ID

    group_id = create(demo_api, policy="anti-affinity").json()["server_group"]["id"]
    body = {
        "server": {"name": "vm1", "imageRef": str(CIRROS_IMAGE_ID), "flavorRef": "42", "networks": []},
        "os:scheduler_hints": {"group": group_id},
    }
    with django_capture_on_commit_callbacks(execute=False):
        response = demo_api.post(
            "/compute/v2.1/servers", body, format="json", HTTP_OPENSTACK_API_VERSION="compute 2.37"
        )
    assert response.status_code == 202, response.content
    members = demo_api.get(f"{URL}/{group_id}").json()["server_group"]["members"]
    assert members == [response.json()["server"]["id"]]


def test_all_projects_is_the_service_layers_decision(demo_api, admin_api):
    mine = create(demo_api, name="demo-sg", policy="affinity").json()["server_group"]["id"]
    create(admin_api, name="admin-sg", policy="affinity")
    member = Caller(User.objects.get(name="demo").id, Project.objects.get(name="demo").id, is_admin=False)
    assert [str(group.uuid) for group in groups.list_groups(member, all_projects=True)] == [mine]
    admin = Caller(User.objects.get(name="admin").id, Project.objects.get(name="admin").id, is_admin=True)
    assert len(groups.list_groups(admin, all_projects=True)) == 2
