"""os-quota-sets and /limits over HTTP: keys per microversion, detail usage, defaults, admin
updates with validation and the usage check (unless forced), revert, and policy."""

from __future__ import annotations

import pytest

from core.exceptions import BadRequest, PolicyNotAuthorized
from core.principal import Caller
from identity.models import Project
from servers.models import QuotaLimit, QuotaUsage
from servers.services import quotas

pytestmark = pytest.mark.django_db
BASE = "/compute/v2.1/os-quota-sets"
CORE_KEYS = {"instances", "cores", "ram", "metadata_items", "key_pairs", "server_groups", "server_group_members"}
INJECTED = {"injected_files", "injected_file_content_bytes", "injected_file_path_bytes"}


def mv(version: str) -> dict:
    return {"HTTP_OPENSTACK_API_VERSION": f"compute {version}"}


@pytest.fixture
def demo_project(cloud) -> str:
    return Project.objects.get(name="demo").id


def test_show_keys_per_version(demo_api, demo_project):
    at_256 = demo_api.get(f"{BASE}/{demo_project}", **mv("2.56")).json()["quota_set"]
    assert set(at_256) == CORE_KEYS | INJECTED | {"id"}
    assert (
        at_256["id"] == demo_project and at_256["instances"] == 10 and at_256["cores"] == 20 and at_256["ram"] == 51200
    )
    at_257 = demo_api.get(f"{BASE}/{demo_project}", {"user_id": "whoever"}, **mv("2.57")).json()["quota_set"]
    assert set(at_257) == CORE_KEYS | {"id"}
    assert "floating_ips" not in demo_api.get(f"{BASE}/{demo_project}").json()["quota_set"]


def test_detail_reports_usage(demo_api, demo_project):
    QuotaUsage.objects.create(project_id=demo_project, resource="instances", in_use=2)
    QuotaUsage.objects.create(project_id=demo_project, resource="cores", in_use=3)
    detail = demo_api.get(f"{BASE}/{demo_project}/detail", **mv("2.56")).json()["quota_set"]
    assert detail["instances"] == {"in_use": 2, "limit": 10, "reserved": 0}
    assert detail["cores"]["in_use"] == 3 and detail["ram"]["in_use"] == 0
    assert detail["injected_files"]["limit"] == 5


def test_defaults(demo_api, demo_project):
    QuotaLimit.objects.create(project_id=demo_project, resource="instances", hard_limit=3)
    defaults = demo_api.get(f"{BASE}/{demo_project}/defaults", **mv("2.60")).json()["quota_set"]
    assert defaults["instances"] == 10 and set(defaults) == CORE_KEYS | {"id"}


def test_members_read_only_their_own_project(demo_api, demo_project):
    admin_project = Project.objects.get(name="admin").id
    response = demo_api.get(f"{BASE}/{admin_project}")
    assert response.status_code == 403 and "forbidden" in response.json()
    assert demo_api.get(f"{BASE}/{admin_project}/detail").status_code == 403
    assert demo_api.put(f"{BASE}/{demo_project}", {"quota_set": {"instances": 50}}, format="json").status_code == 403
    assert demo_api.delete(f"{BASE}/{demo_project}").status_code == 403


def test_admin_update_and_revert(admin_api, demo_project):
    body = {"quota_set": {"instances": 50, "cores": "64", "ram": -1}}
    response = admin_api.put(f"{BASE}/{demo_project}", body, format="json", **mv("2.56"))
    assert response.status_code == 200, response.content
    quota = response.json()["quota_set"]
    assert quota["instances"] == 50 and quota["cores"] == 64 and quota["ram"] == -1
    assert admin_api.get(f"{BASE}/{demo_project}").json()["quota_set"]["instances"] == 50
    assert admin_api.delete(f"{BASE}/{demo_project}").status_code == 202
    assert admin_api.get(f"{BASE}/{demo_project}").json()["quota_set"]["instances"] == 10
    assert not QuotaLimit.objects.filter(project_id=demo_project).exists()


def test_limit_below_usage_needs_force(admin_api, demo_project):
    QuotaUsage.objects.create(project_id=demo_project, resource="instances", in_use=4)
    refused = admin_api.put(f"{BASE}/{demo_project}", {"quota_set": {"instances": 2}}, format="json")
    assert refused.status_code == 400 and "badRequest" in refused.json()
    forced = admin_api.put(f"{BASE}/{demo_project}", {"quota_set": {"instances": 2, "force": True}}, format="json")
    assert forced.status_code == 200 and forced.json()["quota_set"]["instances"] == 2


