"""os-availability-zone (list and admin detail with the internal zone) and os-migrations
(filters, paging from 2.59, fields per microversion, policy)."""

from __future__ import annotations

import uuid

import pytest

from hosts.heartbeats import record_heartbeat
from hosts.models import Service
from servers.models import Flavor, Migration, Server

pytestmark = pytest.mark.django_db
ZONES, MIGRATIONS = "/compute/v2.1/os-availability-zone", "/compute/v2.1/os-migrations"


def mv(version: str) -> dict:
    return {"HTTP_OPENSTACK_API_VERSION": f"compute {version}"}


@pytest.fixture
def services(cloud):
    for host in ("compute1", "compute2", "compute3"):
        record_heartbeat(host, "nova-compute")
    record_heartbeat("ctl1", "nova-conductor")
    record_heartbeat("ctl1", "nova-scheduler")


# --- availability zones ----------------------------------------------------------------------
def test_zone_list_hides_internal(demo_api, services):
    info = demo_api.get(ZONES).json()["availabilityZoneInfo"]
    assert info == [
        {"zoneName": "az2", "zoneState": {"available": True}, "hosts": None},
        {"zoneName": "nova", "zoneState": {"available": True}, "hosts": None},
    ]


def test_zone_with_only_disabled_hosts_is_unavailable(demo_api, services):
    Service.objects.filter(host="compute3").update(disabled=True)
    info = {z["zoneName"]: z for z in demo_api.get(ZONES).json()["availabilityZoneInfo"]}
    assert info["az2"]["zoneState"] == {"available": False} and info["nova"]["zoneState"] == {"available": True}


def test_zone_detail_for_admins(admin_api, services):
    response = admin_api.get(f"{ZONES}/detail")  # the client sends no microversion here
    assert response.status_code == 200
    info = {z["zoneName"]: z for z in response.json()["availabilityZoneInfo"]}
    assert set(info) == {"nova", "az2", "internal"}
    compute1 = info["nova"]["hosts"]["compute1"]["nova-compute"]
    assert compute1["available"] is True and compute1["active"] is True and compute1["updated_at"]
    assert set(info["internal"]["hosts"]["ctl1"]) == {"nova-conductor", "nova-scheduler"}
    assert set(info["az2"]["hosts"]) == {"compute3"}


def test_zone_detail_is_admin_only(demo_api, services):
    response = demo_api.get(f"{ZONES}/detail")
    assert response.status_code == 403 and "forbidden" in response.json()
    assert response.json()["forbidden"]["message"] == (
        "Policy doesn't allow os_compute_api:os-availability-zone:detail to be performed."
    )


# --- os-migrations ---------------------------------------------------------------------------
@pytest.fixture
def migrations(cloud):
    flavor = Flavor.objects.get(flavorid="42").snapshot()
    bigger = Flavor.objects.get(flavorid="1").snapshot()
    server = Server.objects.create(
        name="vm", project_id="p1", user_id="u1", host="compute2", flavor=flavor, vm_state="active"
    )
    other = Server.objects.create(
        name="vm2", project_id="p2", user_id="u2", host="compute1", flavor=flavor, vm_state="active"
    )
    rows = [
        Migration.objects.create(
            server=server,
            migration_type="resize",
            status="finished",
            source_compute="compute1",
            dest_compute="compute2",
            old_flavor=flavor,
            new_flavor=bigger,
            project_id="p1",
            user_id="u1",
        ),
        Migration.objects.create(
            server=server,
            migration_type="live-migration",
            status="running",
            source_compute="compute2",
            dest_compute="compute3",
            old_flavor=flavor,
            new_flavor=flavor,
            project_id="p1",
            user_id="u1",
        ),
        Migration.objects.create(
            server=other,
            migration_type="migration",
            status="error",
            source_compute="compute3",
            dest_compute="compute1",
            project_id="p2",
            user_id="u2",
        ),
    ]
    return server, rows


def test_migration_list_fields_2_1(admin_api, migrations):
    server, rows = migrations
    listed = admin_api.get(MIGRATIONS).json()["migrations"]
    assert [m["id"] for m in listed] == [rows[2].pk, rows[1].pk, rows[0].pk]
    resize = listed[2]
    assert resize["instance_uuid"] == str(server.uuid) and resize["status"] == "finished"
    assert resize["source_compute"] == "compute1" and resize["dest_compute"] == "compute2"
    assert resize["old_instance_type_id"] == Flavor.objects.get(flavorid="42").pk
    assert resize["new_instance_type_id"] == Flavor.objects.get(flavorid="1").pk
    assert "migration_type" not in resize and "uuid" not in resize and "links" not in listed[1]


