"""Image v2 metadata over HTTP: create, delete, visibility and lists (paging, filters)."""

from __future__ import annotations

import os
import uuid

import pytest
from rest_framework.test import APIClient

from images import store
from images.models import Image
from novasite.demo import CIRROS_IMAGE_ID

from .images_helpers import assert_glance_error, create, other_api, patch, project_id, upload

__all__ = ["other_api"]  # a fixture: imported for pytest to find
pytestmark = pytest.mark.django_db


# --- create ---------------------------------------------------------------------------------


def test_it_creates_an_image_like_openstack_image_create(demo_api):
    image_id = str(uuid.uuid4())
    response = demo_api.post(
        "/image/v2/images",
        {
            "id": image_id,
            "name": "mine",
            "disk_format": "qcow2",
            "container_format": "bare",
            "owner_specified.openstack.md5": "abc",
            "owner_specified.openstack.object": "images/mine",
            "protected": False,
            "tags": ["a", "b"],
            "min_disk": 1,
            "min_ram": 64,
        },
        format="json",
    )
    assert response.status_code == 201
    assert response["Location"].endswith(f"/image/v2/images/{image_id}")
    body = response.json()
    assert body["id"] == image_id and body["status"] == "queued" and body["visibility"] == "shared"
    assert body["owner"] == project_id("demo") and body["size"] is None
    assert body["owner_specified.openstack.object"] == "images/mine"
    assert body["tags"] == ["a", "b"] and body["min_disk"] == 1 and body["min_ram"] == 64
    assert body["self"] == f"/v2/images/{image_id}" and body["file"] == f"/v2/images/{image_id}/file"
    assert demo_api.get(f"/image/v2/images/{image_id}").json()["name"] == "mine"


def test_it_refuses_an_existing_id_with_409(demo_api):
    image = create(demo_api)
    response = demo_api.post("/image/v2/images", {"id": image["id"]}, format="json")
    assert_glance_error(response, 409, "already exists")


@pytest.mark.parametrize(
    "body, fragment",
    [
        ([], "object"),
        ("x", "object"),
        ({"name": 5}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"visibility": "everyone"}, "visibility"),
        ({"disk_format": "floppy"}, "disk_format"),
        ({"container_format": "crate"}, "container_format"),
        ({"min_disk": -1}, "min_disk"),
        ({"min_ram": "64"}, "min_ram"),
        ({"min_disk": True}, "min_disk"),
        ({"protected": "yes"}, "protected"),
        ({"id": "not-a-uuid"}, "id"),
        ({"hw_disk_bus": 5}, "hw_disk_bus"),
        ({"hw_disk_bus": None}, "hw_disk_bus"),
        ({"tags": "a"}, "tags"),
        ({"tags": [1]}, "tags"),
        ({"os_hidden": True}, "os_hidden"),
        ({"name": "nul\u0000"}, "NUL"),
        ({"prop\u0000": "x"}, "NUL"),
        ({"tags": ["\u0000"]}, "NUL"),
    ],
)
def test_create_rejects_malformed_bodies_with_400(demo_api, body, fragment):
    response = demo_api.post("/image/v2/images", body, format="json")
    assert_glance_error(response, 400, fragment)
    assert not Image.objects.exclude(id=CIRROS_IMAGE_ID).exists()


def test_create_enforces_property_and_tag_quotas_with_413(demo_api):
    too_many = {f"p{n}": "x" for n in range(129)}
    assert_glance_error(demo_api.post("/image/v2/images", too_many, format="json"), 413, "properties")
    tags = [f"t{n}" for n in range(129)]
    assert_glance_error(demo_api.post("/image/v2/images", {"tags": tags}, format="json"), 413, "tags")


def test_create_rejects_unparseable_json_with_400(demo_api):
    response = demo_api.generic("POST", "/image/v2/images", "{nope", content_type="application/json")
    assert_glance_error(response, 400)


@pytest.mark.parametrize("key", ["status", "size", "checksum", "os_hash_value", "created_at", "locations", "self"])
def test_create_refuses_read_only_attributes_with_403(demo_api, key):
    assert_glance_error(demo_api.post("/image/v2/images", {key: "x"}, format="json"), 403, key)


def test_only_admins_may_create_public_images(demo_api, admin_api):
    refused = demo_api.post("/image/v2/images", {"visibility": "public"}, format="json")
    assert_glance_error(refused, 403, "You are not authorized to complete publicize_image action.")
    assert create(demo_api, visibility="community")["visibility"] == "community"
    assert create(admin_api, visibility="public")["visibility"] == "public"


def test_members_cannot_give_images_to_other_projects(demo_api, admin_api):
    refused = demo_api.post("/image/v2/images", {"owner": "someone"}, format="json")
    assert_glance_error(refused, 403, "You are not authorized to complete add_image action.")
    assert create(demo_api, owner=project_id("demo"))["owner"] == project_id("demo")
    assert create(admin_api, owner=project_id("demo"))["owner"] == project_id("demo")


