"""Block storage v3 over HTTP (volumes as files: create blank or from an image, extend,
delete, quotas, paging, project scope) and the attach compare-and-swap the conductor uses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import uuid

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.exceptions import Conflict
from identity.models import Project, Role, RoleAssignment, User
from images import store as image_store
from images.models import Image
from novasite.demo import CIRROS_IMAGE_ID
from volumes import store
from volumes.models import Volume

from .conftest import issue_token

pytestmark = pytest.mark.django_db
GiB = 1 << 30
QEMU = shutil.which("qemu-img")
needs_qemu = pytest.mark.skipif(QEMU is None, reason="qemu-img is not installed")


@pytest.fixture(autouse=True)
def volume_dir(settings, tmp_path):
    settings.VOLUME_DIR = str(tmp_path / "volumes")
    return settings.VOLUME_DIR


@pytest.fixture
def no_qemu(monkeypatch):
    """Pretend qemu-img is not installed: volumes become sparse raw files."""
    monkeypatch.setattr(store, "qemu_img", lambda: None)
    monkeypatch.setattr(image_store, "qemu_img", lambda: None)


@pytest.fixture
def other_api(cloud) -> APIClient:
    project = Project.objects.create(name="other")
    user = User(name="other", default_project=project)
    user.set_password("secret")
    user.save()
    RoleAssignment.objects.create(user=user, project=project, role=Role.objects.get(name="member"))
    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=issue_token(client, "other", "other"))
    return client


def pid(name: str = "demo") -> str:
    return Project.objects.get(name=name).id


def url(suffix: str = "/volumes", project: str = "demo") -> str:
    return f"/volume/v3/{pid(project)}{suffix}"


def create(api: APIClient, project: str = "demo", **volume) -> dict:
    body = {"volume": {"size": 1, "name": "vol", **volume}}
    response = api.post(url(project=project), body, format="json", HTTP_ACCEPT="application/vnd.openstack.volume+json")
    assert response.status_code == 202, response.content
    return response.json()["volume"]


def qemu_info(path: str) -> dict:
    return json.loads(subprocess.run([QEMU, "info", "--output=json", path], capture_output=True, check=True).stdout)


def assert_error(response, status: int, key: str, fragment: str = "") -> None:
    assert response.status_code == status, response.content
    body = response.json()[key]
    assert body["code"] == status and fragment in body["message"], body


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
    assert volume["os-vol-tenant-attr:tenant_id"] == pid() and volume["attachments"] == []
    assert volume["metadata"] == {"purpose": "test"} and volume["volume_type"] == "__DEFAULT__"
    assert volume["links"][0]["href"].endswith(f"/volume/v3/{pid()}/volumes/{volume['id']}")
    info = qemu_info(store.volume_path(volume["id"]))
    assert info["format"] == "qcow2" and info["virtual-size"] == GiB
    assert os.listdir(volume_dir) == [volume["id"]]
    shown = demo_api.get(url(f"/volumes/{volume['id']}")).json()["volume"]
    assert shown["description"] == "scratch" and shown["availability_zone"] == "nova"
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
    assert volume["volume_image_metadata"]["image_id"] == str(CIRROS_IMAGE_ID)
    assert volume["volume_image_metadata"]["image_name"] == "cirros"
    path = store.volume_path(volume["id"])
    assert qemu_info(path)["virtual-size"] == GiB
    # Same guest-visible bytes; the volume's extra space reads as zeros.
    compare = subprocess.run([QEMU, "compare", image_store.image_path(CIRROS_IMAGE_ID), path], capture_output=True)
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
        ({"volume": {"size": 1, "snapshot_id": str(uuid.uuid4())}}, "snapshot_id"),
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


# --- show, list, update ---------------------------------------------------------------------


def test_members_only_see_their_projects_volumes(demo_api, other_api, admin_api):
    mine = create(demo_api)
    assert_error(other_api.get(url(f"/volumes/{mine['id']}", "other")), 404, "itemNotFound")
    assert other_api.get(url(project="other")).json()["volumes"] == []
    assert_error(other_api.delete(url(f"/volumes/{mine['id']}", "other")), 404, "itemNotFound")
    assert_error(demo_api.get(url(project="admin")), 400, "badRequest", "Malformed request url")
    assert admin_api.get(url(f"/volumes/{mine['id']}", "admin")).status_code == 200
    assert admin_api.get(url(project="admin")).json()["volumes"] == []
    everyone = admin_api.get(url("/volumes/detail", "admin"), {"all_tenants": "True"}).json()["volumes"]
    assert [v["id"] for v in everyone] == [mine["id"]] and "os-vol-host-attr:host" in everyone[0]


def test_admins_may_act_in_another_project(admin_api):
    volume = create(admin_api, project="demo")
    assert Volume.objects.get(id=volume["id"]).project_id == pid()
    assert_error(admin_api.get("/volume/v3/nosuchproject/volumes"), 404, "itemNotFound")


def test_unknown_volumes_are_404(demo_api):
    for volume_id in (str(uuid.uuid4()), "vol"):
        assert_error(demo_api.get(url(f"/volumes/{volume_id}")), 404, "itemNotFound")
        assert_error(demo_api.delete(url(f"/volumes/{volume_id}")), 404, "itemNotFound")
        action = demo_api.post(url(f"/volumes/{volume_id}/action"), {"os-extend": {"new_size": 2}}, format="json")
        assert_error(action, 404, "itemNotFound")


def test_list_filters_and_pages(demo_api):
    ids = [create(demo_api, name=f"v{n}")["id"] for n in range(5)]
    assert [v["name"] for v in demo_api.get(url(), {"name": "v2"}).json()["volumes"]] == ["v2"]
    assert len(demo_api.get(url(), {"status": "available"}).json()["volumes"]) == 5
    assert demo_api.get(url(), {"status": "error"}).json()["volumes"] == []
    seen, next_url, pages = [], url("/volumes/detail") + "?limit=2", 0
    while next_url:
        body = demo_api.get(next_url).json()
        seen += [v["id"] for v in body["volumes"]]
        links = body.get("volumes_links", [])
        next_url = links[0]["href"].split("testserver", 1)[-1] if links else None
        pages += 1
    assert seen == ids[::-1] and pages == 3
    assert "volumes_links" not in demo_api.get(url(), {"limit": 5}).json()


@pytest.mark.parametrize(
    "params", [{"limit": "x"}, {"limit": -1}, {"marker": "x"}, {"marker": str(uuid.uuid4())}, {"name": "\u0000"}]
)
def test_list_rejects_bad_paging_with_400(demo_api, params):
    assert_error(demo_api.get(url(), params), 400, "badRequest")


def test_update_name_description_and_metadata(demo_api):
    volume = create(demo_api)
    body = {"volume": {"name": "renamed", "description": "d", "metadata": {"a": "b"}}}
    updated = demo_api.put(url(f"/volumes/{volume['id']}"), body, format="json")
    assert updated.status_code == 200
    assert (updated.json()["volume"]["name"], updated.json()["volume"]["metadata"]) == ("renamed", {"a": "b"})
    for bad in ({}, {"volume": {}}, {"volume": {"name": 1}}, {"volume": {"metadata": []}}):
        assert_error(demo_api.put(url(f"/volumes/{volume['id']}"), bad, format="json"), 400, "badRequest")


# --- extend, delete, actions ----------------------------------------------------------------


@needs_qemu
def test_extend_grows_the_file(demo_api):
    volume = create(demo_api)
    response = demo_api.post(url(f"/volumes/{volume['id']}/action"), {"os-extend": {"new_size": 3}}, format="json")
    assert response.status_code == 202 and response.content == b""
    assert demo_api.get(url(f"/volumes/{volume['id']}")).json()["volume"]["size"] == 3
    assert qemu_info(store.volume_path(volume["id"]))["virtual-size"] == 3 * GiB


def test_extend_without_qemu_img_truncates(demo_api, no_qemu):
    volume = create(demo_api)
    response = demo_api.post(url(f"/volumes/{volume['id']}/action"), {"os-extend": {"new_size": "2"}}, format="json")
    assert response.status_code == 202
    assert os.path.getsize(store.volume_path(volume["id"])) == 2 * GiB


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"os-extend": {"new_size": 1}}, "greater than current size"),
        ({"os-extend": {"new_size": 0}}, "new_size"),
        ({"os-extend": {"new_size": "x"}}, "new_size"),
        ({"os-extend": {}}, "new_size"),
        ({"os-extend": None}, "new_size"),
        ({"os-explode": {}}, "no such action"),
        ({"os-extend": {"new_size": 2}, "os-detach": {}}, "exactly one"),
        ({}, "exactly one"),
        ([], "exactly one"),
    ],
)
def test_actions_reject_bad_bodies_with_400(demo_api, body, fragment):
    volume = create(demo_api)
    assert_error(
        demo_api.post(url(f"/volumes/{volume['id']}/action"), body, format="json"), 400, "badRequest", fragment
    )
    assert Volume.objects.get(id=volume["id"]).size == 1


def test_delete_removes_file_and_row(demo_api):
    volume = create(demo_api)
    response = demo_api.delete(url(f"/volumes/{volume['id']}"))
    assert response.status_code == 202
    assert not os.path.exists(store.volume_path(volume["id"])) and not Volume.objects.exists()
    assert_error(demo_api.get(url(f"/volumes/{volume['id']}")), 404, "itemNotFound")


def test_an_attached_volume_is_neither_deleted_nor_extended(demo_api):
    volume = create(demo_api)
    server = uuid.uuid4()
    store.mark_in_use(Volume.objects.get(id=volume["id"]), server)
    shown = demo_api.get(url(f"/volumes/{volume['id']}")).json()["volume"]
    assert shown["status"] == "in-use" and shown["attachments"][0]["server_id"] == str(server)
    assert_error(demo_api.delete(url(f"/volumes/{volume['id']}")), 409, "conflictingRequest", "in-use")
    extend = demo_api.post(url(f"/volumes/{volume['id']}/action"), {"os-extend": {"new_size": 2}}, format="json")
    assert_error(extend, 409, "conflictingRequest", "in-use")
    assert os.path.exists(store.volume_path(volume["id"]))


def test_reset_status_is_for_admins(demo_api, admin_api):
    volume = create(demo_api)
    store.mark_in_use(Volume.objects.get(id=volume["id"]), uuid.uuid4())
    body = {"os-reset_status": {"status": "available"}}
    assert_error(demo_api.post(url(f"/volumes/{volume['id']}/action"), body, format="json"), 403, "forbidden")
    bad = admin_api.post(
        url(f"/volumes/{volume['id']}/action", "admin"), {"os-reset_status": {"status": "fine"}}, format="json"
    )
    assert_error(bad, 400, "badRequest", "status")
    assert admin_api.post(url(f"/volumes/{volume['id']}/action", "admin"), body, format="json").status_code == 202
    reset = Volume.objects.get(id=volume["id"])
    assert reset.status == "available" and reset.attached_server_uuid is None


# --- quota sets -----------------------------------------------------------------------------


def test_quota_show_like_openstack_quota_show(demo_api, other_api, admin_api):
    create(demo_api, size=2)
    response = demo_api.get(url(f"/os-quota-sets/{pid()}"), {"usage": "False"})
    assert response.status_code == 200
    quota = response.json()["quota_set"]
    assert quota["id"] == pid() and (quota["volumes"], quota["gigabytes"], quota["snapshots"]) == (10, 1000, 10)
    usage = demo_api.get(url(f"/os-quota-sets/{pid()}"), {"usage": "True"}).json()["quota_set"]
    assert usage["volumes"] == {"limit": 10, "in_use": 1, "reserved": 0, "allocated": 0}
    assert usage["gigabytes"]["in_use"] == 2
    assert demo_api.get(url(f"/os-quota-sets/{pid()}/defaults")).json()["quota_set"]["volumes"] == 10
    assert_error(other_api.get(url(f"/os-quota-sets/{pid()}", "other")), 403, "forbidden")
    assert (
        admin_api.get(url(f"/os-quota-sets/{pid()}", "admin"), {"usage": "true"}).json()["quota_set"]["volumes"][
            "in_use"
        ]
        == 1
    )
    assert_error(demo_api.get(url(f"/os-quota-sets/{pid()}"), {"usage": "maybe"}), 400, "badRequest")


# --- attach states (the conductor's calls) --------------------------------------------------


def test_attach_states_compare_and_swap(cloud):
    volume = Volume.objects.create(project_id="p", user_id="u", size=1, status="available")
    first, second = uuid.uuid4(), uuid.uuid4()
    assert store.reserve(volume, first).status == "attaching"
    with pytest.raises(Conflict):
        store.reserve(volume, second)
    with pytest.raises(Conflict):
        store.mark_in_use(volume, second)
    assert store.mark_in_use(volume, first).status == "in-use"
    assert store.mark_in_use(volume, str(first)).attached_server_uuid == first  # redelivered: idempotent
    with pytest.raises(Conflict):
        store.begin_detaching(volume, second)
    assert store.begin_detaching(volume, first).status == "detaching"
    with pytest.raises(Conflict):
        store.mark_in_use(volume, second)
    assert store.mark_in_use(volume, first).status == "in-use"  # a failed detach, rolled back
    store.begin_detaching(volume)
    released = store.mark_available(volume, first)
    assert (released.status, released.attached_server_uuid, released.attached_at) == ("available", None, None)
    assert store.mark_available(volume).status == "available"
    store.mark_in_use(volume, second)
    with pytest.raises(Conflict):
        store.mark_available(volume, first)
    assert store.mark_available(volume, second).status == "available"


def test_double_mark_in_use_only_one_wins(cloud):
    volume = Volume.objects.create(project_id="p", user_id="u", size=1, status="available")
    store.mark_in_use(volume, uuid.uuid4())
    with pytest.raises(Conflict):
        store.mark_in_use(volume, uuid.uuid4())


@pytest.mark.django_db(transaction=True)
def test_concurrent_mark_in_use_has_exactly_one_winner():
    volume = Volume.objects.create(project_id="p", user_id="u", size=1, status="available")
    servers = [uuid.uuid4() for _ in range(8)]
    barrier = threading.Barrier(len(servers))
    winners, losers = [], []

    def attach(server: uuid.UUID) -> None:
        try:
            barrier.wait()
            store.mark_in_use(Volume.objects.get(id=volume.id), server)
            winners.append(server)
        except Conflict:
            losers.append(server)
        finally:
            connection.close()

    threads = [threading.Thread(target=attach, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1 and len(losers) == len(servers) - 1
    assert Volume.objects.get(id=volume.id).attached_server_uuid == winners[0]
