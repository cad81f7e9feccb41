"""os-quota-sets and /limits over HTTP: keys per microversion, detail usage, defaults, admin
updates with validation and the usage check (unless forced), revert, and policy."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import BadRequest, PolicyNotAuthorized
from core.principal import Caller
from identity.models import Project
from servers.models import QuotaClassLimit, QuotaLimit, QuotaUsage, Server
from servers.services import quotas

pytestmark = pytest.mark.django_db
BASE = "/compute/v2.1/os-quota-sets"
CORE_KEYS = {"instances", "cores", "ram", "metadata_items", "key_pairs", "server_groups", "server_group_members"}
INJECTED = {"injected_files", "injected_file_content_bytes", "injected_file_path_bytes"}
NETWORK = {"fixed_ips", "floating_ips", "security_groups", "security_group_rules"}
KEYS_AT = {"2.1": CORE_KEYS | INJECTED | NETWORK, "2.35": CORE_KEYS | INJECTED | NETWORK}
KEYS_AT.update({"2.36": CORE_KEYS | INJECTED, "2.56": CORE_KEYS | INJECTED, "2.57": CORE_KEYS, "2.90": CORE_KEYS})


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
    # Below 2.36 Nova still shows the nova-network proxies, unlimited by default; this test
    # used to pin their absence at 2.1.
    at_21 = demo_api.get(f"{BASE}/{demo_project}").json()["quota_set"]
    assert set(at_21) == CORE_KEYS | INJECTED | NETWORK | {"id"}
    assert {key: at_21[key] for key in NETWORK} == dict.fromkeys(NETWORK, -1)
    assert {key: at_21[key] for key in INJECTED} == {
        "injected_files": 5,
        "injected_file_content_bytes": 10240,
        "injected_file_path_bytes": 255,
    }


@pytest.mark.parametrize("version", sorted(KEYS_AT))
def test_every_answer_has_the_keys_of_its_version(admin_api, demo_project, version):
    """Show, detail, defaults and update, as Tempest's schemas per version check them
    (additionalProperties false; the update answer has no id)."""
    keys = KEYS_AT[version]
    shown = admin_api.get(f"{BASE}/{demo_project}", **mv(version)).json()["quota_set"]
    assert set(shown) == keys | {"id"}
    detail = admin_api.get(f"{BASE}/{demo_project}/detail", **mv(version)).json()["quota_set"]
    assert set(detail) == keys | {"id"}
    assert all(set(detail[key]) == {"in_use", "limit", "reserved"} for key in keys)
    defaults = admin_api.get(f"{BASE}/{demo_project}/defaults", **mv(version)).json()["quota_set"]
    assert set(defaults) == keys | {"id"}
    updated = admin_api.put(f"{BASE}/{demo_project}", {"quota_set": {"ram": "5120"}}, format="json", **mv(version))
    assert updated.status_code == 200, updated.content
    assert set(updated.json()["quota_set"]) == keys and updated.json()["quota_set"]["ram"] == 5120


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


def test_old_keys_stored_below_their_removal(admin_api, demo_project):
    """Nova keeps what a PUT sets for the network proxies (below 2.36) and the personality
    limits (below 2.57); this test used to pin them as ignored."""
    old = {"quota_set": {"floating_ips": 5, "security_group_rules": 20, "injected_files": 3, "instances": 7}}
    answer = admin_api.put(f"{BASE}/{demo_project}", old, format="json", **mv("2.35")).json()["quota_set"]
    assert answer["floating_ips"] == 5 and answer["security_group_rules"] == 20 and answer["injected_files"] == 3
    shown = admin_api.get(f"{BASE}/{demo_project}").json()["quota_set"]
    assert shown["floating_ips"] == 5 and shown["fixed_ips"] == -1 and shown["instances"] == 7
    limits = admin_api.get("/compute/v2.1/limits").json()["limits"]["absolute"]
    assert limits["maxPersonality"] == 5  # the admin's own project keeps the default
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


LIMIT_KEYS = {
    "maxTotalInstances",
    "maxTotalCores",
    "maxTotalRAMSize",
    "maxServerMeta",
    "maxTotalKeypairs",
    "maxServerGroups",
    "maxServerGroupMembers",
    "totalInstancesUsed",
    "totalCoresUsed",
    "totalRAMUsed",
    "totalServerGroupsUsed",
}
NETWORK_LIMITS = {
    "maxTotalFloatingIps",
    "maxSecurityGroups",
    "maxSecurityGroupRules",
    "totalFloatingIpsUsed",
    "totalSecurityGroupsUsed",
}
PERSONALITY_LIMITS = {"maxPersonality", "maxPersonalitySize"}


@pytest.mark.parametrize(
    ("version", "keys"),
    [
        ("2.1", LIMIT_KEYS | NETWORK_LIMITS | PERSONALITY_LIMITS | {"maxImageMeta"}),
        ("2.35", LIMIT_KEYS | NETWORK_LIMITS | PERSONALITY_LIMITS | {"maxImageMeta"}),
        ("2.36", LIMIT_KEYS | PERSONALITY_LIMITS | {"maxImageMeta"}),
        ("2.38", LIMIT_KEYS | PERSONALITY_LIMITS | {"maxImageMeta"}),
        ("2.39", LIMIT_KEYS | PERSONALITY_LIMITS),
        ("2.56", LIMIT_KEYS | PERSONALITY_LIMITS),
        ("2.57", LIMIT_KEYS),
    ],
)
def test_limit_keys_per_version(demo_api, version, keys):
    """Tempest's v2_1, v2_36, v2_39 and v2_57 limits schemas (additionalProperties false)."""
    absolute = demo_api.get("/compute/v2.1/limits", **mv(version)).json()["limits"]["absolute"]
    assert set(absolute) == keys
    if "maxSecurityGroups" in keys:
        assert absolute["maxSecurityGroups"] == absolute["maxSecurityGroupRules"] == -1
        assert absolute["maxTotalFloatingIps"] == -1
        assert absolute["totalFloatingIpsUsed"] == absolute["totalSecurityGroupsUsed"] == 0
    if "maxPersonality" in keys:
        assert absolute["maxPersonality"] == 5 and absolute["maxPersonalitySize"] == 10240


