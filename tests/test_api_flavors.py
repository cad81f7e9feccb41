"""Flavor API: list filters, sorting and paging, create/update/delete (admin), tenant access,
extra specs, per-microversion bodies, policy (403/404) and Nova-format 400s."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import PolicyNotAuthorized
from core.principal import Caller
from identity.models import Project
from novasite.demo import CIRROS_IMAGE_ID
from servers.models import Flavor, FlavorAccess
from servers.services import flavors

pytestmark = pytest.mark.django_db

BASE = "/compute/v2.1"
V255 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.55"}
V261 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.61"}


def flavor_body(**overrides) -> dict:
    body = {
        "name": "f1",
        "ram": 256,
        "vcpus": 2,
        "disk": 5,
        "id": None,
        "swap": 0,
        "OS-FLV-EXT-DATA:ephemeral": 0,
        "os-flavor-access:is_public": False,
    }
    body.update(overrides)
    return {"flavor": body}


def create(api, headers=V261, **overrides):
    return api.post(f"{BASE}/flavors", flavor_body(**overrides), format="json", **headers)


def demo_project_id() -> str:
    return Project.objects.get(name="demo").id


# --- create, show, update, delete ---------------------------------------------------------


def test_create_like_openstack_flavor_create(admin_api):
    response = create(admin_api)
    assert response.status_code == 200, response.content
    flavor = response.json()["flavor"]
    assert len(flavor["id"]) == 36  # server-generated UUID for "id": null
    assert flavor["name"] == "f1" and flavor["ram"] == 256 and flavor["vcpus"] == 2 and flavor["disk"] == 5
    assert flavor["swap"] == "" and flavor["OS-FLV-EXT-DATA:ephemeral"] == 0
    assert flavor["os-flavor-access:is_public"] is False and flavor["OS-FLV-DISABLED:disabled"] is False
    assert flavor["rxtx_factor"] == 1.0 and flavor["description"] is None and flavor["extra_specs"] == {}
    assert flavor["links"][0]["href"].endswith(f"/compute/v2.1/flavors/{flavor['id']}")


def test_create_with_id_auto_swap_and_description(admin_api):
    response = create(admin_api, V255, id="auto", swap=512, description="small", rxtx_factor="2.5")
    flavor = response.json()["flavor"]
    assert response.status_code == 200 and flavor["swap"] == 512 and flavor["description"] == "small"
    assert flavor["rxtx_factor"] == 2.5 and "extra_specs" not in flavor
    explicit = create(admin_api, name="f2", id="my.flavor-1", ram="64").json()["flavor"]
    assert explicit["id"] == "my.flavor-1" and explicit["ram"] == 64


def test_body_by_microversion(admin_api):
    old = admin_api.get(f"{BASE}/flavors/42").json()["flavor"]
    assert "description" not in old and "extra_specs" not in old
    at_255 = admin_api.get(f"{BASE}/flavors/42", **V255).json()["flavor"]
    assert "description" in at_255 and "extra_specs" not in at_255
    assert "extra_specs" in admin_api.get(f"{BASE}/flavors/42", **V261).json()["flavor"]
    brief = admin_api.get(f"{BASE}/flavors", **V255).json()["flavors"][0]
    assert set(brief) == {"id", "name", "links", "description"}


def test_duplicates_are_409(admin_api):
    assert create(admin_api, id="dup").status_code == 200
    by_name = create(admin_api, id="other")
    assert by_name.status_code == 409
    assert by_name.json()["conflictingRequest"]["message"] == "Flavor with name f1 already exists."
    by_id = create(admin_api, name="f9", id="dup")
    assert by_id.status_code == 409 and "ID dup already exists" in by_id.json()["conflictingRequest"]["message"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"ram": 0},
        {"ram": -1},
        {"ram": "lots"},
        {"ram": True},
        {"vcpus": 0},
        {"disk": -1},
        {"swap": "x"},
        {"name": ""},
        {"name": " padded"},
        {"name": 5},
        {"id": "bad/id"},
        {"id": " x"},
        {"rxtx_factor": 0},
        {"rxtx_factor": "fast"},
        {"os-flavor-access:is_public": "maybe"},
        {"unknown": 1},
        {"ram": 2**40},
    ],
)
def test_bad_values_are_400(admin_api, overrides):
    response = create(admin_api, **overrides)
    assert response.status_code == 400, response.content
    assert response.json()["badRequest"]["code"] == 400


def test_description_needs_2_55(admin_api):
    assert create(admin_api, {}, description="too early").status_code == 400
    assert create(admin_api, V255, description=5).status_code == 400


@pytest.mark.parametrize("body", [{}, {"flavor": "x"}, [], {"flavor": {"name": "no-ram", "vcpus": 1, "disk": 1}}])
def test_malformed_bodies_are_400(admin_api, body):
    response = admin_api.post(f"{BASE}/flavors", body, format="json")
    assert response.status_code == 400 and "badRequest" in response.json()


def test_invalid_json_is_400(admin_api):
    response = admin_api.generic("POST", f"{BASE}/flavors", "{not json", content_type="application/json")
    assert response.status_code == 400 and "badRequest" in response.json()


def test_members_cannot_manage_flavors(demo_api):
    response = create(demo_api)
    assert response.status_code == 403
    assert "os-flavor-manage:create" in response.json()["forbidden"]["message"]
    assert demo_api.delete(f"{BASE}/flavors/42").status_code == 403
    assert (
        demo_api.put(f"{BASE}/flavors/42", {"flavor": {"description": "x"}}, format="json", **V255).status_code == 403
    )
    assert Flavor.objects.filter(flavorid="42").exists()


def test_update_description_from_2_55(admin_api):
    url = f"{BASE}/flavors/42"
    assert admin_api.put(url, {"flavor": {"description": "x"}}, format="json").status_code == 404
    response = admin_api.put(url, {"flavor": {"description": "tiny cirros"}}, format="json", **V255)
    assert response.status_code == 200 and response.json()["flavor"]["description"] == "tiny cirros"
    assert admin_api.put(url, {"flavor": {"name": "renamed"}}, format="json", **V255).status_code == 400
    assert (
        admin_api.put(f"{BASE}/flavors/nope", {"flavor": {"description": "x"}}, format="json", **V255).status_code
        == 404
    )


def test_delete_is_202_then_404(admin_api):
    flavor_id = create(admin_api).json()["flavor"]["id"]
    assert admin_api.delete(f"{BASE}/flavors/{flavor_id}").status_code == 202
    assert admin_api.get(f"{BASE}/flavors/{flavor_id}").status_code == 404
    missing = admin_api.delete(f"{BASE}/flavors/{flavor_id}")
    assert (
        missing.status_code == 404
        and missing.json()["itemNotFound"]["message"] == f"Flavor {flavor_id} could not be found."
    )


# --- listing --------------------------------------------------------------------------


def test_is_public_filters(admin_api, demo_api):
    private = create(admin_api).json()["flavor"]["id"]
    public_ids = {f["id"] for f in admin_api.get(f"{BASE}/flavors/detail").json()["flavors"]}
    assert private not in public_ids
    everything = {f["id"] for f in admin_api.get(f"{BASE}/flavors/detail", {"is_public": "None"}).json()["flavors"]}
    assert private in everything and public_ids < everything
    only_private = admin_api.get(f"{BASE}/flavors", {"is_public": "false"}).json()["flavors"]
    assert [f["id"] for f in only_private] == [private]
    assert admin_api.get(f"{BASE}/flavors", {"is_public": "perhaps"}).status_code == 400
    # Members: a private flavor is invisible (404) until shared with their project.
    assert private not in {
        f["id"] for f in demo_api.get(f"{BASE}/flavors/detail", {"is_public": "None"}).json()["flavors"]
    }
    assert demo_api.get(f"{BASE}/flavors/{private}").status_code == 404
    FlavorAccess.objects.create(flavor=Flavor.objects.get(flavorid=private), project_id=demo_project_id())
    assert private in {f["id"] for f in demo_api.get(f"{BASE}/flavors").json()["flavors"]}
    assert demo_api.get(f"{BASE}/flavors/{private}").status_code == 200


def test_min_filters_sorting_and_paging(demo_api):
    flavors = demo_api.get(f"{BASE}/flavors/detail").json()["flavors"]
    big = demo_api.get(f"{BASE}/flavors/detail", {"minRam": 1024, "minDisk": 1}).json()["flavors"]
    assert big and all(f["ram"] >= 1024 and f["disk"] >= 1 for f in big)
    assert demo_api.get(f"{BASE}/flavors", {"minRam": "x"}).status_code == 400
    by_ram = demo_api.get(f"{BASE}/flavors/detail", {"sort_key": "memory_mb", "sort_dir": "desc"}).json()["flavors"]
    assert [f["ram"] for f in by_ram] == sorted((f["ram"] for f in flavors), reverse=True)
    assert demo_api.get(f"{BASE}/flavors", {"sort_key": "bogus"}).status_code == 400
    assert demo_api.get(f"{BASE}/flavors", {"sort_dir": "sideways"}).status_code == 400
    ids = [f["id"] for f in demo_api.get(f"{BASE}/flavors").json()["flavors"]]
    page = demo_api.get(f"{BASE}/flavors/detail", {"limit": 2, "minRam": 0}).json()
    first = page["flavors"]
    assert (
        f"marker={first[-1]['id']}" in page["flavors_links"][0]["href"]
        and "minRam=0" in page["flavors_links"][0]["href"]
    )
    assert "flavors_links" not in demo_api.get(f"{BASE}/flavors").json()
    rest = demo_api.get(f"{BASE}/flavors", {"marker": first[-1]["id"]}).json()["flavors"]
    assert [f["id"] for f in first + rest] == ids
    assert demo_api.get(f"{BASE}/flavors", {"marker": "nope"}).status_code == 400
    assert demo_api.get(f"{BASE}/flavors", {"limit": "-1"}).status_code == 400


def test_detail_query_count_does_not_grow(demo_api):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert demo_api.get(f"{BASE}/flavors/detail", **V261).status_code == 200
        return len(queries)

    before = count()
    for index in range(10):
        flavor = Flavor.objects.create(
            name=f"extra-{index}",
            vcpus=1,
            memory_mb=64,
            is_public=index % 2 == 0,
            extra_specs={"hw:cpu_policy": "shared"},
        )
        FlavorAccess.objects.create(flavor=flavor, project_id=demo_project_id())
    assert count() == before


# --- tenant access --------------------------------------------------------------------


def test_tenant_access_add_list_remove(admin_api, demo_api):
    flavor_id = create(admin_api).json()["flavor"]["id"]
    project = demo_project_id()
    url = f"{BASE}/flavors/{flavor_id}/action"
    added = admin_api.post(url, {"addTenantAccess": {"tenant": project}}, format="json")
    assert added.status_code == 200
    assert added.json() == {"flavor_access": [{"flavor_id": flavor_id, "tenant_id": project}]}
    again = admin_api.post(url, {"addTenantAccess": {"tenant": project}}, format="json")
    assert again.status_code == 409 and "conflictingRequest" in again.json()
    listed = admin_api.get(f"{BASE}/flavors/{flavor_id}/os-flavor-access")
    assert listed.json()["flavor_access"] == [{"flavor_id": flavor_id, "tenant_id": project}]
    assert demo_api.get(f"{BASE}/flavors/{flavor_id}").status_code == 200
    removed = admin_api.post(url, {"removeTenantAccess": {"tenant": project}}, format="json")
    assert removed.status_code == 200 and removed.json() == {"flavor_access": []}
    assert admin_api.post(url, {"removeTenantAccess": {"tenant": project}}, format="json").status_code == 404
    assert demo_api.get(f"{BASE}/flavors/{flavor_id}").status_code == 404


def test_tenant_access_errors(admin_api, demo_api):
    flavor_id = create(admin_api).json()["flavor"]["id"]
    url = f"{BASE}/flavors/{flavor_id}/action"
    public = admin_api.get(f"{BASE}/flavors/42/os-flavor-access")
    assert (
        public.status_code == 404
        and public.json()["itemNotFound"]["message"] == "Access list not available for public flavors."
    )
    assert (
        admin_api.post(
            f"{BASE}/flavors/42/action",
            {"addTenantAccess": {"tenant": demo_project_id()}},
            format="json",
            HTTP_OPENSTACK_API_VERSION="compute 2.7",
        ).status_code
        == 409
    )
    assert admin_api.post(url, {"addTenantAccess": {"tenant": "no-such-project"}}, format="json").status_code == 400
    assert admin_api.post(url, {"addTenantAccess": {}}, format="json").status_code == 400
    assert admin_api.post(url, {"shareWith": {"tenant": "x"}}, format="json").status_code == 400
    assert admin_api.post(url, "null", content_type="application/json").status_code == 400
    assert (
        admin_api.post(
            f"{BASE}/flavors/nope/action", {"addTenantAccess": {"tenant": demo_project_id()}}, format="json"
        ).status_code
        == 404
    )
    assert demo_api.post(url, {"addTenantAccess": {"tenant": demo_project_id()}}, format="json").status_code == 403
    assert demo_api.get(f"{BASE}/flavors/{flavor_id}/os-flavor-access").status_code == 403


# --- extra specs ----------------------------------------------------------------------


def test_extra_specs_crud(admin_api, demo_api):
    url = f"{BASE}/flavors/42/os-extra_specs"
    merged = admin_api.post(
        url, {"extra_specs": {"hw:cpu_policy": "dedicated", "quota:cpu_shares": 512}}, format="json"
    )
    assert merged.status_code == 200
    assert merged.json() == {"extra_specs": {"hw:cpu_policy": "dedicated", "quota:cpu_shares": "512"}}
    assert demo_api.get(url).json()["extra_specs"]["hw:cpu_policy"] == "dedicated"
    assert demo_api.get(f"{url}/hw:cpu_policy").json() == {"hw:cpu_policy": "dedicated"}
    put = admin_api.put(f"{url}/hw:cpu_policy", {"hw:cpu_policy": "shared"}, format="json")
    assert put.status_code == 200 and put.json() == {"hw:cpu_policy": "shared"}
    assert admin_api.get(f"{BASE}/flavors/42", **V261).json()["flavor"]["extra_specs"]["hw:cpu_policy"] == "shared"
    unset = admin_api.delete(f"{url}/hw:cpu_policy")
    assert unset.status_code == 200 and not unset.content  # Nova: 200, no body (not 202)
    missing = admin_api.get(f"{url}/hw:cpu_policy")
    assert (
        missing.status_code == 404
        and "has no extra specs with key hw:cpu_policy" in missing.json()["itemNotFound"]["message"]
    )
    assert admin_api.delete(f"{url}/hw:cpu_policy").status_code == 404
    assert admin_api.get(url).json()["extra_specs"] == {"quota:cpu_shares": "512"}


def test_extra_specs_errors_and_policy(admin_api, demo_api):
    url = f"{BASE}/flavors/42/os-extra_specs"
    assert (
        admin_api.put(f"{url}/a", {"b": "1"}, format="json").json()["badRequest"]["message"]
        == "Request body and URI mismatch"
    )
    assert admin_api.put(f"{url}/a", {"a": "1", "b": "2"}, format="json").status_code == 400
    assert admin_api.post(url, {"extra_specs": {"bad/key": "x"}}, format="json").status_code == 400
    assert admin_api.post(url, {"extra_specs": {"k": "x" * 256}}, format="json").status_code == 400
    assert admin_api.post(url, {"extra_specs": {"k": ["list"]}}, format="json").status_code == 400
    assert admin_api.post(url, {"specs": {}}, format="json").status_code == 400
    assert admin_api.get(f"{BASE}/flavors/nope/os-extra_specs").status_code == 404
    assert demo_api.post(url, {"extra_specs": {"k": "v"}}, format="json").status_code == 403
    assert demo_api.put(f"{url}/k", {"k": "v"}, format="json").status_code == 403
    assert demo_api.delete(f"{url}/k").status_code == 403
    assert Flavor.objects.get(flavorid="42").extra_specs.get("k") is None


def test_nul_and_huge_numbers_are_never_500(admin_api, demo_api):
    assert admin_api.get(f"{BASE}/flavors/a%00b").status_code == 404
    assert admin_api.get(f"{BASE}/flavors/42/os-extra_specs/a%00b").status_code == 404
    assert admin_api.get(f"{BASE}/flavors/detail", {"marker": "a\x00"}).status_code == 400
    assert create(admin_api, name="a\x00b").status_code == 400
    assert create(admin_api, V255, description="a\x00b").status_code == 400
    assert (
        admin_api.post(f"{BASE}/flavors/42/os-extra_specs", {"extra_specs": {"k": "\x00"}}, format="json").status_code
        == 400
    )
    huge = "9" * 30
    assert demo_api.get(f"{BASE}/flavors/detail", {"minRam": huge, "minDisk": huge}).json()["flavors"] == []
    assert demo_api.get(f"{BASE}/flavors", {"limit": huge}).status_code == 200


# --- the service layer refuses members, whoever calls it ---------------------------------

MEMBER_FLAVOR_CALLS = {
    "os_compute_api:os-flavor-manage:create": lambda caller: flavors.create_flavor(
        caller, flavors.FlavorCreate(name="mine", ram=64, vcpus=1, disk=1)
    ),
    "os_compute_api:os-flavor-manage:update": lambda caller: flavors.update_description(caller, "42", "x"),
    "os_compute_api:os-flavor-manage:delete": lambda caller: flavors.delete_flavor(caller, "42"),
    "os_compute_api:os-flavor-access": lambda caller: flavors.access_list(caller, "42"),
    "os_compute_api:os-flavor-access:add_tenant_access": lambda caller: flavors.add_tenant_access(
        caller, "42", caller.project_id
    ),
    "os_compute_api:os-flavor-access:remove_tenant_access": lambda caller: flavors.remove_tenant_access(
        caller, "42", caller.project_id
    ),
    "os_compute_api:os-flavor-extra-specs:create": lambda caller: flavors.merge_extra_specs(caller, "42", {"k": "v"}),
    "os_compute_api:os-flavor-extra-specs:update": lambda caller: flavors.set_extra_spec(caller, "42", "k", "v"),
    "os_compute_api:os-flavor-extra-specs:delete": lambda caller: flavors.delete_extra_spec(caller, "42", "k"),
}


@pytest.mark.parametrize("rule", sorted(MEMBER_FLAVOR_CALLS))
def test_flavor_admin_calls_are_refused_by_the_service_layer(cloud, rule):
    member = Caller("demo-user", demo_project_id(), is_admin=False)
    before = {(f.flavorid, f.name, f.description, str(f.extra_specs)) for f in Flavor.objects.all()}
    with pytest.raises(PolicyNotAuthorized) as refused:
        MEMBER_FLAVOR_CALLS[rule](member)
    assert refused.value.rule == rule
    assert {(f.flavorid, f.name, f.description, str(f.extra_specs)) for f in Flavor.objects.all()} == before
    assert not FlavorAccess.objects.exists()


def test_a_private_flavor_boots_only_where_it_is_shared(admin_api, demo_api):
    private = create(admin_api, ram=128, vcpus=1, disk=1).json()["flavor"]["id"]
    body = {"server": {"name": "vm", "imageRef": str(CIRROS_IMAGE_ID), "flavorRef": private, "networks": "none"}}
    refused = demo_api.post(f"{BASE}/servers", body, format="json", **V261)
    assert refused.status_code == 400 and "could not be found" in refused.json()["badRequest"]["message"]
    assert admin_api.post(f"{BASE}/servers", body, format="json", **V261).status_code == 202  # admins see all
    FlavorAccess.objects.create(flavor=Flavor.objects.get(flavorid=private), project_id=demo_project_id())
    assert demo_api.post(f"{BASE}/servers", body, format="json", **V261).status_code == 202
    Flavor.objects.filter(flavorid=private).update(disabled=True)
    assert demo_api.post(f"{BASE}/servers", body, format="json", **V261).status_code == 400
