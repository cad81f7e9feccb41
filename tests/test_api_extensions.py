"""GET /extensions and /extensions/{alias}: the fixed v2.1 extension list Nova 34 answers, in
the shape Tempest's list_extensions schema checks, to any authenticated caller."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
BASE = "/compute/v2.1/extensions"
KEYS = {"alias", "description", "links", "name", "namespace", "updated"}


def test_list_extensions(demo_api):
    response = demo_api.get(BASE)
    assert response.status_code == 200, response.content
    extensions = response.json()["extensions"]
    assert len(extensions) == 99
    assert all(set(ext) == KEYS for ext in extensions)
    assert all(ext["links"] == [] and ext["updated"] == "2014-12-03T00:00:00Z" for ext in extensions)
    assert all(ext["namespace"] == "http://docs.openstack.org/compute/ext/fake_xml" for ext in extensions)
    by_alias = {ext["alias"]: ext for ext in extensions}
    assert by_alias["os-hosts"]["name"] == "Hosts"
    assert {"os-consoles", "os-aggregates", "os-hypervisors", "os-quota-sets", "OS-EXT-SRV-ATTR"} <= set(by_alias)
    assert [ext["alias"] for ext in extensions] == sorted(by_alias)
    assert response["X-OpenStack-Nova-API-Version"] == "2.1"


def test_show_extension(demo_api):
    shown = demo_api.get(f"{BASE}/os-consoles")
    assert shown.status_code == 200
    assert shown.json() == {
        "extension": {
            "alias": "os-consoles",
            "description": "Interactive Console support.",
            "links": [],
            "name": "Consoles",
            "namespace": "http://docs.openstack.org/compute/ext/fake_xml",
            "updated": "2014-12-03T00:00:00Z",
        }
    }
    missing = demo_api.get(f"{BASE}/os-nothing")
    assert missing.status_code == 404 and "itemNotFound" in missing.json()


def test_needs_a_token_and_refuses_unknown_queries_from_2_102(client, demo_api, settings):
    settings.COMPUTE_MAX_MICROVERSION = "2.104"
    assert client.get(BASE).status_code == 401
    assert demo_api.get(BASE, {"x": "1"}).status_code == 200
    at_2_102 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.102"}
    assert demo_api.get(BASE, {"x": "1"}, **at_2_102).status_code == 400
    assert demo_api.get(f"{BASE}/os-hosts", {"x": "1"}, **at_2_102).status_code == 400
    assert demo_api.get(BASE, **at_2_102).status_code == 200