def test_old_keys_ignored_below_their_removal(admin_api, demo_project):
    old = {"quota_set": {"floating_ips": 5, "injected_files": 3, "instances": 7}}
    assert admin_api.put(f"{BASE}/{demo_project}", old, format="json", **mv("2.35")).status_code == 200
    assert (
        admin_api.put(
            f"{BASE}/{demo_project}", {"quota_set": {"floating_ips": 5}}, format="json", **mv("2.36")
        ).status_code
        == 400
    )
    assert (
        admin_api.put(
            f"{BASE}/{demo_project}", {"quota_set": {"injected_files": 5}}, format="json", **mv("2.57")
        ).status_code
        == 400
    )


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "x",
        {},
        {"quota_set": "x"},
        {"quota_set": {"instances": -2}},
        {"quota_set": {"instances": "ten"}},
        {"quota_set": {"instances": 1.5}},
        {"quota_set": {"instances": True}},
        {"quota_set": {"instances": None}},
        {"quota_set": {"bogus": 1}},
        {"quota_set": {"instances": 1, "force": "perhaps"}},
        {"quota_set": {"instances": 2**40}},
        {"quota_set": {}, "extra": 1},
    ],
)
def test_bad_update_bodies_are_400(admin_api, demo_project, body):
    response = admin_api.put(f"{BASE}/{demo_project}", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["badRequest"]["code"] == 400


def test_limits(demo_api, demo_project):
    QuotaUsage.objects.create(project_id=demo_project, resource="instances", in_use=1)
    QuotaUsage.objects.create(project_id=demo_project, resource="ram", in_use=128)
    QuotaLimit.objects.create(project_id=demo_project, resource="cores", hard_limit=8)
    limits = demo_api.get("/compute/v2.1/limits", **mv("2.57")).json()["limits"]
    assert limits["rate"] == []
    absolute = limits["absolute"]
    assert absolute == {
        "maxTotalInstances": 10,
        "maxTotalCores": 8,
        "maxTotalRAMSize": 51200,
        "maxServerMeta": 128,
        "maxTotalKeypairs": 100,
        "maxServerGroups": 10,
        "maxServerGroupMembers": 10,
        "totalInstancesUsed": 1,
        "totalCoresUsed": 0,
        "totalRAMUsed": 128,
        "totalServerGroupsUsed": 0,
    }
    old = demo_api.get("/compute/v2.1/limits").json()["limits"]["absolute"]
    assert old["maxPersonality"] == 5 and "maxImageMeta" in old


def test_limits_of_another_project_is_admin_only(demo_api, admin_api, demo_project):
    admin_project = Project.objects.get(name="admin").id
    assert demo_api.get("/compute/v2.1/limits", {"tenant_id": admin_project}).status_code == 403
    QuotaUsage.objects.create(project_id=demo_project, resource="instances", in_use=3)
    absolute = admin_api.get("/compute/v2.1/limits", {"tenant_id": demo_project}).json()["limits"]["absolute"]
    assert absolute["totalInstancesUsed"] == 3


# --- the service layer refuses members, whoever calls it ---------------------------------

MEMBER_QUOTA_CALLS = {
    "os_compute_api:os-quota-sets:update": lambda member, own, other: quotas.set_limits(member, own, {"instances": 50}),
    "os_compute_api:os-quota-sets:delete": lambda member, own, other: quotas.revert_limits(member, own),
    "os_compute_api:os-quota-sets:show": lambda member, own, other: quotas.project_limits(member, other),
    "os_compute_api:limits:other_project": lambda member, own, other: quotas.absolute_limits(member, other),
}


@pytest.mark.parametrize("rule", sorted(MEMBER_QUOTA_CALLS))
def test_quota_admin_calls_are_refused_by_the_service_layer(demo_project, rule):
    QuotaLimit.objects.create(project_id=demo_project, resource="instances", hard_limit=3)
    member = Caller("demo-user", demo_project, is_admin=False)
    admin_project = Project.objects.get(name="admin").id
    with pytest.raises(PolicyNotAuthorized) as refused:
        MEMBER_QUOTA_CALLS[rule](member, demo_project, admin_project)
    assert refused.value.rule == rule
    assert list(QuotaLimit.objects.values_list("project_id", "resource", "hard_limit")) == [
        (demo_project, "instances", 3)
    ]
    with pytest.raises(PolicyNotAuthorized):
        quotas.quota_detail(member, admin_project)
    assert quotas.project_limits(member, demo_project)["instances"] == 3  # her own: allowed


def test_set_limits_keeps_novas_words_below_usage(demo_project):
    QuotaUsage.objects.create(project_id=demo_project, resource="instances", in_use=4)
    admin = Caller("admin-user", "admin-project", is_admin=True)
    with pytest.raises(BadRequest) as refused:
        quotas.set_limits(admin, demo_project, {"instances": 2})
    assert str(refused.value) == (
        "Quota limit 2 for instances must be greater than or equal to already used and reserved 4."
    )
    quotas.set_limits(admin, demo_project, {"instances": 2}, force=True)
    assert quotas.limits_for(demo_project)["instances"] == 2
