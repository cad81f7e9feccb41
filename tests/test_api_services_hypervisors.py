"""os-services and os-hypervisors over HTTP: fields per microversion (ids int below 2.53, UUID
from 2.53; forced_down from 2.11; hypervisor statistics until 2.87), updates, deletes, policy,
errors, the control-plane heartbeat and a query count that does not grow with hypervisors."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.exceptions import PolicyNotAuthorized
from core.ids import is_uuid
from core.principal import Caller
from hosts import control_heartbeat
from hosts.heartbeats import record_compute_report, record_heartbeat
from hosts.models import AggregateHost, ComputeNode, Service
from hosts.services import hypervisors, service_records
from servers.models import Server

pytestmark = pytest.mark.django_db
SERVICES, HYPERVISORS = "/compute/v2.1/os-services", "/compute/v2.1/os-hypervisors"


def mv(version: str) -> dict:
    return {"HTTP_OPENSTACK_API_VERSION": f"compute {version}"}


def report(host: str) -> ComputeNode:
    return record_compute_report(
        host,
        {
            "vcpus": 8,
            "memory_mb": 16384,
            "disk_gb": 200,
            "hypervisor_type": "QEMU",
            "hypervisor_version": 8002000,
            "cpu_info": json.dumps({"arch": "x86_64"}),
            "host_ip": "10.0.0.1",
        },
    )


@pytest.fixture
def hosts(cloud):
    nodes = {host: report(host) for host in ("compute1", "compute2", "compute3")}
    record_heartbeat("ctl1", "nova-conductor")
    record_heartbeat("ctl1", "nova-scheduler")
    return nodes


def server_on(host: str, **fields) -> Server:
    return Server.objects.create(
        name=f"vm-{host}",
        project_id="p",
        user_id="u",
        host=host,
        node=host,
        flavor={"flavorid": "42", "vcpus": 1, "memory_mb": 128},
        vm_state="active",
        **fields,
    )


# --- os-services -----------------------------------------------------------------------------
def test_service_list_at_2_69(admin_api, hosts):
    services = admin_api.get(SERVICES, **mv("2.69")).json()["services"]
    by_key = {(s["host"], s["binary"]): s for s in services}
    compute3 = by_key[("compute3", "nova-compute")]
    assert is_uuid(compute3["id"]) and compute3["zone"] == "az2"
    assert by_key[("compute1", "nova-compute")]["zone"] == "nova"
    assert by_key[("ctl1", "nova-conductor")]["zone"] == "internal"
    assert by_key[("ctl1", "nova-scheduler")]["zone"] == "internal"
    assert compute3["status"] == "enabled" and compute3["state"] == "up" and compute3["forced_down"] is False
    assert compute3["disabled_reason"] is None and compute3["updated_at"]


def test_service_ids_int_at_2_52_and_forced_down_from_2_11(admin_api, hosts):
    old = admin_api.get(SERVICES, **mv("2.52")).json()["services"][0]
    assert isinstance(old["id"], int) and "forced_down" in old
    oldest = admin_api.get(SERVICES).json()["services"][0]
    assert isinstance(oldest["id"], int) and "forced_down" not in oldest
    new = admin_api.get(SERVICES, **mv("2.53")).json()["services"][0]
    assert isinstance(new["id"], str)


def test_service_filters(admin_api, hosts):
    found = admin_api.get(SERVICES, {"binary": "nova-compute", "host": "compute2"}, **mv("2.69")).json()["services"]
    assert [(s["host"], s["binary"]) for s in found] == [("compute2", "nova-compute")]
    assert admin_api.get(SERVICES, {"binary": "nova-conductor"}).json()["services"][0]["host"] == "ctl1"


def test_stale_service_is_down(admin_api, hosts):
    Service.objects.filter(host="compute1").update(last_seen_up=timezone.now() - timedelta(hours=1))
    found = admin_api.get(SERVICES, {"host": "compute1"}).json()["services"][0]
    assert found["state"] == "down"


def test_put_by_uuid_disable_force_down_enable(admin_api, hosts):
    service = Service.objects.get(host="compute2", binary="nova-compute")
    url = f"{SERVICES}/{service.uuid}"
    body = admin_api.put(
        url, {"status": "disabled", "disabled_reason": "maintenance"}, format="json", **mv("2.69")
    ).json()["service"]
    assert body["status"] == "disabled" and body["disabled_reason"] == "maintenance" and body["id"] == str(service.uuid)
    body = admin_api.put(url, {"forced_down": True}, format="json", **mv("2.69")).json()["service"]
    assert body["forced_down"] is True and body["state"] == "down"
    body = admin_api.put(url, {"status": "enabled", "forced_down": False}, format="json", **mv("2.69")).json()[
        "service"
    ]
    assert body["status"] == "enabled" and body["disabled_reason"] is None and body["state"] == "up"


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {},
        {"status": "sideways"},
        {"forced_down": "maybe"},
        {"forced_down": 1},
        {"disabled_reason": "x"},
        {"status": "enabled", "disabled_reason": "x"},
        {"status": "disabled", "disabled_reason": ""},
        {"status": "disabled", "disabled_reason": 5},
        {"status": "disabled", "bogus": 1},
    ],
)
def test_put_by_uuid_bad_bodies_are_400(admin_api, hosts, body):
    service = Service.objects.get(host="compute2", binary="nova-compute")
    response = admin_api.put(f"{SERVICES}/{service.uuid}", body, format="json", **mv("2.69"))
    assert response.status_code == 400, response.content
    assert "badRequest" in response.json()


def test_put_by_uuid_errors(admin_api, hosts):
    assert (
        admin_api.put(f"{SERVICES}/{uuid.uuid4()}", {"status": "disabled"}, format="json", **mv("2.69")).status_code
        == 404
    )
    assert (
        admin_api.put(
            f"{SERVICES}/enable", {"host": "compute1", "binary": "nova-compute"}, format="json", **mv("2.69")
        ).status_code
        == 400
    )
    conductor = Service.objects.get(binary="nova-conductor")
    response = admin_api.put(f"{SERVICES}/{conductor.uuid}", {"status": "disabled"}, format="json", **mv("2.69"))
    assert response.status_code == 400


def test_legacy_updates_below_2_53(admin_api, hosts):
    who = {"host": "compute1", "binary": "nova-compute"}
    body = admin_api.put(f"{SERVICES}/disable-log-reason", {**who, "disabled_reason": "test"}, format="json").json()[
        "service"
    ]
    assert body == {**who, "status": "disabled", "disabled_reason": "test"}
    assert Service.objects.get(host="compute1", binary="nova-compute").disabled
    assert admin_api.put(f"{SERVICES}/enable", who, format="json").json()["service"]["status"] == "enabled"
    assert admin_api.put(f"{SERVICES}/disable", who, format="json").json()["service"]["status"] == "disabled"
    # force-down needs 2.11
    assert admin_api.put(f"{SERVICES}/force-down", {**who, "forced_down": True}, format="json").status_code == 404
    body = admin_api.put(f"{SERVICES}/force-down", {**who, "forced_down": True}, format="json", **mv("2.11")).json()[
        "service"
    ]
    assert body == {**who, "forced_down": True}
    assert (
        admin_api.put(f"{SERVICES}/enable", {"host": "nowhere", "binary": "nova-compute"}, format="json").status_code
        == 404
    )
    assert admin_api.put(f"{SERVICES}/enable", {"host": "compute1"}, format="json").status_code == 400
    assert admin_api.put(f"{SERVICES}/enable", {"host": 1, "binary": []}, format="json").status_code == 400
    assert admin_api.put(f"{SERVICES}/explode", who, format="json").status_code == 404
    assert (
        admin_api.put(f"{SERVICES}/force-down", {**who, "forced_down": "x"}, format="json", **mv("2.11")).status_code
        == 400
    )


def test_delete_service(admin_api, hosts):
    busy = Service.objects.get(host="compute1", binary="nova-compute")
    server_on("compute1")
    response = admin_api.delete(f"{SERVICES}/{busy.pk}")
    assert response.status_code == 409 and "conflictingRequest" in response.json()
    idle = Service.objects.get(host="compute3", binary="nova-compute")
    assert admin_api.delete(f"{SERVICES}/{idle.uuid}").status_code == 400  # a uuid below 2.53
    assert admin_api.delete(f"{SERVICES}/{idle.uuid}", **mv("2.53")).status_code == 204
    assert not Service.objects.filter(pk=idle.pk).exists()
    assert not AggregateHost.objects.filter(host="compute3").exists()
    assert not ComputeNode.objects.filter(host="compute3").exists()
    assert admin_api.delete(f"{SERVICES}/{idle.uuid}", **mv("2.53")).status_code == 404
    assert admin_api.delete(f"{SERVICES}/99999").status_code == 404
    assert admin_api.delete(f"{SERVICES}/notanid").status_code == 400


def test_members_are_forbidden(demo_api, hosts):
    service = Service.objects.get(host="compute1", binary="nova-compute")
    for response in (
        demo_api.get(SERVICES),
        demo_api.put(f"{SERVICES}/{service.uuid}", {"status": "disabled"}, format="json", **mv("2.69")),
        demo_api.delete(f"{SERVICES}/{service.pk}"),
        demo_api.get(HYPERVISORS),
        demo_api.get(f"{HYPERVISORS}/detail"),
        demo_api.get(f"{HYPERVISORS}/statistics"),
    ):
        assert response.status_code == 403 and "forbidden" in response.json()
    refusal = demo_api.get(f"{HYPERVISORS}/detail").json()["forbidden"]["message"]
    assert refusal == "Policy doesn't allow os_compute_api:os-hypervisors:list-detail to be performed."


def test_the_service_layer_enforces_the_policy(hosts):
    member = Caller("u1", "p1")
    service = Service.objects.get(host="compute1", binary="nova-compute")
    with pytest.raises(PolicyNotAuthorized, match="os-services:list"):
        service_records.list_services(member)
    with pytest.raises(PolicyNotAuthorized, match="os-services:update"):
        service_records.update_service(member, service.uuid, enabled=False)
    with pytest.raises(PolicyNotAuthorized, match="os-services:delete"):
        service_records.delete_service(member, service.pk)
    with pytest.raises(PolicyNotAuthorized, match="os-hypervisors:show"):
        hypervisors.show_hypervisor(member, hosts["compute1"].uuid)
    with pytest.raises(PolicyNotAuthorized, match="os-hypervisors:statistics"):
        hypervisors.statistics(member)
    assert not Service.objects.get(pk=service.pk).disabled


# --- control heartbeat ---------------------------------------------------------------------
class _Queues(dict):
    consume_from = {"scheduler": object()}


class _Sender:
    hostname = "scheduler@ctl9"

    class app:
        class amqp:
            queues = _Queues()


def test_control_heartbeat_records_scheduler(hosts, monkeypatch):
    beats = []
    monkeypatch.setattr(control_heartbeat, "beat_once", lambda binary, host: beats.append((binary, host)))
    threads = control_heartbeat.on_worker_ready(_Sender())
    assert len(threads) == 1
    threads[0].stop.set()
    threads[0].join(timeout=5)
    assert beats[0] == ("nova-scheduler", "ctl9")
    assert control_heartbeat.binaries_for_queues(["compute.compute1"]) == []
    monkeypatch.undo()
    assert control_heartbeat.beat_once("nova-conductor", "ctl9") is True
    assert Service.objects.filter(host="ctl9", binary="nova-conductor").exists()


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


# --- os-services as Nova's schemas and handler have it ----------------------------------------


def test_put_by_uuid_takes_nova_boolean_spellings_and_ignores_a_lone_reason(admin_api, hosts):
    """forced_down takes parameter_types.boolean's spellings (this test file used to pin
    "yes" as a 400); a reason with no status is ignored; asking nothing is 400, after the 404."""
    service = Service.objects.get(host="compute2", binary="nova-compute")
    url = f"{SERVICES}/{service.uuid}"
    body = admin_api.put(url, {"forced_down": "yes"}, format="json", **mv("2.53")).json()["service"]
    assert body["forced_down"] is True
    body = admin_api.put(url, {"forced_down": "False", "disabled_reason": "x"}, format="json", **mv("2.53"))
    assert body.json()["service"]["forced_down"] is False and body.json()["service"]["disabled_reason"] is None
    nothing = admin_api.put(url, {}, format="json", **mv("2.53"))
    assert nothing.json()["badRequest"]["message"] == (
        "No updates were requested. Fields 'status' or 'forced_down' should be specified."
    )
    assert admin_api.put(f"{SERVICES}/{uuid.uuid4()}", {}, format="json", **mv("2.53")).status_code == 404
    enabled_with_reason = admin_api.put(url, {"status": "enabled", "disabled_reason": "x"}, format="json", **mv("2.53"))
    assert enabled_with_reason.json()["badRequest"]["message"] == (
        "Specifying 'disabled_reason' with status 'enabled' is invalid."
    )
    assert set(admin_api.put(url, {"status": "disabled"}, format="json", **mv("2.53")).json()["service"]) == {
        "id",
        "binary",
        "disabled_reason",
        "host",
        "state",
        "status",
        "updated_at",
        "zone",
        "forced_down",
    }


def test_legacy_updates_take_the_schemas_fields(admin_api, hosts):
    """Below 2.53 every form takes host, binary and disabled_reason (forced_down from 2.11),
    using what it needs; only nova-compute services can be updated."""
    who = {"host": "compute1", "binary": "nova-compute"}
    enabled = admin_api.put(f"{SERVICES}/enable", {**who, "disabled_reason": "ignored"}, format="json")
    assert enabled.status_code == 200 and enabled.json() == {"service": {**who, "status": "enabled"}}
    disabled = admin_api.put(f"{SERVICES}/disable", {**who, "forced_down": True}, format="json", **mv("2.11"))
    assert disabled.json() == {"service": {**who, "status": "disabled"}}
    assert admin_api.put(f"{SERVICES}/disable", {**who, "forced_down": True}, format="json").status_code == 400
    missing = admin_api.put(f"{SERVICES}/disable-log-reason", who, format="json")
    assert missing.json()["badRequest"]["message"] == "Missing disabled reason field"
    missing = admin_api.put(f"{SERVICES}/force-down", who, format="json", **mv("2.11"))
    assert missing.json()["badRequest"]["message"] == "Missing forced_down field"
    forced = admin_api.put(f"{SERVICES}/force-down", {**who, "forced_down": "true"}, format="json", **mv("2.11"))
    assert forced.json() == {"service": {**who, "forced_down": True}}
    control = admin_api.put(f"{SERVICES}/disable", {"host": "ctl1", "binary": "nova-conductor"}, format="json")
    assert control.status_code == 400
    assert control.json()["badRequest"]["message"] == (
        "Updating a nova-conductor service is not supported. Only nova-compute services can be updated."
    )
    unknown = admin_api.put(f"{SERVICES}/explode", who, format="json")
    assert unknown.json()["itemNotFound"]["message"] == "Unknown action"


def test_forcing_up_a_host_with_done_evacuations_is_400(admin_api, hosts):
    from servers.models import Migration

    service = Service.objects.get(host="compute1", binary="nova-compute")
    server = server_on("compute2")
    Migration.objects.create(
        server=server, migration_type="evacuation", status="done", source_compute="compute1", dest_compute="compute2"
    )
    url = f"{SERVICES}/{service.uuid}"
    assert admin_api.put(url, {"forced_down": True}, format="json", **mv("2.53")).status_code == 200
    refused = admin_api.put(url, {"forced_down": False}, format="json", **mv("2.53"))
    assert refused.status_code == 400 and "compute1" in refused.json()["badRequest"]["message"]
    Migration.objects.filter(source_compute="compute1").update(status="completed")
    assert admin_api.put(url, {"forced_down": False}, format="json", **mv("2.53")).status_code == 200


def test_unknown_service_query_parameters_from_2_75(admin_api, hosts):
    assert admin_api.get(SERVICES, {"xxx": "nova-compute"}, **mv("2.74")).status_code == 200
    assert admin_api.get(SERVICES, {"xxx": "nova-compute"}, **mv("2.75")).status_code == 400
    assert admin_api.get(SERVICES, {"host": "compute1", "binary": "xxx"}, **mv("2.75")).json()["services"] == []
