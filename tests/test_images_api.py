"""Image v2 write side over HTTP (create, upload, download, JSON-patch, delete, paging,
visibility) and the images.store service that the conductor calls."""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid

import pytest
from rest_framework.test import APIClient

from core.exceptions import Conflict
from identity.models import Project, Role, RoleAssignment, User
from images import store
from images.models import Image
from novasite.demo import CIRROS_IMAGE_ID

from .conftest import issue_token

pytestmark = pytest.mark.django_db
PATCH = "application/openstack-images-v2.1-json-patch"
DATA = b"not really a disk, but bytes all the same\n" * 1000


@pytest.fixture
def other_api(cloud) -> APIClient:
    """A member of a third project ("other")."""
    project = Project.objects.create(name="other")
    user = User(name="other", default_project=project)
    user.set_password("secret")
    user.save()
    RoleAssignment.objects.create(user=user, project=project, role=Role.objects.get(name="member"))
    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=issue_token(client, "other", "other"))
    return client


def project_id(name: str) -> str:
    return Project.objects.get(name=name).id


def create(api: APIClient, **body) -> dict:
    body = {"name": "img", "disk_format": "raw", "container_format": "bare", **body}
    response = api.post("/image/v2/images", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def upload(api: APIClient, image_id: str, data: bytes = DATA):
    return api.put(f"/image/v2/images/{image_id}/file", data=data, content_type="application/octet-stream")


def patch(api: APIClient, image_id: str, operations, content_type: str = PATCH):
    # openstacksdk sends an empty Accept header with its JSON patch.
    return api.generic(
        "PATCH", f"/image/v2/images/{image_id}", json.dumps(operations), content_type=content_type, HTTP_ACCEPT=""
    )


def assert_glance_error(response, status: int, fragment: str = "") -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == status and body["title"] and fragment in body["message"], body


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
    assert_glance_error(demo_api.post("/image/v2/images", {"visibility": "public"}, format="json"), 403, "publicize")
    assert create(demo_api, visibility="community")["visibility"] == "community"
    assert create(admin_api, visibility="public")["visibility"] == "public"


def test_members_cannot_give_images_to_other_projects(demo_api, admin_api):
    assert_glance_error(demo_api.post("/image/v2/images", {"owner": "someone"}, format="json"), 403)
    assert create(demo_api, owner=project_id("demo"))["owner"] == project_id("demo")
    assert create(admin_api, owner=project_id("demo"))["owner"] == project_id("demo")


def test_the_api_needs_a_token(cloud):
    assert_glance_error(APIClient().post("/image/v2/images", {}, format="json"), 401)


# --- data -----------------------------------------------------------------------------------


def test_upload_records_size_and_checksums_and_download_round_trips(demo_api, settings):
    image = create(demo_api)
    response = upload(demo_api, image["id"])
    assert response.status_code == 204 and response.content == b""
    body = demo_api.get(f"/image/v2/images/{image['id']}").json()
    assert body["status"] == "active" and body["size"] == len(DATA) and body["virtual_size"] == len(DATA)
    assert body["checksum"] == hashlib.md5(DATA).hexdigest()
    assert body["os_hash_algo"] == "sha512" and body["os_hash_value"] == hashlib.sha512(DATA).hexdigest()
    assert sorted(os.listdir(settings.IMAGE_DIR)) == sorted([str(CIRROS_IMAGE_ID), image["id"]])
    download = demo_api.get(f"/image/v2/images/{image['id']}/file", HTTP_ACCEPT="application/octet-stream")
    assert download.status_code == 200 and download["Content-Type"] == "application/octet-stream"
    assert b"".join(download.streaming_content) == DATA
    assert download["Content-MD5"] == body["checksum"]


def test_download_without_data_is_204(demo_api):
    image = create(demo_api)
    response = demo_api.get(f"/image/v2/images/{image['id']}/file")
    assert response.status_code == 204


def test_an_empty_upload_makes_an_empty_active_image(demo_api):
    image = create(demo_api)
    assert upload(demo_api, image["id"], b"").status_code == 204
    body = demo_api.get(f"/image/v2/images/{image['id']}").json()
    assert body["status"] == "active" and body["size"] == 0 and body["checksum"] == hashlib.md5(b"").hexdigest()


def test_a_second_upload_is_409(demo_api):
    image = create(demo_api)
    assert upload(demo_api, image["id"]).status_code == 204
    assert_glance_error(upload(demo_api, image["id"], b"other"), 409, "active")


def test_upload_needs_octet_stream(demo_api):
    image = create(demo_api)
    response = demo_api.put(f"/image/v2/images/{image['id']}/file", data=b"{}", content_type="application/json")
    assert_glance_error(response, 415)
    assert Image.objects.get(id=image["id"]).status == "queued"


def test_a_chunked_upload_without_length_is_refused_with_411(demo_api):
    image = create(demo_api)
    response = demo_api.put(
        f"/image/v2/images/{image['id']}/file",
        data=b"",
        content_type="application/octet-stream",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert_glance_error(response, 411, "Content-Length")
    assert Image.objects.get(id=image["id"]).status == "queued"


def test_upload_to_unknown_or_foreign_images(demo_api, admin_api):
    assert_glance_error(upload(demo_api, str(uuid.uuid4())), 404)
    assert_glance_error(upload(demo_api, "cirros"), 404)
    public = create(admin_api, visibility="public")
    assert_glance_error(upload(demo_api, public["id"]), 403)


def test_a_failed_upload_kills_the_image_and_removes_the_partial_file(demo_api, settings):
    image = Image.objects.get(id=create(demo_api)["id"])

    class Broken(io.BytesIO):
        def read(self, size=-1):
            if self.tell() > 0:
                raise OSError("connection reset")
            return super().read(10)

    with pytest.raises(store.UnreadableData):
        store.upload(image, Broken(DATA))
    image.refresh_from_db()
    assert image.status == "killed" and image.size is None
    assert not os.path.exists(store.image_path(image.id)) and not os.path.exists(store.image_path(image.id) + ".part")
    assert_glance_error(upload(demo_api, str(image.id)), 409, "killed")


# --- patch ----------------------------------------------------------------------------------


def test_json_patch_changes_core_attributes_and_properties(demo_api):
    image = create(demo_api, hw_disk_bus="virtio", os_distro="cirros")
    response = patch(
        demo_api,
        image["id"],
        [
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/visibility", "value": "community"},
            {"op": "add", "path": "/min_disk", "value": 2},
            {"op": "replace", "path": "/min_ram", "value": 256},
            {"op": "replace", "path": "/protected", "value": True},
            {"op": "replace", "path": "/tags", "value": ["x"]},
            {"op": "add", "path": "/owner_specified.openstack.sha256", "value": "f00"},
            {"op": "replace", "path": "/hw_disk_bus", "value": "scsi"},
            {"op": "remove", "path": "/os_distro"},
        ],
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["visibility"], body["min_disk"], body["min_ram"], body["protected"]) == (
        "renamed",
        "community",
        2,
        256,
        True,
    )
    assert body["tags"] == ["x"] and body["hw_disk_bus"] == "scsi"
    assert body["owner_specified.openstack.sha256"] == "f00" and "os_distro" not in body
    assert Image.objects.get(id=image["id"]).properties == {
        "hw_disk_bus": "scsi",
        "owner_specified.openstack.sha256": "f00",
    }


@pytest.mark.parametrize(
    "operations, status, fragment",
    [
        ({"op": "replace"}, 400, "list"),
        (["x"], 400, "op"),
        ([{"op": "move", "path": "/name", "value": "x"}], 400, "op"),
        ([{"op": "replace", "path": "name", "value": "x"}], 400, "pointer"),
        ([{"op": "replace", "path": "/a/b", "value": "x"}], 400, "nested"),
        ([{"op": "replace", "path": "/name"}], 400, "value"),
        ([{"op": "replace", "path": "/min_disk", "value": "big"}], 400, "min_disk"),
        ([{"op": "replace", "path": "/visibility", "value": "nobody"}], 400, "visibility"),
        ([{"op": "add", "path": "/prop", "value": 1}], 400, "prop"),
        ([{"op": "add", "path": "/prop", "value": "\u0000"}], 400, "NUL"),
        ([{"op": "replace", "path": "/status", "value": "active"}], 403, "read-only"),
        ([{"op": "replace", "path": "/id", "value": "x"}], 403, "read-only"),
        ([{"op": "replace", "path": "/owner", "value": "x"}], 403, "owner"),
        ([{"op": "remove", "path": "/name"}], 403, "removed"),
        ([{"op": "replace", "path": "/visibility", "value": "public"}], 403, "publicize"),
        ([{"op": "replace", "path": "/missing", "value": "x"}], 409, "does not exist"),
        ([{"op": "remove", "path": "/missing"}], 409, "does not exist"),
    ],
)
def test_json_patch_errors(demo_api, operations, status, fragment):
    image = create(demo_api)
    assert_glance_error(patch(demo_api, image["id"], operations), status, fragment)
    assert Image.objects.get(id=image["id"]).name == "img"


def test_json_patch_needs_its_media_type(demo_api):
    image = create(demo_api)
    assert_glance_error(patch(demo_api, image["id"], [], content_type="application/json"), 415)


def test_formats_change_only_while_queued(demo_api):
    image = create(demo_api)
    operation = [{"op": "replace", "path": "/disk_format", "value": "qcow2"}]
    assert patch(demo_api, image["id"], operation).json()["disk_format"] == "qcow2"
    upload(demo_api, image["id"])
    assert_glance_error(patch(demo_api, image["id"], operation), 403, "queued")


def test_only_owners_and_admins_patch(demo_api, admin_api):
    operation = [{"op": "replace", "path": "/name", "value": "mine now"}]
    assert_glance_error(patch(demo_api, str(CIRROS_IMAGE_ID), operation), 403, "modify")
    assert patch(admin_api, str(CIRROS_IMAGE_ID), operation).status_code == 200
    image = create(demo_api)
    given = patch(admin_api, image["id"], [{"op": "replace", "path": "/owner", "value": "elsewhere"}])
    assert given.json()["owner"] == "elsewhere"


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
    assert_glance_error(demo_api.delete(f"/image/v2/images/{CIRROS_IMAGE_ID}"), 403)
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


# --- the store, as the conductor uses it ----------------------------------------------------


def snapshot(owner: str, server_uuid: str, backup_type: str | None = None) -> Image:
    kind = "backup" if backup_type else "snapshot"
    return store.create_image(
        name=kind,
        owner=owner,
        disk_format="qcow2",
        container_format="bare",
        properties=store.snapshot_properties(
            instance_uuid=server_uuid, base_image_ref=str(CIRROS_IMAGE_ID), image_type=kind, backup_type=backup_type
        ),
    )


def test_record_external_upload_is_idempotent(cloud):
    image = snapshot("p1", str(uuid.uuid4()))
    assert (image.status, image.visibility, image.properties["image_type"]) == ("queued", "private", "snapshot")
    store.begin_upload(image)
    with open(store.image_path(image.id), "wb") as handle:
        handle.write(DATA)
    checksum = hashlib.md5(DATA).hexdigest()
    for _ in range(2):
        image = store.record_external_upload(image, size=len(DATA), checksum=checksum, disk_format="raw")
        assert (image.status, image.size, image.checksum, image.virtual_size) == (
            "active",
            len(DATA),
            checksum,
            len(DATA),
        )


def test_record_external_upload_after_delete_drops_the_bytes(cloud):
    image = snapshot("p1", str(uuid.uuid4()))
    assert store.delete_image(image)
    with open(store.image_path(image.id), "wb") as handle:
        handle.write(DATA)
    image = store.record_external_upload(image, size=len(DATA), checksum="x", disk_format="qcow2")
    assert image.status == "deleted" and not os.path.exists(store.image_path(image.id))


def test_store_guards(cloud):
    image = snapshot("p1", str(uuid.uuid4()))
    with pytest.raises(Conflict):
        store.create_image(name="again", owner="p1", image_id=image.id)
    store.begin_upload(image)
    with pytest.raises(Conflict):
        store.begin_upload(image)
    assert store.abort_upload(image).status == "killed"
    protected = store.create_image(name="keep", owner="p1", protected=True)
    assert store.delete_image(protected) is False and Image.objects.get(id=protected.id).status == "queued"


def test_rotate_backups_keeps_the_newest(cloud):
    server, other = str(uuid.uuid4()), str(uuid.uuid4())
    daily = [snapshot("p1", server, "daily") for _ in range(4)]
    weekly = snapshot("p1", server, "weekly")
    foreign = snapshot("p1", other, "daily")
    plain = snapshot("p1", server)
    kept_protected = daily[0]
    Image.objects.filter(id=kept_protected.id).update(protected=True)
    deleted = store.rotate_backups(server_uuid=server, backup_type="daily", rotation=2, owner="p1")
    assert deleted == [str(daily[1].id)]
    statuses = {image.id: image.status for image in Image.objects.all()}
    assert statuses[daily[3].id] == statuses[daily[2].id] == "queued"
    assert statuses[daily[1].id] == "deleted" and statuses[kept_protected.id] == "queued"
    assert statuses[weekly.id] == statuses[foreign.id] == statuses[plain.id] == "queued"
    assert store.rotate_backups(server_uuid=server, backup_type="daily", rotation=0, owner="p1") == [
        str(daily[3].id),
        str(daily[2].id),
    ]
