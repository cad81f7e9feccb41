"""os-services over HTTP: fields per microversion (ids int below 2.53, UUID from 2.53;
forced_down from 2.11), updates, deletes, policy, errors and the control-plane heartbeat.
os-hypervisors: tests/test_api_hypervisors.py."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from core.exceptions import PolicyNotAuthorized
from core.ids import is_uuid
from core.principal import Caller
from hosts import control_heartbeat
from hosts.models import AggregateHost, ComputeNode, Service
from hosts.services import hypervisors, service_records

from .hosts_helpers import hosts, mv, server_on

__all__ = ["hosts"]  # a fixture: imported for pytest to find
pytestmark = pytest.mark.django_db
SERVICES, HYPERVISORS = "/compute/v2.1/os-services", "/compute/v2.1/os-hypervisors"


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
