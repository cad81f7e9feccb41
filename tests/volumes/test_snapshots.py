"""Cinder v3 snapshots over HTTP: create (available and in-use volumes, force and 3.66),
show, list and detail with filters and paging, update, delete, metadata, os-reset_status and
os-force_delete, the quota, and the files behind them."""

from __future__ import annotations

import os
import uuid

import pytest

from volumes import store
from volumes.models import Snapshot, Volume

from .helpers import GiB, assert_error, create, needs_qemu, pid, qemu_info, url

pytestmark = pytest.mark.django_db

V3_0 = {"HTTP_OPENSTACK_API_VERSION": "volume 3.0"}
LATEST = {"HTTP_OPENSTACK_API_VERSION": "volume 3.70"}
BASE_FIELDS = {"id", "created_at", "updated_at", "name", "description", "volume_id", "status", "size", "metadata"}
EXTENDED = {"os-extended-snapshot-attributes:project_id", "os-extended-snapshot-attributes:progress"}


def snap(api, volume_id: str, project: str = "demo", status: int = 202, headers=None, **fields):
    body = {"snapshot": {"volume_id": volume_id, "name": "snap", **fields}}
    response = api.post(url("/snapshots", project), body, format="json", **(headers or {}))
    assert response.status_code == status, response.content
    return response.json()


def in_use(volume: dict) -> None:
    store.mark_in_use(Volume.objects.get(id=volume["id"]), uuid.uuid4())


# --- create ---------------------------------------------------------------------------------


@needs_qemu
def test_create_copies_the_volume_file_with_cinders_fields(demo_api):
    volume = create(demo_api, size=2)
    body = snap(demo_api, volume["id"], description="d", metadata={"k": "v"}, headers=V3_0)["snapshot"]
    assert set(body) == BASE_FIELDS, body
    assert (body["volume_id"], body["size"], body["status"]) == (volume["id"], 2, "available")
    assert (body["name"], body["description"], body["metadata"]) == ("snap", "d", {"k": "v"})
    row = Snapshot.objects.get(id=body["id"])
    assert (row.project_id, row.progress, row.file_format) == (pid(), "100%", "qcow2")
    info = qemu_info(store.snapshot_path(row.id))
    assert info["format"] == "qcow2" and info["virtual-size"] == 2 * GiB and "backing-filename" not in info


def test_create_without_qemu_img_copies_a_sparse_raw_file(demo_api, no_qemu):
    volume = create(demo_api, size=1)
    with open(store.volume_path(volume["id"]), "r+b") as handle:
        handle.write(b"guest data")
    body = snap(demo_api, volume["id"])["snapshot"]
    path = store.snapshot_path(body["id"])
    assert os.path.getsize(path) == GiB and os.stat(path).st_blocks * 512 < GiB
    with open(path, "rb") as handle:
        assert handle.read(10) == b"guest data"
    # The copy is a copy: later writes to the volume do not reach it.
    with open(store.volume_path(volume["id"]), "r+b") as handle:
        handle.write(b"other data")
    with open(path, "rb") as handle:
        assert handle.read(10) == b"guest data"


def test_a_failed_copy_leaves_the_snapshot_in_error(demo_api, no_qemu):
    volume = create(demo_api)
    os.remove(store.volume_path(volume["id"]))
    body = snap(demo_api, volume["id"])["snapshot"]
    row = Snapshot.objects.get(id=body["id"])
    assert body["status"] == "error" and "missing" in row.error_message
    assert not os.path.exists(store.snapshot_path(row.id)) and not os.path.exists(store.snapshot_path(row.id) + ".part")
    assert demo_api.delete(url(f"/snapshots/{row.id}")).status_code == 202
    assert not Snapshot.objects.exists()


def test_an_in_use_volume_needs_force_below_3_66(demo_api):
    volume = create(demo_api)
    in_use(volume)
    refused = demo_api.post(url("/snapshots"), {"snapshot": {"volume_id": volume["id"]}}, format="json", **V3_0)
    assert_error(refused, 400, "badRequest", "status must be available, but current status is: in-use")
    not_forced = {"snapshot": {"volume_id": volume["id"], "force": False}}
    assert_error(demo_api.post(url("/snapshots"), not_forced, format="json", **V3_0), 400, "badRequest", "in-use")
    assert not Snapshot.objects.exists()
    forced = snap(demo_api, volume["id"], force=True, headers=V3_0)["snapshot"]
    assert forced["status"] == "available"
    assert Volume.objects.get(id=volume["id"]).status == "in-use"


