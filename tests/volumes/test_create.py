"""Block storage v3 over HTTP: discovery, and creating volumes as files (blank or from an
image, with and without qemu-img), with their body checks and quotas."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest
from rest_framework.test import APIClient

from images import store as image_store
from images.models import Image
from novasite.demo import CIRROS_IMAGE_ID
from volumes import store
from volumes.models import Volume

from .helpers import QEMU, GiB, assert_error, create, needs_qemu, pid, qemu_info, url

pytestmark = pytest.mark.django_db


# --- discovery ------------------------------------------------------------------------------


def test_version_documents_need_no_token(client):
    root = client.get("/volume")
    assert root.status_code == 300
    [v3] = root.json()["versions"]
    assert (v3["id"], v3["status"], v3["min_version"], v3["version"]) == ("v3.0", "CURRENT", "3.0", "3.70")
    assert next(link["href"] for link in v3["links"] if link["rel"] == "self").endswith("/volume/v3/")
    assert client.get("/volume/v3").status_code == 200
    assert client.get("/volume/v3/").json()["versions"][0]["id"] == "v3.0"


def test_the_catalog_has_block_storage_with_the_project_in_its_url(cloud):
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "demo", "domain": {"name": "Default"}, "password": "secret"}},
            },
            "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}},
        }
    }
    token = APIClient().post("/identity/v3/auth/tokens", body, format="json").json()["token"]
    [entry] = [e for e in token["catalog"] if e["type"] == "volumev3"]
    assert entry["name"] == "cinderv3"
    assert entry["endpoints"][0]["url"].endswith(f"/volume/v3/{pid()}")
    assert entry["endpoints"][0]["region_id"] == "RegionOne"


def test_the_api_needs_a_token(cloud):
    assert_error(APIClient().get(url()), 401, "unauthorized")


# --- create ---------------------------------------------------------------------------------


@needs_qemu
def test_create_blank_volume_is_a_qcow2_file(demo_api, volume_dir):
    volume = create(demo_api, description="scratch", metadata={"purpose": "test"})
    assert (volume["status"], volume["size"], volume["bootable"], volume["name"]) == ("available", 1, "false", "vol")
    assert volume["attachments"] == [] and "os-vol-tenant-attr:tenant_id" not in volume  # show and list only
    assert volume["metadata"] == {"purpose": "test"} and volume["volume_type"] == "__DEFAULT__"
    assert volume["links"][0]["href"].endswith(f"/volume/v3/{pid()}/volumes/{volume['id']}")
    info = qemu_info(store.volume_path(volume["id"]))
    assert info["format"] == "qcow2" and info["virtual-size"] == GiB
    assert os.listdir(volume_dir) == [volume["id"]]
    shown = demo_api.get(url(f"/volumes/{volume['id']}")).json()["volume"]
    assert shown["description"] == "scratch" and shown["availability_zone"] == "nova"
    assert shown["os-vol-tenant-attr:tenant_id"] == pid()
    assert demo_api.get(url()).json()["volumes"] == [{"id": volume["id"], "name": "vol", "links": volume["links"]}]
    assert demo_api.get(url("/volumes/detail")).json()["volumes"][0]["status"] == "available"


def test_create_blank_volume_without_qemu_img_is_a_sparse_raw_file(demo_api, no_qemu):
    volume = create(demo_api, size=2)
    path = store.volume_path(volume["id"])
    assert volume["status"] == "available" and Volume.objects.get(id=volume["id"]).file_format == "raw"
    assert os.path.getsize(path) == 2 * GiB and os.stat(path).st_blocks * 512 < GiB


@needs_qemu
def test_create_from_an_image_converts_its_disk(demo_api):
    volume = create(demo_api, imageRef=str(CIRROS_IMAGE_ID))
    assert volume["status"] == "available" and volume["bootable"] == "true"
    assert "volume_image_metadata" not in volume  # Cinder's extension adds it to show and list
    shown = demo_api.get(url(f"/volumes/{volume['id']}")).json()["volume"]
    assert shown["volume_image_metadata"]["image_id"] == str(CIRROS_IMAGE_ID)
    assert shown["volume_image_metadata"]["image_name"] == "cirros"
    path = store.volume_path(volume["id"])
    assert qemu_info(path)["virtual-size"] == GiB
    # Same guest-visible bytes; the volume's extra space reads as zeros.
    compare = subprocess.run(
        [QEMU or "qemu-img", "compare", image_store.image_path(CIRROS_IMAGE_ID), path], capture_output=True
    )
    assert compare.returncode == 0, compare.stdout


def test_create_from_a_raw_image_without_qemu_img_copies_it(demo_api, no_qemu):
    image = image_store.create_image(name="raw", owner=pid(), disk_format="raw", container_format="bare")
    image_store.upload(image, b"boot sector" * 100)
    volume = create(demo_api, imageRef=str(image.id))
    with open(store.volume_path(volume["id"]), "rb") as handle:
        assert handle.read(1100) == b"boot sector" * 100
    assert os.path.getsize(store.volume_path(volume["id"])) == GiB


def test_a_failed_conversion_leaves_the_volume_in_error(demo_api, admin_api, no_qemu):
    volume = create(demo_api, imageRef=str(CIRROS_IMAGE_ID))  # qcow2 needs qemu-img
    assert volume["status"] == "error" and "error_message" not in volume
    assert not os.path.exists(store.volume_path(volume["id"]))
    shown = admin_api.get(url(f"/volumes/{volume['id']}", "admin")).json()["volume"]
    assert "qemu-img is needed" in shown["error_message"]
    assert demo_api.delete(url(f"/volumes/{volume['id']}")).status_code == 202


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({}, "volume"),
        ([], "volume"),
        ({"volume": "x"}, "volume"),
        ({"volume": {}}, "size"),
        ({"volume": {"size": 0}}, "size"),
        ({"volume": {"size": -1}}, "size"),
        ({"volume": {"size": "abc"}}, "size"),
        ({"volume": {"size": 1.5}}, "size"),
        ({"volume": {"size": True}}, "size"),
        ({"volume": {"size": 2**31}}, "size"),
        ({"volume": {"size": 1, "name": 5}}, "name"),
        ({"volume": {"size": 1, "name": "x" * 256}}, "name"),
        ({"volume": {"size": 1, "name": "nul\u0000"}}, "NUL"),
        ({"volume": {"size": 1, "description": ["x"]}}, "description"),
        ({"volume": {"size": 1, "metadata": "x"}}, "metadata"),
        ({"volume": {"size": 1, "metadata": {"k": 1}}}, "metadata"),
        ({"volume": {"size": 1, "imageRef": 5}}, "imageRef"),
        ({"volume": {"size": 1, "imageRef": "cirros"}}, "image"),
        ({"volume": {"size": 1, "imageRef": str(uuid.uuid4())}}, "image"),
        ({"volume": {"size": 1, "snapshot_id": 5}}, "snapshot_id"),
        ({"volume": {"size": 1, "source_volid": str(uuid.uuid4())}}, "source_volid"),
        ({"volume": {"size": 1, "multiattach": True}}, "ultiattach"),
        ({"volume": {"size": 1, "availability_zone": "atlantis"}}, "atlantis"),
    ],
)
def test_create_rejects_malformed_bodies_with_400(demo_api, body, fragment):
    assert_error(demo_api.post(url(), body, format="json"), 400, "badRequest", fragment)
    assert not Volume.objects.exists()


def test_create_rejects_unparseable_json_with_400(demo_api):
    assert_error(demo_api.generic("POST", url(), "{nope", content_type="application/json"), 400, "badRequest")


def test_create_with_an_unknown_volume_type_is_404(demo_api):
    body = {"volume": {"size": 1, "volume_type": "gold"}}
    assert_error(demo_api.post(url(), body, format="json"), 404, "itemNotFound", "gold")


def test_create_from_an_image_checks_its_size_and_visibility(demo_api, admin_api):
    image_store.update_image(Image.objects.get(id=CIRROS_IMAGE_ID), changes={"min_disk": 2})
    body = {"volume": {"size": 1, "imageRef": str(CIRROS_IMAGE_ID)}}
    assert_error(demo_api.post(url(), body, format="json"), 400, "badRequest", "minDisk")
    private = image_store.create_image(name="secret", owner=pid("admin"), disk_format="raw")
    image_store.upload(private, b"x")
    body = {"volume": {"size": 1, "imageRef": str(private.id)}}
    assert_error(demo_api.post(url(), body, format="json"), 400, "badRequest", "image")
    queued = image_store.create_image(name="empty", owner=pid(), disk_format="raw")
    body = {"volume": {"size": 1, "imageRef": str(queued.id)}}
    assert_error(demo_api.post(url(), body, format="json"), 400, "badRequest", "not active")
    assert not Volume.objects.exists()


def test_an_image_larger_than_the_volume_is_refused(demo_api, no_qemu):
    image = image_store.create_image(name="big", owner=pid(), disk_format="raw")
    image_store.upload(image, b"x")
    Image.objects.filter(id=image.id).update(virtual_size=GiB + 1)
    body = {"volume": {"size": 1, "imageRef": str(image.id)}}
    assert_error(demo_api.post(url(), body, format="json"), 400, "badRequest", "larger than volume size")


def test_quotas_limit_count_and_gigabytes_with_413(demo_api, settings):
    settings.VOLUME_QUOTA_DEFAULTS = {**settings.VOLUME_QUOTA_DEFAULTS, "volumes": 2, "gigabytes": 3}
    first = create(demo_api, size=2)
    assert_error(demo_api.post(url(), {"volume": {"size": 2}}, format="json"), 413, "overLimit", "gigabytes")
    create(demo_api, size=1)
    assert_error(demo_api.post(url(), {"volume": {"size": 1}}, format="json"), 413, "overLimit", "volumes")
    extend = demo_api.post(url(f"/volumes/{first['id']}/action"), {"os-extend": {"new_size": 3}}, format="json")
    assert_error(extend, 413, "overLimit", "gigabytes")
    assert Volume.objects.count() == 2
