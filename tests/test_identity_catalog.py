"""Keystone's regions, services and endpoints (/identity/v3/regions, /services, /endpoints)
through the API, and the token's catalog built from them: what the seed registers, what any
token may read, what only an admin may write, and Keystone's 400/403/404/409 in its words."""

from __future__ import annotations

import pytest

from identity.services.own_endpoints import OWN_SERVICES

V3 = "/identity/v3"


def error(response, status: int, message: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert body["code"] == status
    if message is not None:
        assert body["message"] == message, body


def new_token_catalog(client, user: str = "admin") -> list[dict]:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "domain": {"name": "Default"}, "password": "secret"}},
            },
            "scope": {"project": {"name": user, "domain": {"name": "Default"}}},
        }
    }
    response = client.post(f"{V3}/auth/tokens", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["token"]["catalog"]


def urls(catalog: list[dict], service_type: str) -> list[tuple[str, str, str]]:
    return [
        (endpoint["interface"], endpoint["region_id"], endpoint["url"])
        for entry in catalog
        if entry["type"] == service_type
        for endpoint in entry["endpoints"]
    ]


# --- what the seed registers ------------------------------------------------------------------


def test_the_seed_registers_our_own_endpoints_in_the_local_region(admin_api):
    services = admin_api.get(f"{V3}/services").json()["services"]
    assert sorted((s["type"], s["name"], s["enabled"]) for s in services) == sorted(
        (service_type, name, True) for service_type, name, _ in OWN_SERVICES
    )
    listed = admin_api.get(f"{V3}/endpoints").json()["endpoints"]
    assert len(listed) == len(OWN_SERVICES)
    assert {(e["interface"], e["region_id"], e["region"], e["enabled"]) for e in listed} == {
        ("public", "RegionOne", "RegionOne", True)
    }
    by_service = {e["service_id"]: e["url"] for e in listed}
    compute = next(s["id"] for s in services if s["type"] == "compute")
    assert by_service[compute] == "$(public_endpoint)s/compute/v2.1"  # as registered, unformatted
    assert admin_api.get(f"{V3}/regions").json()["regions"][0]["id"] == "RegionOne"


def test_the_tokens_catalog_is_built_from_the_rows(admin_api, demo_api):
    catalog = new_token_catalog(admin_api, "demo")
    project = demo_api.get(f"{V3}/auth/projects").json()["projects"][0]["id"]
    assert urls(catalog, "compute") == [("public", "RegionOne", "http://testserver/compute/v2.1")]
    assert urls(catalog, "identity") == [("public", "RegionOne", "http://testserver/identity")]
    assert urls(catalog, "volumev3") == [("public", "RegionOne", f"http://testserver/volume/v3/{project}")]
    assert {entry["type"] for entry in catalog} == {service_type for service_type, _, _ in OWN_SERVICES}
    auth_catalog = demo_api.get(f"{V3}/auth/catalog").json()["catalog"]
    assert auth_catalog == catalog


def test_public_endpoint_names_the_published_root(admin_api, settings):
    settings.PUBLIC_ENDPOINT = "https://cloud.example.org/"
    assert urls(new_token_catalog(admin_api), "image") == [("public", "RegionOne", "https://cloud.example.org/image")]


def test_reseeding_writes_nothing_new_and_sets_back_what_differs(admin_api):
    from novasite.demo import seed

    compute = admin_api.get(f"{V3}/endpoints?interface=public").json()["endpoints"][0]
    changed = admin_api.patch(f"{V3}/endpoints/{compute['id']}", {"endpoint": {"enabled": False}}, format="json")
    assert changed.status_code == 200 and changed.json()["endpoint"]["enabled"] is False
    seed("secret", "secret")
    assert admin_api.get(f"{V3}/endpoints/{compute['id']}").json()["endpoint"]["enabled"] is True
    assert len(admin_api.get(f"{V3}/endpoints").json()["endpoints"]) == len(OWN_SERVICES)


# --- regions ----------------------------------------------------------------------------------


def test_any_token_reads_regions_only_an_admin_writes_them(admin_api, demo_api):
    assert [r["id"] for r in demo_api.get(f"{V3}/regions").json()["regions"]] == ["RegionOne"]
    shown = demo_api.get(f"{V3}/regions/RegionOne").json()["region"]
    assert shown == {
        "id": "RegionOne",
        "description": "",
        "parent_region_id": None,
        "links": {"self": "http://testserver/identity/v3/regions/RegionOne"},
    }
    error(demo_api.post(f"{V3}/regions", {"region": {"id": "Edge"}}, format="json"), 403)
    error(demo_api.delete(f"{V3}/regions/RegionOne"), 403)
    error(demo_api.get(f"{V3}/regions/Nowhere"), 404, "Could not find region: Nowhere.")


def test_regions_are_created_listed_by_parent_updated_and_deleted(admin_api):
    created = admin_api.post(
        f"{V3}/regions",
        {"region": {"id": "Edge", "description": "the edge", "parent_region_id": "RegionOne"}},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["region"]["parent_region_id"] == "RegionOne"
    made = admin_api.post(f"{V3}/regions", {"region": {}}, format="json")
    assert made.status_code == 201 and len(made.json()["region"]["id"]) == 32  # an id Keystone makes
    put = admin_api.put(f"{V3}/regions/Far", {"region": {"description": "far"}}, format="json")
    assert put.status_code == 201 and put.json()["region"]["id"] == "Far"

    children = admin_api.get(f"{V3}/regions?parent_region_id=RegionOne").json()["regions"]
    assert [r["id"] for r in children] == ["Edge"]
    patched = admin_api.patch(f"{V3}/regions/Edge", {"region": {"parent_region_id": None}}, format="json")
    assert patched.status_code == 200 and patched.json()["region"] == {
        **created.json()["region"],
        "parent_region_id": None,
    }
    assert admin_api.delete(f"{V3}/regions/Edge").status_code == 204
    error(admin_api.get(f"{V3}/regions/Edge"), 404)


def test_region_refusals_in_keystones_words(admin_api):
    region = {"region": {"id": "RegionOne"}}
    error(
        admin_api.post(f"{V3}/regions", region, format="json"),
        409,
        "Conflict occurred attempting to store region - Duplicate ID, RegionOne.",
    )
    orphan = {"region": {"id": "Edge", "parent_region_id": "Nowhere"}}
    error(admin_api.post(f"{V3}/regions", orphan, format="json"), 404, "Could not find region: Nowhere.")
    admin_api.post(f"{V3}/regions", {"region": {"id": "Child", "parent_region_id": "RegionOne"}}, format="json")
    error(
        admin_api.patch(f"{V3}/regions/RegionOne", {"region": {"parent_region_id": "Child"}}, format="json"),
        400,
        "The specified parent region Child would create a circular region hierarchy.",
    )
    error(admin_api.put(f"{V3}/regions/A", {"region": {"id": "B"}}, format="json"), 400)
    error(admin_api.post(f"{V3}/regions", {"regio": {}}, format="json"), 400)
    error(admin_api.patch(f"{V3}/regions/Child", {"region": {"id": "Other"}}, format="json"), 400, "Cannot change ID")
    error(
        admin_api.delete(f"{V3}/regions/RegionOne"),
        403,
        "Unable to delete region RegionOne because it or its child regions have associated endpoints.",
    )


# --- services and endpoints -------------------------------------------------------------------


def test_services_and_endpoints_are_the_admins(demo_api):
    error(demo_api.get(f"{V3}/services"), 403)
    error(demo_api.get(f"{V3}/endpoints"), 403)
    error(demo_api.post(f"{V3}/services", {"service": {"type": "dns"}}, format="json"), 403)


def test_a_created_service_and_endpoint_appear_in_a_new_tokens_catalog(admin_api):
    admin_api.post(f"{V3}/regions", {"region": {"id": "RegionTwo"}}, format="json")
    service = admin_api.post(f"{V3}/services", {"service": {"type": "dns", "name": "designate"}}, format="json")
    assert service.status_code == 201, service.content
    service_id = service.json()["service"]["id"]
    body = {
        "endpoint": {
            "service_id": service_id,
            "interface": "public",
            "url": "http://dns.example.org:9001/v2/$(project_id)s",
            "region_id": "RegionTwo",
        }
    }
    created = admin_api.post(f"{V3}/endpoints", body, format="json")
    assert created.status_code == 201, created.content
    endpoint = created.json()["endpoint"]
    assert (endpoint["region_id"], endpoint["region"], endpoint["enabled"]) == ("RegionTwo", "RegionTwo", True)
    project = admin_api.get(f"{V3}/auth/projects").json()["projects"]
    admin_project = next(p["id"] for p in project if p["name"] == "admin")
    assert urls(new_token_catalog(admin_api), "dns") == [
        ("public", "RegionTwo", f"http://dns.example.org:9001/v2/{admin_project}")
    ]

    assert [e["id"] for e in admin_api.get(f"{V3}/endpoints?region_id=RegionTwo").json()["endpoints"]] == [
        endpoint["id"]
    ]
    assert [e["id"] for e in admin_api.get(f"{V3}/endpoints?service_id={service_id}").json()["endpoints"]] == [
        endpoint["id"]
    ]
    assert admin_api.get(f"{V3}/endpoints?interface=admin").json()["endpoints"] == []
    error(admin_api.get(f"{V3}/endpoints?interface=sideways"), 400)
    assert [s["name"] for s in admin_api.get(f"{V3}/services?type=dns").json()["services"]] == ["designate"]

    disabled = admin_api.patch(f"{V3}/services/{service_id}", {"service": {"enabled": False}}, format="json")
    assert disabled.status_code == 200 and disabled.json()["service"]["enabled"] is False
    assert urls(new_token_catalog(admin_api), "dns") == []
    assert admin_api.delete(f"{V3}/services/{service_id}").status_code == 204
    error(admin_api.get(f"{V3}/endpoints/{endpoint['id']}"), 404, f"Could not find endpoint: {endpoint['id']}.")
    assert admin_api.delete(f"{V3}/regions/RegionTwo").status_code == 204


def test_an_endpoint_naming_the_older_region_attribute_creates_that_region(admin_api):
    compute = admin_api.get(f"{V3}/services?type=compute").json()["services"][0]["id"]
    body = {"endpoint": {"service_id": compute, "interface": "internal", "url": "http://10.0.0.1/c", "region": "R9"}}
    created = admin_api.post(f"{V3}/endpoints", body, format="json")
    assert created.status_code == 201 and created.json()["endpoint"]["region_id"] == "R9"
    assert admin_api.get(f"{V3}/regions/R9").status_code == 200


REQUIRED = "Invalid input for field 'service_id': 'service_id' is a required property."
NO_SERVICE = "Expecting to find endpoint service_id in service table."
NO_REGION = "Expecting to find endpoint region_id in region table."


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ({"interface": "public", "url": "http://x/"}, REQUIRED),
        ({"service_id": "nope", "interface": "public", "url": "http://x/"}, NO_SERVICE),
        ({"interface": "sideways", "url": "http://x/"}, None),
        ({"interface": "public", "url": "no scheme"}, None),
        ({"interface": "public", "url": "http://x/$(secret)s"}, "Cannot create an endpoint with an invalid URL: http://x/$(secret)s."),
        ({"interface": "public", "url": "http://x/", "region_id": "Nowhere"}, NO_REGION),
        ({"interface": "public", "url": "http://x/", "enabled": "yes"}, None),
    ],
)  # fmt: skip
def test_endpoint_refusals_in_keystones_words(admin_api, endpoint, message):
    compute = admin_api.get(f"{V3}/services?type=compute").json()["services"][0]["id"]
    body = {"endpoint": {"service_id": compute, **endpoint}}
    if "service_id" not in endpoint and "service_id" in (message or ""):
        del body["endpoint"]["service_id"]
    response = admin_api.post(f"{V3}/endpoints", body, format="json")
    error(response, 400)
    if message:
        assert response.json()["error"]["message"].startswith(message)
    assert len(admin_api.get(f"{V3}/endpoints").json()["endpoints"]) == len(OWN_SERVICES)


def test_unknown_services_and_endpoints_are_404(admin_api):
    error(admin_api.get(f"{V3}/services/nope"), 404, "Could not find service: nope.")
    error(admin_api.patch(f"{V3}/endpoints/nope", {"endpoint": {"enabled": False}}, format="json"), 404)
    error(admin_api.delete(f"{V3}/endpoints/nope"), 404, "Could not find endpoint: nope.")