def test_the_api_needs_a_token(cloud):
    # keystonemiddleware refuses the request before Glance: Keystone's JSON, whatever is accepted.
    response = APIClient().post("/image/v2/images", {}, format="json")
    assert response.status_code == 401 and response["Content-Type"] == "application/json"
    assert response.json()["error"] == {
        "code": 401,
        "title": "Unauthorized",
        "message": "Authentication credentials were not provided.",
    }


# --- delete ---------------------------------------------------------------------------------


def test_delete_removes_the_file_and_tombstones_the_row(demo_api):
    image = create(demo_api)
    upload(demo_api, image["id"])
    assert demo_api.delete(f"/image/v2/images/{image['id']}").status_code == 204
    assert not os.path.exists(store.image_path(image["id"]))
    assert Image.objects.get(id=image["id"]).status == "deleted"
    assert_glance_error(demo_api.get(f"/image/v2/images/{image['id']}"), 404)
    assert_glance_error(demo_api.delete(f"/image/v2/images/{image['id']}"), 404)
    assert image["id"] not in [i["id"] for i in demo_api.get("/image/v2/images").json()["images"]]


def test_protected_images_are_not_deleted(demo_api):
    image = create(demo_api, protected=True)
    assert_glance_error(demo_api.delete(f"/image/v2/images/{image['id']}"), 403, "protected")
    assert Image.objects.get(id=image["id"]).status == "queued"
    patch(demo_api, image["id"], [{"op": "replace", "path": "/protected", "value": False}])
    assert demo_api.delete(f"/image/v2/images/{image['id']}").status_code == 204


def test_delete_of_foreign_or_unknown_images(demo_api):
    assert_glance_error(demo_api.delete(f"/image/v2/images/{CIRROS_IMAGE_ID}"), 403, "delete_image")
    assert_glance_error(demo_api.delete(f"/image/v2/images/{uuid.uuid4()}"), 404)
    assert_glance_error(demo_api.delete("/image/v2/images/cirros"), 404)


# --- visibility and lists -------------------------------------------------------------------


def test_members_see_public_community_and_their_own_images_only(demo_api, other_api, admin_api):
    private = create(admin_api, visibility="private", name="secret")
    shared = create(admin_api, name="shared")
    community = create(admin_api, visibility="community", name="everyone")
    mine = create(demo_api, visibility="private", name="mine")
    for image in (private, shared):
        assert_glance_error(demo_api.get(f"/image/v2/images/{image['id']}"), 404)
        assert_glance_error(patch(demo_api, image["id"], []), 404)
        assert_glance_error(demo_api.get(f"/image/v2/images/{image['id']}/file"), 404)
    assert demo_api.get(f"/image/v2/images/{community['id']}").status_code == 200
    assert_glance_error(other_api.get(f"/image/v2/images/{mine['id']}"), 404)
    names = {i["name"] for i in demo_api.get("/image/v2/images").json()["images"]}
    assert names == {"cirros", "everyone", "mine"}
    assert {i["name"] for i in admin_api.get("/image/v2/images").json()["images"]} >= {"secret", "shared", "mine"}


def test_list_filters(demo_api):
    one = create(demo_api, name="one")
    create(demo_api, name="two", visibility="community")
    get = lambda **params: [i["name"] for i in demo_api.get("/image/v2/images", params).json()["images"]]  # noqa: E731
    assert get(name="one") == ["one"]
    assert get(visibility="community") == ["two"]
    assert set(get(status="queued")) == {"one", "two"}
    assert set(get(visibility="all")) == {"one", "two", "cirros"}
    assert get(id=f"in:{one['id']},{CIRROS_IMAGE_ID}") == ["one", "cirros"]
    assert_glance_error(demo_api.get("/image/v2/images", {"status": "sleeping"}), 400)
    assert_glance_error(demo_api.get("/image/v2/images", {"id": "in:nope"}), 400)


def test_list_filters_on_additional_properties_and_sorts_oldest_first(demo_api):
    server = str(uuid.uuid4())
    for name, kind in (("b1", "daily"), ("b2", "daily"), ("w1", "weekly")):
        create(demo_api, name=name, image_type="backup", backup_type=kind, instance_uuid=server)
    create(demo_api, name="other", image_type="backup", backup_type="daily", instance_uuid=str(uuid.uuid4()))
    params = {"image_type": "backup", "backup_type": "daily", "instance_uuid": server}
    get = lambda **extra: [i["name"] for i in demo_api.get("/image/v2/images", {**params, **extra}).json()["images"]]  # noqa: E731
    assert get() == ["b2", "b1"]
    assert get(sort_key="created_at", sort_dir="asc") == ["b1", "b2"]
    assert get(sort_dir="desc", limit=1) == ["b2"]
    first = demo_api.get("/image/v2/images", {**params, "sort_dir": "asc", "limit": 1}).json()
    assert "backup_type=daily" in first["next"] and "sort_dir=asc" in first["next"]
    assert [i["name"] for i in demo_api.get("/image" + first["next"]).json()["images"]] == ["b2"]
    assert get(backup_type="hourly") == []
    assert_glance_error(demo_api.get("/image/v2/images", {"sort_dir": "sideways"}), 400)
    assert_glance_error(demo_api.get("/image/v2/images", {"sort_key": "checksum"}), 400, "Invalid sort key: checksum.")