def test_limits_of_another_project_is_admin_only(demo_api, admin_api, demo_project):
    admin_project = Project.objects.get(name="admin").id
    assert demo_api.get("/compute/v2.1/limits", {"tenant_id": admin_project}).status_code == 403
    # Naming any project takes the other-project rule in Nova, one's own included.
    assert demo_api.get("/compute/v2.1/limits", {"tenant_id": demo_project}).status_code == 403
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


# --- per-user quotas, project checks, query strictness ----------------------------------------


def test_user_quotas_default_to_the_project_and_are_set_within_it(admin_api, demo_project):
    """Tempest's test_get_updated_quotas: a project limit, then a user's within it."""
    user = "u-1"
    assert admin_api.put(f"{BASE}/{demo_project}", {"quota_set": {"ram": "5120"}}, format="json").status_code == 200
    detail = admin_api.get(f"{BASE}/{demo_project}/detail").json()["quota_set"]
    assert detail["ram"]["limit"] == 5120
    as_user = admin_api.get(f"{BASE}/{demo_project}", {"user_id": user}).json()["quota_set"]
    assert as_user["ram"] == 5120 and as_user["id"] == demo_project
    response = admin_api.put(
        f"{BASE}/{demo_project}?user_id={user}", {"quota_set": {"ram": "2048"}}, format="json", **mv("2.57")
    )
    assert response.status_code == 200, response.content
    assert response.json()["quota_set"]["ram"] == 2048 and "id" not in response.json()["quota_set"]
    assert admin_api.get(f"{BASE}/{demo_project}", {"user_id": user}).json()["quota_set"]["ram"] == 2048
    assert admin_api.get(f"{BASE}/{demo_project}").json()["quota_set"]["ram"] == 5120
    # A user gets at most what the project has left: 5120 - 2048 handed out + the user's own.
    too_much = admin_api.put(f"{BASE}/{demo_project}?user_id={user}", {"quota_set": {"ram": 5121}}, format="json")
    assert too_much.status_code == 400
    assert too_much.json()["badRequest"]["message"] == "Quota limit 5121 for ram must be less than or equal to 5120."
    other = admin_api.put(f"{BASE}/{demo_project}?user_id=u-2", {"quota_set": {"ram": 3073}}, format="json")
    assert other.status_code == 400
    fits = admin_api.put(f"{BASE}/{demo_project}?user_id=u-2", {"quota_set": {"ram": 3072}}, format="json")
    assert fits.status_code == 200
    # The project's limit covers what its users' limits hand out.
    below = admin_api.put(f"{BASE}/{demo_project}", {"quota_set": {"ram": 1000}}, format="json")
    assert below.status_code == 400
    assert below.json()["badRequest"]["message"] == (
        "Quota limit 1000 for ram must be greater than or equal to already used and reserved 5120."
    )
    forced = {"quota_set": {"ram": 8000, "force": "true"}}
    assert admin_api.put(f"{BASE}/{demo_project}?user_id=u-3", forced, format="json").status_code == 200
    # Deleting a user's quotas leaves the project's; deleting the project's removes both.
    assert admin_api.delete(f"{BASE}/{demo_project}?user_id={user}").status_code == 202
    assert admin_api.get(f"{BASE}/{demo_project}", {"user_id": user}).json()["quota_set"]["ram"] == 5120
    assert admin_api.delete(f"{BASE}/{demo_project}").status_code == 202
    for other_user in ("u-2", "u-3"):
        assert admin_api.get(f"{BASE}/{demo_project}", {"user_id": other_user}).json()["quota_set"]["ram"] == 51200


