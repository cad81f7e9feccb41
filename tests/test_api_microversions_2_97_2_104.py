"""The microversions of Nova 34.0.0 up to 2.104, each through the HTTP API: image
properties in a server (2.98), scheduler hints (2.100), volume attach answering 202 (2.101),
flavors without rxtx_factor and disabled, with a name filter (2.102), /os-volumes_boot
removed (2.103), and unpinning / re-pinning the availability zone (2.104)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hosts.heartbeats import record_compute_report
from images.models import Image
from novasite.demo import CIRROS_IMAGE_ID
from servers.models import Server

from .servers_helpers import demo_server

pytestmark = pytest.mark.django_db


def at(version: str) -> dict[str, str]:
    return {"HTTP_OPENSTACK_API_VERSION": f"compute {version}"}


@pytest.fixture
def server(demo_api):
    record_compute_report("c1", {"vcpus": 4, "memory_mb": 4096, "disk_gb": 40})
    return demo_server(
        image_ref=str(CIRROS_IMAGE_ID),
        availability_zone="nova",
        scheduler_hints={"same_host": "4bd4b1f5-6c9b-4a38-a1f3-0e6c4c2a3a8e", "different_host": ["a", "b"]},
    )


def show(api, server, version):
    response = api.get(f"/compute/v2.1/servers/{server.uuid}", **at(version))
    assert response.status_code == 200, response.content
    return response.json()["server"]


def test_the_maximum_is_2_104(demo_api):
    assert demo_api.get("/compute/v2.1/flavors", **at("2.104")).status_code == 200
    assert demo_api.get("/compute/v2.1/flavors", **at("2.105")).status_code == 406
    latest = demo_api.get("/compute/v2.1/flavors", **at("latest"))
    assert latest["OpenStack-API-Version"] == "compute 2.104"


def test_2_98_the_embedded_image_shows_its_standard_properties(demo_api, server):
    Image.objects.filter(id=CIRROS_IMAGE_ID).update(
        properties={"hw_disk_bus": "virtio", "os_distro": "cirros", "architecture": "x86_64", "owner_note": "x"}
    )
    assert "properties" not in show(demo_api, server, "2.97")["image"]
    image = show(demo_api, server, "2.98")["image"]
    assert image["id"] == str(CIRROS_IMAGE_ID)
    assert image["properties"] == {"hw_disk_bus": "virtio", "os_distro": "cirros", "architecture": "x86_64"}
    [listed] = demo_api.get("/compute/v2.1/servers/detail", **at("2.98")).json()["servers"]
    assert listed["image"]["properties"] == image["properties"]
    updated = demo_api.put(
        f"/compute/v2.1/servers/{server.uuid}", {"server": {"name": "x"}}, format="json", **at("2.98")
    )
    assert updated.json()["server"]["image"]["properties"] == image["properties"]


def test_2_98_an_image_gone_since_shows_no_properties(demo_api, server):
    Server.objects.filter(pk=server.pk).update(image_ref="0b0e7c1a-0000-4000-8000-000000000000")
    assert show(demo_api, server, "2.98")["image"]["properties"] == {}


def test_2_100_scheduler_hints_as_lists(demo_api, server):
    assert "scheduler_hints" not in show(demo_api, server, "2.99")
    hints = {"same_host": ["4bd4b1f5-6c9b-4a38-a1f3-0e6c4c2a3a8e"], "different_host": ["a", "b"]}
    assert show(demo_api, server, "2.100")["scheduler_hints"] == hints
    [listed] = demo_api.get("/compute/v2.1/servers/detail", **at("2.100")).json()["servers"]
    assert listed["scheduler_hints"] == hints
    Server.objects.filter(pk=server.pk).update(scheduler_hints={})
    updated = demo_api.put(f"/compute/v2.1/servers/{server.uuid}", {"server": {}}, format="json", **at("2.100"))
    assert updated.json()["server"]["scheduler_hints"] == {}


def test_2_101_attaching_a_volume_is_202_without_a_body(demo_api, server, django_capture_on_commit_callbacks):
    project = server.project_id
    volume_ids = [
        demo_api.post(f"/volume/v3/{project}/volumes", {"volume": {"size": 1}}, format="json").json()["volume"]["id"]
        for _ in range(2)
    ]
    url = f"/compute/v2.1/servers/{server.uuid}/os-volume_attachments"
    with django_capture_on_commit_callbacks(execute=False):
        old = demo_api.post(url, {"volumeAttachment": {"volumeId": volume_ids[0]}}, format="json", **at("2.100"))
        new = demo_api.post(url, {"volumeAttachment": {"volumeId": volume_ids[1]}}, format="json", **at("2.101"))
    assert old.status_code == 200 and old.json()["volumeAttachment"]["volumeId"] == volume_ids[0]
    assert new.status_code == 202 and not new.content
    listed = demo_api.get(url, **at("2.101")).json()["volumeAttachments"]
    assert sorted(row["volumeId"] for row in listed) == sorted(volume_ids)


def test_2_102_flavors_lose_rxtx_factor_and_disabled_and_filter_by_name(demo_api, admin_api):
    before = demo_api.get("/compute/v2.1/flavors/42", **at("2.101")).json()["flavor"]
    assert "rxtx_factor" in before and "OS-FLV-DISABLED:disabled" in before
    after = demo_api.get("/compute/v2.1/flavors/42", **at("2.102")).json()["flavor"]
    assert "rxtx_factor" not in after and "OS-FLV-DISABLED:disabled" not in after
    assert after["swap"] == 0  # an integer from 2.75
    named = demo_api.get("/compute/v2.1/flavors/detail", {"name": "cirros"}, **at("2.102")).json()["flavors"]
    assert [flavor["id"] for flavor in named] == ["42"]
    # Before 2.102 `name` is an unknown parameter, refused from 2.75.
    assert demo_api.get("/compute/v2.1/flavors", {"name": "cirros"}, **at("2.101")).status_code == 400
    assert demo_api.get("/compute/v2.1/flavors", {"nope": "1"}, **at("2.75")).status_code == 400
    assert demo_api.get("/compute/v2.1/flavors", {"nope": "1"}, **at("2.74")).status_code == 200
    assert demo_api.get("/compute/v2.1/flavors/42", {"nope": "1"}, **at("2.102")).status_code == 400
    assert demo_api.get("/compute/v2.1/flavors", {"sort_key": "rxtx_factor"}, **at("2.102")).status_code == 400
    body = {"flavor": {"name": "f", "ram": 64, "vcpus": 1, "disk": 1, "rxtx_factor": 1.0}}
    assert admin_api.post("/compute/v2.1/flavors", body, format="json", **at("2.102")).status_code == 400
    assert admin_api.post("/compute/v2.1/flavors", body, format="json", **at("2.101")).status_code == 200


def test_2_103_os_volumes_boot_is_gone(demo_api, server):
    listed = demo_api.get("/compute/v2.1/os-volumes_boot", **at("2.102"))
    assert listed.status_code == 200 and [s["id"] for s in listed.json()["servers"]] == [str(server.uuid)]
    gone = demo_api.get("/compute/v2.1/os-volumes_boot", **at("2.103"))
    assert gone.status_code == 404 and gone.json()["itemNotFound"]["code"] == 404


def put_pin(api, server, zone, version="2.104"):
    body = {"server": {"pinned_availability_zone": zone}}
    return api.put(f"/compute/v2.1/servers/{server.uuid}", body, format="json", **at(version))


def test_2_104_unpin_and_repin_to_the_current_zone(demo_api, server):
    Server.objects.filter(pk=server.pk).update(requested_availability_zone="nova")
    assert show(demo_api, server, "2.104")["pinned_availability_zone"] == "nova"
    unpinned = put_pin(demo_api, server, None)
    assert unpinned.status_code == 200 and unpinned.json()["server"]["pinned_availability_zone"] is None
    assert show(demo_api, server, "2.104")["pinned_availability_zone"] is None
    assert put_pin(demo_api, server, None).status_code == 200  # unpinning an unpinned server: a no-op
    repinned = put_pin(demo_api, server, "nova")
    assert repinned.status_code == 200 and repinned.json()["server"]["pinned_availability_zone"] == "nova"
    assert put_pin(demo_api, server, "nova").status_code == 200  # the same pin again: a no-op
    server.refresh_from_db()
    assert server.requested_availability_zone == "nova"


def test_2_104_a_pin_moves_only_by_unpinning_and_only_to_the_current_zone(demo_api, server):
    Server.objects.filter(pk=server.pk).update(requested_availability_zone="nova")
    changed = put_pin(demo_api, server, "elsewhere")
    assert changed.status_code == 409
    assert "Unpin first" in changed.json()["conflictingRequest"]["message"]
    put_pin(demo_api, server, None)
    elsewhere = put_pin(demo_api, server, "elsewhere")
    assert elsewhere.status_code == 409
    assert elsewhere.json()["conflictingRequest"]["message"] == (
        "Server can only be pinned to its current availability zone 'nova', but 'elsewhere' was requested."
    )
    server.refresh_from_db()
    assert server.requested_availability_zone is None


def test_2_104_before_it_the_field_is_unknown_and_bad_names_are_400(demo_api, server):
    assert put_pin(demo_api, server, None, version="2.103").status_code == 400
    for bad in ("", " nova", 5, "x" * 256):
        assert put_pin(demo_api, server, bad).status_code == 400, bad


def test_2_102_flavor_and_group_reads_refuse_unknown_query_parameters(demo_api, admin_api, server):
    for path in ("/flavors/42", "/flavors/42/os-extra_specs"):
        assert demo_api.get(f"/compute/v2.1{path}", {"x": "1"}, **at("2.101")).status_code == 200, path
        refused = demo_api.get(f"/compute/v2.1{path}", {"x": "1"}, **at("2.102"))
        assert refused.status_code == 400, path
        assert "Additional properties are not allowed ('x' was unexpected)" in refused.json()["badRequest"]["message"]
    made = demo_api.post(
        "/compute/v2.1/os-server-groups",
        {"server_group": {"name": "g", "policy": "affinity"}},
        format="json",
        **at("2.64"),
    )
    group = f"/compute/v2.1/os-server-groups/{made.json()['server_group']['id']}"
    assert demo_api.get(group, {"x": "1"}, **at("2.101")).status_code == 200
    assert demo_api.get(group, {"x": "1"}, **at("2.102")).status_code == 400
    # The group list has been strict since 2.75 (all_projects, limit and offset only).
    assert demo_api.get("/compute/v2.1/os-server-groups", {"x": "1"}, **at("2.74")).status_code == 200
    assert demo_api.get("/compute/v2.1/os-server-groups", {"x": "1"}, **at("2.75")).status_code == 400
    assert demo_api.get("/compute/v2.1/os-server-groups", {"limit": "1"}, **at("2.75")).status_code == 200
    migrations = f"/compute/v2.1/servers/{server.uuid}/migrations"
    assert admin_api.get(migrations, {"x": "1"}, **at("2.101")).status_code == 200
    assert admin_api.get(migrations, {"x": "1"}, **at("2.102")).status_code == 400


def test_2_98_image_properties_cost_one_query_per_page(demo_api, server):
    def detail_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert demo_api.get("/compute/v2.1/servers/detail", **at("2.104")).status_code == 200
        return len(queries)

    one = detail_queries()
    for index in range(5):
        Server.objects.create(
            name=f"more-{index}",
            project_id=server.project_id,
            user_id=server.user_id,
            flavor=server.flavor,
            image_ref=str(CIRROS_IMAGE_ID),
            vm_state="active",
        )
    assert detail_queries() == one


def test_server_groups_are_shown_for_one_server_never_in_the_detailed_list(demo_api, server):
    assert show(demo_api, server, "2.71")["server_groups"] == []
    [listed] = demo_api.get("/compute/v2.1/servers/detail", **at("2.104")).json()["servers"]
    assert "server_groups" not in listed
    updated = demo_api.put(f"/compute/v2.1/servers/{server.uuid}", {"server": {}}, format="json", **at("2.104"))
    assert updated.json()["server"]["server_groups"] == []