def test_at_3_66_in_use_needs_no_force_and_force_false_is_refused(demo_api):
    volume = create(demo_api)
    in_use(volume)
    v366 = {"HTTP_OPENSTACK_API_VERSION": "volume 3.66"}
    body = {"snapshot": {"volume_id": volume["id"], "force": False}}
    assert_error(demo_api.post(url("/snapshots"), body, format="json", **v366), 400, "badRequest", "'force' flag")
    created = snap(demo_api, volume["id"], headers=v366)["snapshot"]
    assert created["status"] == "available" and created["consumes_quota"] is True


def test_only_available_or_in_use_volumes_are_snapshotted(demo_api, admin_api):
    volume = create(demo_api)
    Volume.objects.filter(id=volume["id"]).update(status="error")
    body = {"snapshot": {"volume_id": volume["id"], "force": True}}
    assert_error(demo_api.post(url("/snapshots"), body, format="json"), 400, "badRequest", "current status is: error")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "snapshot"),
        ({"snapshot": {}}, "volume_id"),
        ({"snapshot": {"volume_id": 5}}, "volume_id"),
        ({"snapshot": {"volume_id": "x", "force": "maybe"}}, "force"),
        ({"snapshot": {"volume_id": "x", "name": 5}}, "name"),
        ({"snapshot": {"volume_id": "x", "metadata": {"k": 1}}}, "metadata"),
        ({"snapshot": {"volume_id": "x", "colour": "red"}}, "colour"),
    ],
)
def test_create_rejects_malformed_bodies_with_400(demo_api, body, fragment):
    assert_error(demo_api.post(url("/snapshots"), body, format="json"), 400, "badRequest", fragment)


def test_create_of_an_unknown_or_invisible_volume_is_404(demo_api, other_api):
    for volume_id in (str(uuid.uuid4()), "nope"):
        body = {"snapshot": {"volume_id": volume_id}}
        assert_error(demo_api.post(url("/snapshots"), body, format="json"), 404, "itemNotFound", volume_id)
    mine = create(demo_api)
    body = {"snapshot": {"volume_id": mine["id"]}}
    assert_error(other_api.post(url("/snapshots", "other"), body, format="json"), 404, "itemNotFound")
    assert not Snapshot.objects.exists()


# --- quota ----------------------------------------------------------------------------------


def test_quota_limits_snapshots_and_gigabytes_with_413(demo_api, settings):
    settings.VOLUME_QUOTA_DEFAULTS = {**settings.VOLUME_QUOTA_DEFAULTS, "snapshots": 2, "gigabytes": 5}
    volume = create(demo_api, size=2)
    snap(demo_api, volume["id"])
    # 2 (volume) + 2 (snapshot) used: another 2 GiB snapshot would pass 5.
    over = demo_api.post(url("/snapshots"), {"snapshot": {"volume_id": volume["id"]}}, format="json")
    assert_error(over, 413, "overLimit", "gigabytes quota. Requested 2G, quota is 5G and 4G has been consumed")
    settings.VOLUME_QUOTA_DEFAULTS = {**settings.VOLUME_QUOTA_DEFAULTS, "gigabytes": 6}
    small = create(demo_api, size=1)
    snap(demo_api, small["id"])
    over = demo_api.post(url("/snapshots"), {"snapshot": {"volume_id": small["id"]}}, format="json")
    assert_error(over, 413, "overLimit", "Maximum number of snapshots allowed (2) exceeded")
    assert Snapshot.objects.count() == 2
    # Snapshots' gigabytes count against volumes too.
    assert_error(demo_api.post(url(), {"volume": {"size": 1}}, format="json"), 413, "overLimit", "gigabytes")
    usage = demo_api.get(url(f"/os-quota-sets/{pid()}"), {"usage": "True"}).json()["quota_set"]
    assert usage["snapshots"] == {"limit": 2, "in_use": 2, "reserved": 0, "allocated": 0}
    assert usage["gigabytes"]["in_use"] == 6 and usage["snapshots___DEFAULT__"]["in_use"] == 2


# --- show, list, update ---------------------------------------------------------------------


def test_show_has_the_extended_attributes_and_follows_the_version(demo_api, other_api, admin_api):
    volume = create(demo_api)
    created = snap(demo_api, volume["id"])["snapshot"]
    shown = demo_api.get(url(f"/snapshots/{created['id']}"), **V3_0).json()["snapshot"]
    assert set(shown) == BASE_FIELDS | EXTENDED
    assert shown["os-extended-snapshot-attributes:project_id"] == pid()
    assert shown["os-extended-snapshot-attributes:progress"] == "100%"
    latest = demo_api.get(url(f"/snapshots/{created['id']}"), **LATEST).json()["snapshot"]
    assert set(latest) == BASE_FIELDS | EXTENDED | {"group_snapshot_id", "user_id", "consumes_quota"}
    assert latest["group_snapshot_id"] is None and latest["consumes_quota"] is True
    assert_error(other_api.get(url(f"/snapshots/{created['id']}", "other")), 404, "itemNotFound")
    assert admin_api.get(url(f"/snapshots/{created['id']}", "admin")).status_code == 200
    for snapshot_id in (str(uuid.uuid4()), "snap"):
        assert_error(demo_api.get(url(f"/snapshots/{snapshot_id}")), 404, "itemNotFound", "Snapshot")
        assert_error(demo_api.delete(url(f"/snapshots/{snapshot_id}")), 404, "itemNotFound")
        assert_error(
            demo_api.put(url(f"/snapshots/{snapshot_id}"), {"snapshot": {"name": "x"}}, format="json"),
            404,
            "itemNotFound",
        )


