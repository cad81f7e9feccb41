"""The compute API's image proxy (/compute/v2.1/images, removed at 2.36; its metadata at
2.39): lists with filters and paging, the detail view (status, progress, size, server link),
delete, and metadata (merge, replace, one key, quota)."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from identity.models import User
from images.models import Image
from novasite.demo import CIRROS_IMAGE_ID
from servers.models import QuotaLimit, Server

from .images_helpers import create, project_id, upload

pytestmark = pytest.mark.django_db

IMAGES = "/compute/v2.1/images"


def active(api, **body) -> dict:
    image = create(api, **body)
    assert upload(api, image["id"]).status_code == 204
    return image


def test_show_maps_the_glance_record(demo_api):
    image = active(demo_api, name="mine", min_ram=64, min_disk=1, os_distro="cirros", auto_disk_config="true")
    body = demo_api.get(f"{IMAGES}/{image['id']}").json()["image"]
    assert body["id"] == image["id"] and body["name"] == "mine"
    assert (body["status"], body["progress"], body["minRam"], body["minDisk"]) == ("ACTIVE", 100, 64, 1)
    assert body["metadata"] == {"os_distro": "cirros", "auto_disk_config": "true"}
    assert body["OS-EXT-IMG-SIZE:size"] == Image.objects.get(id=image["id"]).size
    assert body["OS-DCF:diskConfig"] == "AUTO" and "server" not in body
    assert body["created"].endswith("Z") and body["updated"].endswith("Z")
    rels = [(link["rel"], link.get("type")) for link in body["links"]]
    assert rels == [("self", None), ("bookmark", None), ("alternate", "application/vnd.openstack.image")]
    assert body["links"][0]["href"].endswith(f"/compute/v2.1/images/{image['id']}")


def test_a_queued_image_is_saving_and_a_snapshot_links_its_server(demo_api):
    server = str(uuid.uuid4())
    image = create(demo_api, instance_uuid=server, image_type="snapshot")
    body = demo_api.get(f"{IMAGES}/{image['id']}").json()["image"]
    assert (body["status"], body["progress"], body["OS-EXT-IMG-SIZE:size"]) == ("SAVING", 25, 0)
    assert body["server"]["id"] == server
    assert [link["rel"] for link in body["server"]["links"]] == ["self", "bookmark"]


def test_unknown_or_invisible_images_are_404(demo_api, admin_api):
    private = create(admin_api, visibility="private")
    for image_id in (str(uuid.uuid4()), "nope", private["id"]):
        response = demo_api.get(f"{IMAGES}/{image_id}")
        assert response.status_code == 404 and response.json()["itemNotFound"]["message"] == "Image not found."
        assert demo_api.delete(f"{IMAGES}/{image_id}").status_code == 404


def test_lists_filter_and_page(demo_api):
    server = str(uuid.uuid4())
    plain = active(demo_api, name="plain")
    snapshot = active(demo_api, name="snap", instance_uuid=server, image_type="snapshot")
    queued = create(demo_api, name="queued")
    names = lambda **params: {i["name"] for i in demo_api.get(IMAGES, params).json()["images"]}  # noqa: E731
    assert {"plain", "snap", "queued", "cirros"} <= names()
    assert names(name="plain") == {"plain"}
    assert "queued" not in names(status="ACTIVE") and names(status="QUEUED") == {"queued"}
    assert names(status="SAVING") == set()  # Glance's status, lowercased, as Nova passes it on
    assert demo_api.get(IMAGES, {"status": "BOGUS"}).status_code == 400
    assert names(server=server) == {"snap"}
    assert names(server=f"http://host/compute/v2.1/servers/{server}") == {"snap"}
    assert names(type="snapshot") == {"snap"}
    assert names(**{"property-image_type": "snapshot"}) == {"snap"}
    assert names(**{"property-instance_uuid": server, "property-image_type": "backup"}) == set()
    assert "plain" in names(**{"changes-since": demo_api.get(f"{IMAGES}/{plain['id']}").json()["image"]["created"]})
    assert names(**{"changes-since": "2999-01-01T00:00:00Z"}) == set()
    assert demo_api.get(IMAGES, {"changes-since": "yesterday"}).status_code == 400
    assert demo_api.get(IMAGES, {"limit": "0"}).status_code == 400

    first = demo_api.get(f"{IMAGES}/detail", {"limit": "2"}).json()
    assert [i["id"] for i in first["images"]] == [queued["id"], snapshot["id"]]
    assert first["images"][0]["status"] == "SAVING" and "metadata" in first["images"][0]
    href = first["images_links"][0]["href"]
    assert "/compute/v2.1/images/detail?" in href and f"marker={snapshot['id']}" in href and "limit=2" in href
    after = demo_api.get(f"{IMAGES}/detail", {"limit": "2", "marker": snapshot["id"]}).json()["images"]
    assert after[0]["id"] == plain["id"]
    brief = demo_api.get(IMAGES, {"limit": "1"}).json()
    assert set(brief["images"][0]) == {"id", "name", "links"} and "images_links" in brief
    assert "images_links" not in demo_api.get(IMAGES).json()


def test_delete(demo_api):
    image = active(demo_api)
    assert demo_api.delete(f"{IMAGES}/{image['id']}").status_code == 204
    assert Image.objects.get(id=image["id"]).status == "deleted"
    assert demo_api.get(f"{IMAGES}/{image['id']}").status_code == 404
    assert demo_api.delete(f"{IMAGES}/{CIRROS_IMAGE_ID}").status_code == 403  # public, the admin's


def test_removed_at_2_36_and_metadata_at_2_39(demo_api):
    image = active(demo_api)
    at = lambda version, path: demo_api.get(path, HTTP_OPENSTACK_API_VERSION=f"compute {version}")  # noqa: E731
    assert at("2.35", IMAGES).status_code == 200 and at("2.36", IMAGES).status_code == 404
    assert at("2.36", f"{IMAGES}/{image['id']}").status_code == 404
    assert at("2.38", f"{IMAGES}/{image['id']}/metadata").status_code == 200
    assert at("2.39", f"{IMAGES}/{image['id']}/metadata").status_code == 404


def test_metadata_merge_replace_item_delete(demo_api):
    image = active(demo_api, os_version="1")
    url = f"{IMAGES}/{image['id']}/metadata"
    assert demo_api.get(url).json() == {"metadata": {"os_version": "1"}}
    merged = demo_api.post(url, {"metadata": {"os_distro": "x"}}, format="json")
    assert merged.status_code == 200 and merged.json() == {"metadata": {"os_version": "1", "os_distro": "x"}}
    replaced = demo_api.put(url, {"metadata": {"architecture": "x86_64"}}, format="json")
    assert replaced.json() == {"metadata": {"architecture": "x86_64"}}
    assert demo_api.get(url).json() == {"metadata": {"architecture": "x86_64"}}
    assert demo_api.get(f"{url}/architecture").json() == {"meta": {"architecture": "x86_64"}}
    assert demo_api.get(f"{url}/nope").status_code == 404
    item = demo_api.put(f"{url}/os_version", {"meta": {"os_version": "2"}}, format="json")
    assert item.status_code == 200 and item.json() == {"meta": {"os_version": "2"}}
    assert demo_api.put(f"{url}/other", {"meta": {"os_version": "2"}}, format="json").status_code == 400
    assert demo_api.post(url, {"metadata": {"k": 1}}, format="json").status_code == 400
    assert demo_api.post(url, {"meta": {"k": "1"}}, format="json").status_code == 400
    assert demo_api.delete(f"{url}/os_version").status_code == 204
    assert demo_api.delete(f"{url}/os_version").status_code == 404
    assert Image.objects.get(id=image["id"]).properties == {"architecture": "x86_64"}
    assert demo_api.get(f"{IMAGES}/{uuid.uuid4()}/metadata").status_code == 404
    assert (
        demo_api.post(f"{IMAGES}/{uuid.uuid4()}/metadata", {"metadata": {"a": "b"}}, format="json").status_code == 404
    )


def test_metadata_quota_and_ownership_are_403(demo_api):
    image = active(demo_api)
    url = f"{IMAGES}/{image['id']}/metadata"
    QuotaLimit.objects.create(project_id=project_id("demo"), resource="metadata_items", hard_limit=1)
    assert demo_api.post(url, {"metadata": {"a": "1"}}, format="json").status_code == 200
    over = demo_api.post(url, {"metadata": {"b": "1"}}, format="json")
    assert over.status_code == 403 and over.json()["forbidden"]["message"] == "Image metadata limit exceeded"
    assert (
        demo_api.post(f"{IMAGES}/{CIRROS_IMAGE_ID}/metadata", {"metadata": {"a": "1"}}, format="json").status_code
        == 403
    )


@pytest.mark.parametrize("metadata", [{"": ""}, {"a" * 260: "b"}, {"k": "b" * 260}, {"k": 1}, ["k"]])
def test_create_image_refuses_bad_metadata_with_400(demo_api, metadata):
    server = Server.objects.create(
        name="vm",
        project_id=project_id("demo"),
        user_id=User.objects.get(name="demo").id,
        flavor={"flavorid": "42", "name": "cirros", "vcpus": 1, "memory_mb": 128, "root_gb": 1},
        vm_state="active",
        power_state=1,
        host="c1",
        node="c1",
        launched_at=timezone.now(),
    )
    body = {"createImage": {"name": "snap", "metadata": metadata}}
    response = demo_api.post(f"/compute/v2.1/servers/{server.uuid}/action", body, format="json")
    assert response.status_code == 400, response.content
    assert not Image.objects.filter(name="snap").exists()
