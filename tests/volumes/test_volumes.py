"""Block storage v3 over HTTP: project scope, show, list and paging, update, extend,
delete, os-reset_status, and the quota set."""

from __future__ import annotations

import os
import uuid

import pytest

from volumes import store
from volumes.models import Volume

from .helpers import GiB, assert_error, create, needs_qemu, pid, qemu_info, url

pytestmark = pytest.mark.django_db


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
    seen: list[str] = []
    next_url: str | None = url("/volumes/detail") + "?limit=2"
    pages = 0
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
    bad: object
    for bad in ({}, {"volume": {}}, {"volume": {"name": 1}}, {"volume": {"metadata": []}}):
        assert_error(demo_api.put(url(f"/volumes/{volume['id']}"), bad, format="json"), 400, "badRequest")


# --- extend, delete, actions ----------------------------------------------------------------


def test_set_bootable_sets_the_flag(demo_api, other_api):
    volume = create(demo_api)
    action = url(f"/volumes/{volume['id']}/action")
    assert demo_api.get(url(f"/volumes/{volume['id']}")).json()["volume"]["bootable"] == "false"
    response = demo_api.post(action, {"os-set_bootable": {"bootable": True}}, format="json")
    assert response.status_code == 200
    assert demo_api.get(url(f"/volumes/{volume['id']}")).json()["volume"]["bootable"] == "true"
    assert demo_api.post(action, {"os-set_bootable": {"bootable": "false"}}, format="json").status_code == 200
    assert demo_api.get(url(f"/volumes/{volume['id']}")).json()["volume"]["bootable"] == "false"
    bad_bodies: list[dict] = [
        {"os-set_bootable": {}},
        {"os-set_bootable": {"bootable": "maybe"}},
        {"os-set_bootable": None},
    ]
    for bad in bad_bodies:
        assert_error(demo_api.post(action, bad, format="json"), 400, "badRequest")
    foreign = other_api.post(
        url(f"/volumes/{volume['id']}/action", "other"), {"os-set_bootable": {"bootable": True}}, format="json"
    )
    assert foreign.status_code == 404


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
    assert_error(demo_api.delete(url(f"/volumes/{volume['id']}")), 400, "badRequest", "in-use")
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


# --- the volume microversion header ---------------------------------------------------------


def test_the_volume_version_is_echoed_on_every_response(demo_api):
    volume = create(demo_api)
    answers = [
        demo_api.get(url(), HTTP_OPENSTACK_API_VERSION="volume 3.0"),
        demo_api.get(url(f"/volumes/{volume['id']}"), HTTP_OPENSTACK_API_VERSION="volume 3.0"),
        demo_api.get(url(f"/volumes/{uuid.uuid4()}"), HTTP_OPENSTACK_API_VERSION="volume 3.0"),
    ]
    for answer in answers:
        assert answer["OpenStack-API-Version"] == "volume 3.0"
        assert answer["Vary"] == "OpenStack-API-Version"
    assert demo_api.get(url())["OpenStack-API-Version"] == "volume 3.0"
    latest = demo_api.get(url(), HTTP_OPENSTACK_API_VERSION="volume latest")
    assert latest["OpenStack-API-Version"] == "volume 3.70"
    assert demo_api.get(url(), HTTP_OPENSTACK_API_VERSION="volume 3.71").status_code == 406
    assert demo_api.get(url(), HTTP_OPENSTACK_API_VERSION="volume 2.0").status_code == 406


def test_fields_follow_the_volume_version_and_create_has_no_extension_fields(demo_api, admin_api):
    v30 = {"HTTP_OPENSTACK_API_VERSION": "volume 3.0"}
    created = admin_api.post(url(project="admin"), {"volume": {"size": 1}}, format="json", **v30)
    body = created.json()["volume"]
    for field in (
        "os-vol-tenant-attr:tenant_id",
        "os-vol-host-attr:host",
        "consumes_quota",
        "cluster_name",
        "group_id",
    ):
        assert field not in body, field
    shown = admin_api.get(url(f"/volumes/{body['id']}", "admin"), **v30).json()["volume"]
    assert "os-vol-tenant-attr:tenant_id" in shown and "os-vol-host-attr:host" in shown
    assert "consumes_quota" not in shown and "cluster_name" not in shown
    latest = admin_api.get(url(f"/volumes/{body['id']}", "admin"), HTTP_OPENSTACK_API_VERSION="volume 3.65")
    assert {"consumes_quota", "cluster_name", "group_id", "shared_targets"} <= set(latest.json()["volume"])
    member = demo_api.get(url(f"/volumes/{create(demo_api)['id']}"), HTTP_OPENSTACK_API_VERSION="volume 3.65")
    assert "cluster_name" not in member.json()["volume"] and "consumes_quota" in member.json()["volume"]


def _walk(api, first: str, collection: str) -> list[dict]:
    """Every item, page by page along the ``<collection>_links`` next links."""
    seen: list[dict] = []
    next_url: str | None = first
    for _ in range(20):
        body = api.get(next_url).json()
        assert 1 <= len(body[collection]) <= 2
        seen += body[collection]
        links = body.get(f"{collection}_links", [])
        if not links:
            return seen
        next_url = links[0]["href"].split("testserver", 1)[-1]
    raise AssertionError("endless pagination loop")


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("sort=name:asc", lambda vols: sorted(vols, key=lambda v: (v["name"], v["created_at"]))),
        # A key without a direction is desc in Cinder.
        ("sort=size:desc,name", lambda vols: sorted(vols, key=lambda v: (v["size"], v["name"]), reverse=True)),
        ("sort_key=name&sort_dir=desc", lambda vols: sorted(vols, key=lambda v: v["name"], reverse=True)),
    ],
)
def test_sorted_pages_give_each_volume_once(demo_api, sort, expected):
    for name, size in (("d", 1), ("a", 2), ("c", 1), ("b", 3), ("e", 2)):
        create(demo_api, name=name, size=size)
    walked = _walk(demo_api, url("/volumes/detail") + f"?limit=2&{sort}", "volumes")
    names = [volume["name"] for volume in walked]
    assert names == [volume["name"] for volume in expected(walked)] and sorted(names) == ["a", "b", "c", "d", "e"]
    assert names == [volume["name"] for volume in demo_api.get(url("/volumes/detail") + f"?{sort}").json()["volumes"]]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("sort=bogus:asc", "Invalid input received: Invalid sort key"),
        ("sort=name:up", "Unknown sort direction, must be 'desc' or 'asc'."),
        ("sort=name&sort_key=size", "cannot be used with the 'sort' parameter."),
    ],
)
def test_bad_sorting_is_cinders_400(demo_api, query, fragment):
    assert_error(demo_api.get(url() + f"?{query}"), 400, "badRequest", fragment)