def test_list_and_detail_filter_and_page(demo_api, other_api, admin_api):
    first, second = create(demo_api, name="a"), create(demo_api, name="b")
    ids = [snap(demo_api, first["id"], name=f"s{n}")["snapshot"]["id"] for n in range(3)]
    on_second = snap(demo_api, second["id"], name="other")["snapshot"]["id"]
    Snapshot.objects.filter(id=ids[0]).update(status="error")
    listed = demo_api.get(url("/snapshots")).json()["snapshots"]
    assert [s["id"] for s in listed] == [on_second, *ids[::-1]] and set(listed[0]) == BASE_FIELDS
    detail = demo_api.get(url("/snapshots/detail")).json()["snapshots"]
    assert set(detail[0]) >= EXTENDED
    by_volume = demo_api.get(url("/snapshots/detail"), {"volume_id": first["id"]}).json()["snapshots"]
    assert {s["id"] for s in by_volume} == set(ids)
    assert [s["id"] for s in demo_api.get(url("/snapshots"), {"name": "s1"}).json()["snapshots"]] == [ids[1]]
    assert [s["id"] for s in demo_api.get(url("/snapshots"), {"status": "error"}).json()["snapshots"]] == [ids[0]]
    assert demo_api.get(url("/snapshots"), {"volume_id": "nope"}).json()["snapshots"] == []
    seen: list[str] = []
    next_url: str | None = url("/snapshots/detail") + f"?volume_id={first['id']}&limit=2"
    pages = 0
    while next_url:
        body = demo_api.get(next_url).json()
        seen += [s["id"] for s in body["snapshots"]]
        links = body.get("snapshots_links", [])
        next_url = links[0]["href"].split("testserver", 1)[-1] if links else None
        pages += 1
    assert seen == ids[::-1] and pages == 2
    assert_error(demo_api.get(url("/snapshots"), {"marker": str(uuid.uuid4())}), 400, "badRequest", "Marker")
    assert_error(demo_api.get(url("/snapshots"), {"limit": "x"}), 400, "badRequest")
    assert other_api.get(url("/snapshots", "other")).json()["snapshots"] == []
    assert other_api.get(url("/snapshots", "other"), {"all_tenants": "1"}).json()["snapshots"] == []
    assert admin_api.get(url("/snapshots", "admin")).json()["snapshots"] == []
    everyone = admin_api.get(url("/snapshots/detail", "admin"), {"all_tenants": "1"}).json()["snapshots"]
    assert len(everyone) == 4
    scoped = admin_api.get(url("/snapshots", "admin"), {"all_tenants": "1", "project_id": pid("other")})
    assert scoped.json()["snapshots"] == []


def test_update_renames_and_describes(demo_api, other_api):
    created = snap(demo_api, create(demo_api)["id"])["snapshot"]
    path = url(f"/snapshots/{created['id']}")
    updated = demo_api.put(path, {"snapshot": {"name": "new", "description": "desc"}}, format="json")
    assert updated.status_code == 200, updated.content
    assert (updated.json()["snapshot"]["name"], updated.json()["snapshot"]["description"]) == ("new", "desc")
    assert not EXTENDED & set(updated.json()["snapshot"])
    legacy = demo_api.put(path, {"snapshot": {"display_name": "old"}}, format="json").json()["snapshot"]
    assert legacy["name"] == "old" and legacy["description"] == "desc"
    bad: object
    for bad in ({}, {"snapshot": {}}, {"snapshot": {"name": 5}}, {"snapshot": {"status": "error"}}):
        assert_error(demo_api.put(path, bad, format="json"), 400, "badRequest")
    other_path = url(f"/snapshots/{created['id']}", "other")
    assert_error(other_api.put(other_path, {"snapshot": {"name": "x"}}, format="json"), 404, "itemNotFound")
    assert Snapshot.objects.get(id=created["id"]).name == "old"


