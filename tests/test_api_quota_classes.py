"""os-quota-class-sets over HTTP: a class's limits over the configured ones, the keys per
microversion (server group limits from 2.50, network proxies until 2.49, personality limits
until 2.56), the class "default" changing every project's defaults, policy and bad bodies."""

from __future__ import annotations

import pytest

from identity.models import Project

pytestmark = pytest.mark.django_db
BASE = "/compute/v2.1/os-quota-class-sets"
CORE = {"instances", "cores", "ram", "metadata_items", "key_pairs"}
GROUPS = {"server_groups", "server_group_members"}
INJECTED = {"injected_files", "injected_file_content_bytes", "injected_file_path_bytes"}
NETWORK = {"fixed_ips", "floating_ips", "security_groups", "security_group_rules"}


def mv(version: str) -> dict:
    return {"HTTP_OPENSTACK_API_VERSION": f"compute {version}"}


@pytest.mark.parametrize(
    ("version", "keys"),
    [
        ("2.1", CORE | INJECTED | NETWORK),
        ("2.49", CORE | INJECTED | NETWORK),
        ("2.50", CORE | GROUPS | INJECTED),
        ("2.56", CORE | GROUPS | INJECTED),
        ("2.57", CORE | GROUPS),
    ],
)
def test_keys_per_version(admin_api, version, keys):
    shown = admin_api.get(f"{BASE}/default", **mv(version)).json()["quota_class_set"]
    assert set(shown) == keys | {"id"} and shown["id"] == "default"
    body = {"quota_class_set": {key: shown[key] + 100 for key in keys}}
    updated = admin_api.put(f"{BASE}/default", body, format="json", **mv(version))
    assert updated.status_code == 200, updated.content
    assert updated.json()["quota_class_set"] == body["quota_class_set"]
    assert admin_api.get(f"{BASE}/default", **mv(version)).json()["quota_class_set"] == {
        "id": "default",
        **body["quota_class_set"],
    }


def test_the_default_class_is_every_projects_defaults(admin_api, demo_api):
    demo = Project.objects.get(name="demo").id
    assert admin_api.put(f"{BASE}/default", {"quota_class_set": {"instances": 25}}, format="json").status_code == 200
    assert demo_api.get(f"/compute/v2.1/os-quota-sets/{demo}/defaults").json()["quota_set"]["instances"] == 25
    assert demo_api.get(f"/compute/v2.1/os-quota-sets/{demo}").json()["quota_set"]["instances"] == 25
    assert demo_api.get("/compute/v2.1/limits").json()["limits"]["absolute"]["maxTotalInstances"] == 25
    other = admin_api.put(f"{BASE}/gold", {"quota_class_set": {"cores": 99}}, format="json")
    assert other.status_code == 200 and "id" not in other.json()["quota_class_set"]
    assert admin_api.get(f"{BASE}/gold").json()["quota_class_set"]["cores"] == 99
    assert demo_api.get(f"/compute/v2.1/os-quota-sets/{demo}").json()["quota_set"]["cores"] == 20


@pytest.mark.parametrize(
    ("version", "body"),
    [
        ("2.1", {"quota_class_set": {"bogus": 1}}),
        ("2.1", {"quota_class_set": {"instances": -2}}),
        ("2.1", {"quota_class_set": {"instances": "x"}}),
        ("2.1", {"quota_class_set": {"instances": 1, "force": True}}),
        ("2.1", {"quota_class_set": {}, "extra": 1}),
        ("2.1", {}),
        ("2.50", {"quota_class_set": {"floating_ips": 1}}),
        ("2.57", {"quota_class_set": {"injected_files": 1}}),
    ],
)
def test_bad_updates_are_400(admin_api, version, body):
    response = admin_api.put(f"{BASE}/default", body, format="json", **mv(version))
    assert response.status_code == 400, response.content


def test_admin_only(demo_api):
    for response, rule in (
        (demo_api.get(f"{BASE}/default"), "show"),
        (demo_api.put(f"{BASE}/default", {"quota_class_set": {"instances": 1}}, format="json"), "update"),
    ):
        assert response.status_code == 403
        assert response.json()["forbidden"]["message"] == (
            f"Policy doesn't allow os_compute_api:os-quota-class-sets:{rule} to be performed."
        )
