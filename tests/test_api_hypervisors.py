"""os-hypervisors over HTTP: fields per microversion (ids int below 2.53, UUID from 2.53;
statistics and uptime until 2.87), servers and patterns, paging from 2.33, strict queries, and a
query count that does not grow with hypervisors."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.ids import is_uuid
from hosts.heartbeats import record_compute_report
from hosts.models import Service

from .hosts_helpers import hosts, mv, report, server_on

__all__ = ["hosts"]  # a fixture: imported for pytest to find
pytestmark = pytest.mark.django_db
SERVICES, HYPERVISORS = "/compute/v2.1/os-services", "/compute/v2.1/os-hypervisors"


# --- os-hypervisors -------------------------------------------------------------------------
def test_hypervisor_list_and_detail_at_2_88(admin_api, hosts):
    brief = admin_api.get(HYPERVISORS, **mv("2.88")).json()["hypervisors"]
    assert {h["hypervisor_hostname"] for h in brief} == {"compute1", "compute2", "compute3"}
    assert set(brief[0]) == {"id", "hypervisor_hostname", "state", "status"}
    detail = admin_api.get(f"{HYPERVISORS}/detail", **mv("2.88")).json()["hypervisors"][0]
    assert is_uuid(detail["id"]) and detail["state"] == "up" and detail["status"] == "enabled"
    assert detail["hypervisor_type"] == "QEMU" and detail["host_ip"] == "10.0.0.1"
    assert detail["service"]["host"] == "compute1" and is_uuid(detail["service"]["id"])
    assert "vcpus" not in detail and "cpu_info" not in detail and detail["uptime"] is None


def test_hypervisor_detail_at_2_87_has_statistics(admin_api, hosts):
    detail = admin_api.get(f"{HYPERVISORS}/detail", **mv("2.87")).json()["hypervisors"][0]
    assert detail["vcpus"] == 8 and detail["memory_mb"] == 16384 and detail["local_gb"] == 200
    assert detail["free_ram_mb"] == 16384 and detail["running_vms"] == 0 and detail["cpu_info"] == {"arch": "x86_64"}
    assert "uptime" not in detail
    old = admin_api.get(f"{HYPERVISORS}/detail", **mv("2.27")).json()["hypervisors"][0]
    assert isinstance(old["cpu_info"], str) and isinstance(old["id"], int) and isinstance(old["service"]["id"], int)


def test_hypervisor_show_by_id_per_version(admin_api, hosts):
    node = hosts["compute2"]
    assert admin_api.get(f"{HYPERVISORS}/{node.pk}").json()["hypervisor"]["hypervisor_hostname"] == "compute2"
    assert admin_api.get(f"{HYPERVISORS}/{node.uuid}").status_code == 404
    assert admin_api.get(f"{HYPERVISORS}/99999999999").status_code == 404
    shown = admin_api.get(f"{HYPERVISORS}/{node.uuid}", **mv("2.53")).json()["hypervisor"]
    assert shown["id"] == str(node.uuid)
    assert admin_api.get(f"{HYPERVISORS}/{node.pk}", **mv("2.53")).status_code == 400
    assert admin_api.get(f"{HYPERVISORS}/{uuid.uuid4()}", **mv("2.53")).status_code == 404


def test_with_servers_and_pattern_routes(admin_api, hosts):
    server = server_on("compute1", task_state="powering-off")
    listed = admin_api.get(HYPERVISORS, {"with_servers": "true"}, **mv("2.53")).json()["hypervisors"]
    by_name = {h["hypervisor_hostname"]: h for h in listed}
    assert by_name["compute1"]["servers"] == [{"uuid": str(server.uuid), "name": server.name}]
    # Nova lists a hypervisor without servers with no `servers` key before 2.75 and an empty
    # list from 2.75; this test used to pin the empty list at 2.53.
    assert "servers" not in by_name["compute2"]
    latest = admin_api.get(HYPERVISORS, {"with_servers": "true"}, **mv("2.75")).json()["hypervisors"]
    assert {h["hypervisor_hostname"]: h["servers"] for h in latest}["compute2"] == []
    unasked = admin_api.get(HYPERVISORS, {"with_servers": "false"}, **mv("2.75")).json()["hypervisors"]
    assert all("servers" not in h for h in unasked)
    assert all("servers" not in h for h in admin_api.get(HYPERVISORS, {"with_servers": "true"}).json()["hypervisors"])
    assert admin_api.get(HYPERVISORS, {"with_servers": "maybe"}, **mv("2.53")).status_code == 400
    detail = admin_api.get(f"{HYPERVISORS}/detail", **mv("2.87")).json()["hypervisors"]
    assert {h["hypervisor_hostname"]: h["current_workload"] for h in detail}["compute1"] == 1
    found = admin_api.get(HYPERVISORS, {"hypervisor_hostname_pattern": "pute3"}, **mv("2.53")).json()["hypervisors"]
    assert [h["hypervisor_hostname"] for h in found] == ["compute3"]
    none = admin_api.get(HYPERVISORS, {"hypervisor_hostname_pattern": "nowhere"}, **mv("2.53"))
    assert none.status_code == 404 and "itemNotFound" in none.json()
    paged = admin_api.get(HYPERVISORS, {"hypervisor_hostname_pattern": "pute", "limit": 1}, **mv("2.53"))
    assert paged.status_code == 400
    assert admin_api.get(HYPERVISORS, {"hypervisor_hostname_pattern": "a/b"}, **mv("2.53")).status_code == 400
    old = admin_api.get(f"{HYPERVISORS}/compute1/servers").json()["hypervisors"]
    assert old[0]["servers"][0]["uuid"] == str(server.uuid)
    assert admin_api.get(f"{HYPERVISORS}/compute/search").json()["hypervisors"][0]["hypervisor_hostname"] == "compute1"
    assert admin_api.get(f"{HYPERVISORS}/nothing/search").status_code == 404
    assert admin_api.get(f"{HYPERVISORS}/compute1/servers", **mv("2.53")).status_code == 404


def test_statistics_until_2_87(admin_api, hosts):
    stats = admin_api.get(f"{HYPERVISORS}/statistics", **mv("2.87")).json()["hypervisor_statistics"]
    assert stats["count"] == 3 and stats["vcpus"] == 24 and stats["memory_mb"] == 3 * 16384
    Service.objects.filter(host="compute3").update(disabled=True)
    stats = admin_api.get(f"{HYPERVISORS}/statistics", **mv("2.87")).json()["hypervisor_statistics"]
    assert stats["count"] == 2 and stats["vcpus"] == 16  # Nova sums the enabled compute services' nodes
    assert admin_api.get(f"{HYPERVISORS}/statistics", **mv("2.88")).status_code == 404


def test_detail_query_count_does_not_grow(admin_api, hosts):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = admin_api.get(f"{HYPERVISORS}/detail", {"with_servers": "1"}, **mv("2.87"))
            assert response.status_code == 200
        return len(queries)

    before = count()
    for index in range(10):
        report(f"extra{index}")
        server_on(f"extra{index}")
    after = count()
    assert after == before and len(admin_api.get(f"{HYPERVISORS}/detail").json()["hypervisors"]) == 13


def test_hypervisor_paging_from_2_33(admin_api, hosts):
    first = admin_api.get(HYPERVISORS, {"limit": 2}, **mv("2.53")).json()
    assert [h["hypervisor_hostname"] for h in first["hypervisors"]] == ["compute1", "compute2"]
    marker = first["hypervisors"][-1]["id"]
    assert f"marker={marker}" in first["hypervisors_links"][0]["href"]
    rest = admin_api.get(f"{HYPERVISORS}/detail", {"limit": 2, "marker": marker}, **mv("2.53")).json()
    assert [h["hypervisor_hostname"] for h in rest["hypervisors"]] == ["compute3"] and "hypervisors_links" not in rest
    old = admin_api.get(HYPERVISORS, {"limit": 1, "marker": hosts["compute1"].pk}, **mv("2.33")).json()["hypervisors"]
    assert [h["hypervisor_hostname"] for h in old] == ["compute2"]
    assert len(admin_api.get(HYPERVISORS, {"limit": 1}, **mv("2.32")).json()["hypervisors"]) == 3
    assert admin_api.get(HYPERVISORS, {"marker": str(uuid.uuid4())}, **mv("2.53")).status_code == 400
    assert admin_api.get(HYPERVISORS, {"marker": "x"}, **mv("2.33")).status_code == 400
    assert admin_api.get(HYPERVISORS, {"limit": "-1"}, **mv("2.33")).status_code == 400


HYPERVISOR_BRIEF = {"id", "hypervisor_hostname", "state", "status"}
HYPERVISOR_COMMON = HYPERVISOR_BRIEF | {"hypervisor_type", "hypervisor_version", "host_ip", "service"}
HYPERVISOR_USAGE = {
    "vcpus",
    "memory_mb",
    "local_gb",
    "vcpus_used",
    "memory_mb_used",
    "local_gb_used",
    "free_ram_mb",
    "free_disk_gb",
    "current_workload",
    "running_vms",
    "disk_available_least",
    "cpu_info",
}


@pytest.mark.parametrize(
    ("version", "keys"),
    [
        ("2.1", HYPERVISOR_COMMON | HYPERVISOR_USAGE),
        ("2.28", HYPERVISOR_COMMON | HYPERVISOR_USAGE),
        ("2.53", HYPERVISOR_COMMON | HYPERVISOR_USAGE),
        ("2.87", HYPERVISOR_COMMON | HYPERVISOR_USAGE),
        ("2.88", HYPERVISOR_COMMON | {"uptime"}),
    ],
)
def test_hypervisor_fields_per_version(admin_api, hosts, version, keys):
    """Every field of the detail and show answers per version (Tempest's schemas are
    additionalProperties false); the brief list has four."""
    brief = admin_api.get(HYPERVISORS, **mv(version)).json()["hypervisors"]
    assert all(set(h) == HYPERVISOR_BRIEF for h in brief)
    for row in admin_api.get(f"{HYPERVISORS}/detail", **mv(version)).json()["hypervisors"]:
        assert set(row) == keys and set(row["service"]) == {"id", "host", "disabled_reason"}
    shown = admin_api.get(f"{HYPERVISORS}/{brief[0]['id']}", **mv(version)).json()["hypervisor"]
    assert set(shown) == keys


def test_hypervisor_uptime_until_2_87(admin_api, demo_api, hosts):
    """GET /os-hypervisors/{id}/uptime: the uptime line the compute worker reports, for a host
    that is up (400 when down, 501 when never reported); 404 from 2.88, where the detail
    shows it."""
    node = hosts["compute1"]
    record_compute_report("compute1", {"vcpus": 8, "memory_mb": 16384, "disk_gb": 200, "uptime": " 10:00 up 1 day"})
    response = admin_api.get(f"{HYPERVISORS}/{node.pk}/uptime")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "hypervisor": {
            "id": node.pk,
            "hypervisor_hostname": "compute1",
            "state": "up",
            "status": "enabled",
            "uptime": " 10:00 up 1 day",
        }
    }
    at_253 = admin_api.get(f"{HYPERVISORS}/{node.uuid}/uptime", **mv("2.53")).json()["hypervisor"]
    assert at_253["id"] == str(node.uuid) and at_253["uptime"] == " 10:00 up 1 day"
    assert admin_api.get(f"{HYPERVISORS}/{node.uuid}/uptime", **mv("2.87")).status_code == 200
    assert admin_api.get(f"{HYPERVISORS}/{node.uuid}/uptime", **mv("2.88")).status_code == 404
    detail = admin_api.get(f"{HYPERVISORS}/{node.uuid}", **mv("2.88")).json()["hypervisor"]
    assert detail["uptime"] == " 10:00 up 1 day"
    never = admin_api.get(f"{HYPERVISORS}/{hosts['compute2'].pk}/uptime")
    assert never.status_code == 501 and "notImplemented" in never.json()
    missing = admin_api.get(f"{HYPERVISORS}/{uuid.uuid4()}/uptime", **mv("2.53"))
    assert missing.status_code == 404 and "itemNotFound" in missing.json()
    assert admin_api.get(f"{HYPERVISORS}/{uuid.uuid4()}/uptime").status_code == 404
    assert admin_api.get(f"{HYPERVISORS}/99999/uptime").status_code == 404
    refused = demo_api.get(f"{HYPERVISORS}/{node.pk}/uptime")
    assert refused.status_code == 403
    assert refused.json()["forbidden"]["message"] == (
        "Policy doesn't allow os_compute_api:os-hypervisors:uptime to be performed."
    )
    Service.objects.filter(host="compute1").update(last_seen_up=timezone.now() - timedelta(hours=1))
    down = admin_api.get(f"{HYPERVISORS}/{node.pk}/uptime")
    assert down.status_code == 400
    assert down.json()["badRequest"]["message"] == "Compute service of compute1 is unavailable at this time."
    assert admin_api.get(f"{HYPERVISORS}/{node.uuid}", **mv("2.88")).json()["hypervisor"]["uptime"] is None


def test_compute_worker_reports_the_machine_uptime():
    from workers.compute.heartbeat import host_uptime

    assert " up " in host_uptime()


def test_strict_hypervisor_queries_from_2_53(admin_api, hosts):
    assert admin_api.get(HYPERVISORS, {"bogus": "1"}, **mv("2.52")).status_code == 200
    assert admin_api.get(HYPERVISORS, {"bogus": "1"}, **mv("2.53")).status_code == 400
    node = hosts["compute1"]
    assert admin_api.get(f"{HYPERVISORS}/{node.uuid}", {"bogus": "1"}, **mv("2.53")).status_code == 400


def test_hypervisor_without_service_is_left_out(admin_api, hosts):
    """A compute node whose service was deleted is skipped in listings and not found (Nova)."""
    node = hosts["compute3"]
    Service.objects.filter(host="compute3").delete()
    listed = admin_api.get(HYPERVISORS).json()["hypervisors"]
    assert "compute3" not in {h["hypervisor_hostname"] for h in listed}
    response = admin_api.get(f"{HYPERVISORS}/{node.pk}")
    assert response.status_code == 404
    assert response.json()["itemNotFound"]["message"] == f"Hypervisor with ID '{node.pk}' could not be found."