def test_metadata_get_merge_replace_and_keys(demo_api):
    created = snap(demo_api, create(demo_api)["id"], metadata={"a": "1"})["snapshot"]
    path = url(f"/snapshots/{created['id']}/metadata")
    assert demo_api.get(path).json() == {"metadata": {"a": "1"}}
    merged = demo_api.post(path, {"metadata": {"b": "2"}}, format="json")
    assert merged.status_code == 200 and merged.json() == {"metadata": {"a": "1", "b": "2"}}
    assert demo_api.get(f"{path}/b").json() == {"meta": {"b": "2"}}
    assert demo_api.put(f"{path}/b", {"meta": {"b": "3"}}, format="json").json() == {"meta": {"b": "3"}}
    assert_error(demo_api.put(f"{path}/b", {"meta": {"c": "3"}}, format="json"), 400, "badRequest", "mismatch")
    assert demo_api.delete(f"{path}/a").status_code == 200
    assert_error(demo_api.delete(f"{path}/a"), 404, "itemNotFound")
    assert_error(demo_api.get(f"{path}/a"), 404, "itemNotFound")
    replaced = demo_api.put(path, {"metadata": {"z": "9"}}, format="json").json()
    assert replaced == {"metadata": {"z": "9"}} and Snapshot.objects.get(id=created["id"]).metadata == {"z": "9"}
    assert_error(demo_api.post(path, {"metadata": {"k": 1}}, format="json"), 400, "badRequest")


# --- delete and the actions -----------------------------------------------------------------


def test_delete_removes_file_and_row_and_refuses_busy_snapshots(demo_api):
    created = snap(demo_api, create(demo_api)["id"])["snapshot"]
    path = store.snapshot_path(created["id"])
    assert os.path.exists(path)
    Snapshot.objects.filter(id=created["id"]).update(status="creating")
    refused = demo_api.delete(url(f"/snapshots/{created['id']}"))
    assert_error(refused, 400, "badRequest", "Snapshot status must be available or error")
    assert os.path.exists(path) and Snapshot.objects.get(id=created["id"]).status == "creating"
    Snapshot.objects.filter(id=created["id"]).update(status="available")
    assert demo_api.delete(url(f"/snapshots/{created['id']}")).status_code == 202
    assert not os.path.exists(path) and not Snapshot.objects.exists()
    assert_error(demo_api.get(url(f"/snapshots/{created['id']}")), 404, "itemNotFound")


def test_reset_status_is_for_admins(demo_api, admin_api):
    created = snap(demo_api, create(demo_api)["id"])["snapshot"]
    action = url(f"/snapshots/{created['id']}/action")
    body = {"os-reset_status": {"status": "error"}}
    assert_error(demo_api.post(action, body, format="json"), 403, "forbidden")
    assert Snapshot.objects.get(id=created["id"]).status == "available"
    admin_action = url(f"/snapshots/{created['id']}/action", "admin")
    assert_error(
        admin_api.post(admin_action, {"os-reset_status": {"status": "fine"}}, format="json"), 400, "badRequest", "fine"
    )
    assert_error(admin_api.post(admin_action, {"os-reset_status": {}}, format="json"), 400, "badRequest")
    assert_error(admin_api.post(admin_action, {"os-nothing": {}}, format="json"), 400, "badRequest", "os-nothing")
    assert (
        admin_api.post(admin_action, {"os-reset_status": {"status": "ERROR_DELETING"}}, format="json").status_code
        == 202
    )
    assert Snapshot.objects.get(id=created["id"]).status == "error_deleting"
    missing = url(f"/snapshots/{uuid.uuid4()}/action", "admin")
    assert_error(admin_api.post(missing, body, format="json"), 404, "itemNotFound")


def test_force_delete_is_for_admins_and_ignores_the_status(demo_api, admin_api):
    created = snap(demo_api, create(demo_api)["id"])["snapshot"]
    Snapshot.objects.filter(id=created["id"]).update(status="creating")
    body: dict[str, dict] = {"os-force_delete": {}}
    assert_error(demo_api.post(url(f"/snapshots/{created['id']}/action"), body, format="json"), 403, "forbidden")
    done = admin_api.post(url(f"/snapshots/{created['id']}/action", "admin"), body, format="json")
    assert done.status_code == 202 and not Snapshot.objects.exists()
    assert not os.path.exists(store.snapshot_path(created["id"]))


def test_snapshots_page_in_the_order_asked(demo_api):
    volume = create(demo_api, name="origin")
    for name in ("c", "a", "e", "b", "d"):
        snap(demo_api, volume["id"], name=name)
    seen: list[str] = []
    next_url: str | None = url("/snapshots") + "?limit=2&sort=name:asc"
    for _ in range(10):
        body = demo_api.get(next_url).json()
        seen += [snapshot["name"] for snapshot in body["snapshots"]]
        links = body.get("snapshots_links", [])
        next_url = links[0]["href"].split("testserver", 1)[-1] if links else None
        if next_url is None:
            break
        assert "sort=name%3Aasc" in next_url
    assert seen == ["a", "b", "c", "d", "e"]
    assert demo_api.get(url("/snapshots") + "?sort=volume_id:asc").status_code == 400
