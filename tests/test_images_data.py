"""Image v2 data (upload and download over HTTP) and the images.store service that the
conductor calls (snapshots, backups, rotation)."""

from __future__ import annotations

import hashlib
import io
import os
import uuid

import pytest

from core.exceptions import Conflict, NotFound, PolicyNotAuthorized
from core.principal import Caller
from images import services, store
from images.models import Image
from novasite.demo import CIRROS_IMAGE_ID

from .images_helpers import DATA, assert_glance_error, create, upload

pytestmark = pytest.mark.django_db


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


def test_only_admins_download_a_deactivated_image(demo_api, admin_api):
    image = create(demo_api)
    upload(demo_api, image["id"])
    Image.objects.filter(id=image["id"]).update(status="deactivated")
    refused = demo_api.get(f"/image/v2/images/{image['id']}/file")
    assert_glance_error(refused, 403, "The requested image has been deactivated. Image data download is forbidden.")
    assert admin_api.get(f"/image/v2/images/{image['id']}/file").status_code == 204  # data only when active


def test_a_second_upload_is_409(demo_api):
    image = create(demo_api)
    assert upload(demo_api, image["id"]).status_code == 204
    assert_glance_error(upload(demo_api, image["id"], b"other"), 409, "active")


def test_upload_needs_octet_stream(demo_api):
    image = create(demo_api)
    response = demo_api.put(f"/image/v2/images/{image['id']}/file", data=b"{}", content_type="application/json")
    assert_glance_error(response, 415)
    assert Image.objects.get(id=image["id"]).status == "queued"


def chunked_upload(api, image_id: str, data: bytes):
    """A PUT as gunicorn hands it on: Transfer-Encoding chunked, no Content-Length, and
    wsgi.input already decoded, ending where the body ends."""
    return api.put(
        f"/image/v2/images/{image_id}/file",
        content_type="application/octet-stream",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
        **{"wsgi.input": io.BytesIO(data)},
    )


def test_a_chunked_upload_without_length_is_stored(demo_api):
    image = create(demo_api)
    assert chunked_upload(demo_api, image["id"], DATA).status_code == 204
    stored = Image.objects.get(id=image["id"])
    assert stored.status == "active" and stored.size == len(DATA)
    assert stored.checksum == hashlib.md5(DATA, usedforsecurity=False).hexdigest()
    assert b"".join(demo_api.get(f"/image/v2/images/{image['id']}/file").streaming_content) == DATA


def test_a_chunked_upload_over_the_size_cap_is_413(demo_api, monkeypatch):
    monkeypatch.setattr(store, "IMAGE_SIZE_CAP", 4)
    image = create(demo_api)
    assert_glance_error(chunked_upload(demo_api, image["id"], b"12345"), 413)
    assert Image.objects.get(id=image["id"]).status == "killed"


def test_upload_to_unknown_or_foreign_images(demo_api, admin_api):
    assert_glance_error(upload(demo_api, str(uuid.uuid4())), 404)
    assert_glance_error(upload(demo_api, "cirros"), 404)
    public = create(admin_api, visibility="public")
    assert_glance_error(upload(demo_api, public["id"]), 403, "You are not authorized to complete upload_image action.")


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


def test_the_service_layer_enforces_the_policy_without_the_api(cloud):
    """The admin and commands call images.services as the API does, and are refused alike."""
    member = Caller(user_id="u1", project_id="p1")
    with pytest.raises(PolicyNotAuthorized, match="^Policy doesn't allow add_image"):
        services.create_image(member, services.NewImage(name="x", owner="p2"))
    with pytest.raises(PolicyNotAuthorized, match="publicize_image"):
        services.create_image(member, services.NewImage(name="x", visibility="public"))
    image = services.create_image(member, services.NewImage(name="mine"))
    assert image.owner == "p1" and image.visibility == "shared"
    other = Caller(user_id="u2", project_id="p2", is_admin=False)
    with pytest.raises(NotFound):
        services.delete_image(other, str(image.id))
    Image.objects.filter(id=image.id).update(visibility="community")
    with pytest.raises(PolicyNotAuthorized, match="delete_image"):
        services.delete_image(other, str(image.id))
    with pytest.raises(PolicyNotAuthorized, match="modify_image"):
        services.update_image(other, str(image.id), [services.SetAttribute("name", "taken")])
    ownerless = services.create_image(Caller("admin", "p0", is_admin=True), services.NewImage(owner=None))
    Image.objects.filter(id=ownerless.id).update(visibility="public")
    with pytest.raises(PolicyNotAuthorized, match="upload_image"):
        services.upload_data(member, str(ownerless.id), b"")
