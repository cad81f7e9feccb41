"""GET /compute/ and each version's own document, as Nova answers them (Tempest's
test_versions follows every self link of the list)."""

from __future__ import annotations


def test_every_listed_version_has_a_document_at_its_self_link(client):
    listed = client.get("/compute/").json()["versions"]
    assert [v["id"] for v in listed] == ["v2.0", "v2.1"]
    for version in listed:
        (self_link,) = [link for link in version["links"] if link["rel"] == "self"]
        path = self_link["href"].split("://", 1)[1].split("/", 1)[1]
        response = client.get(f"/{path}")
        assert response.status_code == 200, path
        document = response.json()["version"]
        assert document["id"] == version["id"]
        assert [link for link in document["links"] if link["rel"] == "self"] == [self_link]
        assert document["media-types"][0]["base"] == "application/json"


def test_the_legacy_version_is_deprecated_and_has_no_microversions(client):
    document = client.get("/compute/v2/").json()["version"]
    assert document["status"] == "DEPRECATED" and document["version"] == "" and document["min_version"] == ""
    assert document["media-types"] == [
        {"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}
    ]
    assert {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"} in document["links"]


def test_the_current_version_states_its_microversion_range(client, settings):
    document = client.get("/compute/v2.1/").json()["version"]
    assert document["status"] == "CURRENT"
    assert document["min_version"] == "2.1" and document["version"] == settings.COMPUTE_MAX_MICROVERSION