def test_user_detail_counts_the_users_servers(admin_api, demo_project):
    flavor = {"vcpus": 2, "memory_mb": 256}
    for user in ("u-1", "u-1", "u-2"):
        Server.objects.create(name="vm", project_id=demo_project, user_id=user, flavor=flavor, vm_state="active")
    detail = admin_api.get(f"{BASE}/{demo_project}/detail", {"user_id": "u-1"}).json()["quota_set"]
    assert detail["instances"]["in_use"] == 2 and detail["cores"]["in_use"] == 4 and detail["ram"]["in_use"] == 512
    assert detail["key_pairs"]["in_use"] == 0
    below = admin_api.put(f"{BASE}/{demo_project}?user_id=u-1", {"quota_set": {"instances": 1}}, format="json")
    assert below.status_code == 400


def test_quotas_of_a_project_that_does_not_exist_are_400(admin_api, demo_api):
    for response in (
        admin_api.get(f"{BASE}/nosuchproject"),
        admin_api.get(f"{BASE}/nosuchproject/detail"),
        admin_api.get(f"{BASE}/nosuchproject/defaults"),
        admin_api.put(f"{BASE}/nosuchproject", {"quota_set": {"ram": 1}}, format="json"),
    ):
        assert response.status_code == 400
        assert response.json()["badRequest"]["message"] == "Project ID nosuchproject is not a valid project."
    # A member cannot tell whether another project exists: Keystone refuses to say.
    assert demo_api.get(f"{BASE}/nosuchproject/defaults").status_code == 200


def test_unknown_query_parameters_from_2_75(admin_api, demo_project, settings):
    settings.COMPUTE_MAX_MICROVERSION = "2.104"
    assert admin_api.get(f"{BASE}/{demo_project}", {"bogus": 1}, **mv("2.74")).status_code == 200
    for path in (f"{BASE}/{demo_project}", f"{BASE}/{demo_project}/detail", "/compute/v2.1/limits"):
        assert admin_api.get(path, {"bogus": 1}, **mv("2.75")).status_code == 400
    assert admin_api.get(f"{BASE}/{demo_project}", {"user_id": "u"}, **mv("2.75")).status_code == 200
    assert admin_api.get(f"{BASE}/{demo_project}/defaults", {"bogus": 1}, **mv("2.101")).status_code == 200
    assert admin_api.get(f"{BASE}/{demo_project}/defaults", {"bogus": 1}, **mv("2.102")).status_code == 400


def test_a_projects_own_limit_wins_over_the_default_class_in_one_query(demo_project, settings):
    """limits_for: the configured limits, under the "default" class's rows, under the
    project's own rows (-1 included), read in one statement."""
    QuotaClassLimit.objects.create(class_name="default", resource="instances", hard_limit=5)
    QuotaClassLimit.objects.create(class_name="default", resource="cores", hard_limit=7)
    QuotaClassLimit.objects.create(class_name="other", resource="ram", hard_limit=1)
    QuotaLimit.objects.create(project_id=demo_project, resource="instances", hard_limit=3)
    QuotaLimit.objects.create(project_id=demo_project, resource="key_pairs", hard_limit=-1)
    QuotaLimit.objects.create(project_id="someone-else", resource="cores", hard_limit=1)
    with CaptureQueriesContext(connection) as queries:
        limits = quotas.limits_for(demo_project)
    assert len(queries) == 1
    assert (limits["instances"], limits["cores"], limits["key_pairs"]) == (3, 7, -1)
    assert limits["ram"] == settings.QUOTA_DEFAULTS["ram"]
    assert quotas.limits_for("another")["instances"] == 5