def test_migration_fields_by_version(admin_api, migrations):
    server, rows = migrations
    at_223 = {m["id"]: m for m in admin_api.get(MIGRATIONS, **mv("2.23")).json()["migrations"]}
    assert at_223[rows[1].pk]["migration_type"] == "live-migration"
    links = at_223[rows[1].pk]["links"]
    assert links[0]["href"].endswith(f"/compute/v2.1/servers/{server.uuid}/migrations/{rows[1].pk}")
    assert "links" not in at_223[rows[0].pk]
    at_259 = admin_api.get(MIGRATIONS, **mv("2.59")).json()["migrations"]
    assert at_259[0]["uuid"] == str(rows[2].uuid) and "user_id" not in at_259[0]
    at_280 = admin_api.get(MIGRATIONS, **mv("2.80")).json()["migrations"]
    assert at_280[0]["user_id"] == "u2" and at_280[0]["project_id"] == "p2"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"host": "compute3"}, [1, 2]),
        ({"status": "finished"}, [0]),
        ({"migration_type": "live-migration"}, [1]),
        ({"source_compute": "compute3"}, [2]),
        ({"instance_uuid": "not-a-uuid"}, []),
    ],
)
def test_migration_filters(admin_api, migrations, params, expected):
    _, rows = migrations
    listed = admin_api.get(MIGRATIONS, params).json()["migrations"]
    assert sorted(m["id"] for m in listed) == sorted(rows[i].pk for i in expected)


def test_migration_filter_by_instance_and_project(admin_api, migrations):
    server, rows = migrations
    listed = admin_api.get(MIGRATIONS, {"instance_uuid": str(server.uuid)}).json()["migrations"]
    assert {m["id"] for m in listed} == {rows[0].pk, rows[1].pk}
    listed = admin_api.get(MIGRATIONS, {"project_id": "p2"}, **mv("2.80")).json()["migrations"]
    assert [m["id"] for m in listed] == [rows[2].pk]


def test_migration_paging_from_2_59(admin_api, migrations):
    _, rows = migrations
    first = admin_api.get(MIGRATIONS, {"limit": 2}, **mv("2.59")).json()
    assert [m["id"] for m in first["migrations"]] == [rows[2].pk, rows[1].pk]
    assert f"marker={rows[1].uuid}" in first["migrations_links"][0]["href"]
    second = admin_api.get(MIGRATIONS, {"limit": 2, "marker": str(rows[1].uuid)}, **mv("2.59")).json()
    assert [m["id"] for m in second["migrations"]] == [rows[0].pk] and "migrations_links" not in second
    assert admin_api.get(MIGRATIONS, {"marker": str(uuid.uuid4())}, **mv("2.59")).status_code == 400
    assert admin_api.get(MIGRATIONS, {"marker": "junk"}, **mv("2.59")).status_code == 400
    assert admin_api.get(MIGRATIONS, {"limit": "-1"}, **mv("2.59")).status_code == 400
    since = admin_api.get(MIGRATIONS, {"changes-since": "2000-01-01T00:00:00Z"}, **mv("2.59")).json()["migrations"]
    assert len(since) == 3
    assert admin_api.get(MIGRATIONS, {"changes-since": "2999-01-01T00:00:00"}, **mv("2.59")).json()["migrations"] == []
    assert admin_api.get(MIGRATIONS, {"changes-since": "yesterday"}, **mv("2.59")).status_code == 400
    # below 2.59 paging parameters do nothing
    assert len(admin_api.get(MIGRATIONS, {"limit": 1}).json()["migrations"]) == 3


def test_migrations_are_admin_only(demo_api, migrations):
    response = demo_api.get(MIGRATIONS)
    assert response.status_code == 403 and "forbidden" in response.json()


def test_nul_in_query_is_400_not_500(admin_api, migrations):
    assert admin_api.get(MIGRATIONS, {"status": "a\x00b"}).status_code == 400
    assert admin_api.get("/compute/v2.1/os-services", {"host": "a\x00b"}).status_code == 400
    assert (
        admin_api.get(
            "/compute/v2.1/os-hypervisors", {"hypervisor_hostname_pattern": "a\x00"}, **mv("2.53")
        ).status_code
        == 400
    )
    assert admin_api.get("/compute/v2.1/os-hypervisors/a%00b/search").status_code == 404
    assert admin_api.get("/compute/v2.1/os-quota-sets/a%00b").status_code == 404  # in a path: nothing is named