def _walk_images(api, query: str) -> list[str]:
    """Every image's name, page by page (limit=2) along the ``next`` links."""
    seen, url = [], f"/v2/images?limit=2&{query}"
    for _ in range(20):
        body = api.get("/image" + url).json()
        assert 1 <= len(body["images"]) <= 2
        seen += [image["name"] for image in body["images"]]
        url = body.get("next")
        if url is None:
            return seen
    raise AssertionError("endless pagination loop")


@pytest.mark.parametrize(
    ("query", "key", "descending"),
    [
        ("sort_key=name&sort_dir=asc", "name", False),
        ("sort=name:desc", "name", True),
        ("sort_key=size&sort_key=name&sort_dir=asc", "size", False),
        ("sort=disk_format:asc,name:desc", "disk_format", False),
        ("sort_key=status", "status", True),
    ],
)
def test_sorted_pages_give_each_image_once(demo_api, query, key, descending):
    for index, name in enumerate(["k", "a", "m", "d", "e", "b"]):
        create(demo_api, name=name, disk_format="qcow2" if index % 2 else "raw", container_format="bare")
    unpaged = demo_api.get(f"/image/v2/images?{query}").json()["images"]
    names = [image["name"] for image in unpaged]
    assert _walk_images(demo_api, query) == names and len(set(names)) == len(names) == 7
    values = [image[key] for image in unpaged]
    present = [value for value in values if value is not None]
    assert present == sorted(present, reverse=descending)


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("sort=name:asc&sort_key=name", "Old and new sorting syntax cannot be combined"),
        ("sort=name:up", "Invalid sort direction: up"),
        ("sort=owner:asc", "Invalid sort key: owner."),
        ("sort_key=name&sort_dir=asc&sort_dir=desc", "Number of sort dirs does not match the number of sort keys"),
    ],
)
def test_bad_sorting_is_glances_400(demo_api, query, fragment):
    assert_glance_error(demo_api.get(f"/image/v2/images?{query}", HTTP_ACCEPT="application/json"), 400, fragment)


def test_list_sorts_by_glances_sort_keys_and_pages_in_that_order(demo_api):
    """Horizon's image lists (the Images panel, the launch dialog's sources) ask for
    sort_key=name&sort_dir=asc; paging with a marker keeps that order."""
    for name, disk_format in (("delta", "qcow2"), ("alpha", "raw"), ("charlie", "qcow2"), ("bravo", "raw")):
        create(demo_api, name=name, disk_format=disk_format)
    names = lambda **params: [i["name"] for i in demo_api.get("/image/v2/images", params).json()["images"]]  # noqa: E731
    assert names(sort_key="name", sort_dir="asc") == ["alpha", "bravo", "charlie", "cirros", "delta"]
    assert names(sort_key="name", sort_dir="desc", status="queued") == ["delta", "charlie", "bravo", "alpha"]
    # Several keys, one direction each; ties on the first broken by the second.
    by_format = names(sort_key=["disk_format", "name"], sort_dir=["asc", "desc"], status="queued")
    assert by_format == ["delta", "charlie", "bravo", "alpha"]
    seen, url = [], "/v2/images?sort_key=name&sort_dir=asc&limit=2"
    while url:
        body = demo_api.get("/image" + url).json()
        seen += [image["name"] for image in body["images"]]
        url = body.get("next")
    assert seen == ["alpha", "bravo", "charlie", "cirros", "delta"]
    assert_glance_error(demo_api.get("/image/v2/images", {"sort_key": ["name", "id"], "sort_dir": ["asc"] * 3}), 400)


def test_list_pages_with_limit_and_marker(demo_api):
    for n in range(5):
        create(demo_api, name=f"p{n}")
    seen, url, pages = [], "/image/v2/images?limit=2", 0
    while url:
        body = demo_api.get("/image" + url if url.startswith("/v2") else url).json()
        seen += [image["name"] for image in body["images"]]
        url = body.get("next")
        pages += 1
    assert seen == ["p4", "p3", "p2", "p1", "p0", "cirros"] and pages == 3
    last = demo_api.get("/image/v2/images", {"limit": 6}).json()
    assert len(last["images"]) == 6 and "next" not in last
    filtered = demo_api.get("/image/v2/images", {"limit": 1, "status": "queued"}).json()
    assert "status=queued" in filtered["next"]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "x"},
        {"limit": -1},
        {"marker": str(uuid.uuid4())},
        {"marker": "x"},
        {"name": "\u0000"},
    ],
)
def test_list_rejects_bad_paging_with_400(demo_api, params):
    assert_glance_error(demo_api.get("/image/v2/images", params), 400)


def test_an_image_lists_no_tasks(demo_api):
    image = create(demo_api)
    response = demo_api.get(f"/image/v2/images/{image['id']}/tasks")
    assert response.status_code == 200 and response.json() == {"tasks": []}
    assert_glance_error(demo_api.get(f"/image/v2/images/{uuid.uuid4()}/tasks"), 404)
