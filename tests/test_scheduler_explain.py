"""Explainable placement: NoValidHost says what each filter removed, the task reports it, and
`manage.py explain_placement` says why a given host is not chosen."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import include, path
from django.utils import timezone

from core.exceptions import PolicyNotAuthorized
from core.principal import Caller
from hosts.models import ComputeNode, Service
from scheduling.tasks import select_destinations_task
from scheduling.testing import add_to_aggregate, flavor, make_host, make_spec
from scheduling.why_not import why_not
from servers.models import Flavor

pytestmark = pytest.mark.django_db

# The admin endpoint is mounted by novasite/urls.py; these tests mount it themselves.
urlpatterns = [
    path("identity", include("identity.urls")),
    path("scheduler", include("scheduling.api.urls")),
]


def explain_placement(**options: str) -> str:
    out = StringIO()
    call_command("explain_placement", stdout=out, **options)
    return out.getvalue()


def test_the_task_reports_the_explanation_and_logs_it(caplog):
    make_host("a", memory_mb=1024)
    make_host("b", memory_mb=1024)
    Service.objects.filter(host="b").update(disabled=True)
    result = select_destinations_task(make_spec(flavor=flavor(memory_mb=2048)).to_dict())
    expected = "No valid host was found. ComputeFilter removed 1 of 2; ResourceFitFilter removed 1 of 1"
    assert result == {"ok": False, "reason": expected}
    assert expected in caplog.text


def test_each_host_is_counted_once_against_the_first_filter_it_fails():
    # Down, disabled, serviceless and wrong-zone hosts overlap: a host whose service is down
    # counts for ComputeFilter only, even if its zone and room are wrong too.
    for name, zone, memory in [
        ("down", "az2", 1024),
        ("off", "az1", 8192),
        ("orphan", "az1", 8192),
        ("elsewhere", "az2", 8192),
        ("small", "az1", 1024),
        ("small2", "az1", 1024),
        ("big", "az1", 8192),
    ]:
        make_host(name, memory_mb=memory, zone=zone)
    Service.objects.filter(host="down").update(last_seen_up=timezone.now() - timedelta(seconds=300))
    Service.objects.filter(host="off").update(disabled=True)
    ComputeNode.objects.filter(host="orphan").update(service=None)
    ComputeNode.objects.filter(host="big").update(memory_mb_used=4096)
    result = select_destinations_task(make_spec(flavor=flavor(memory_mb=6144), availability_zone="az1").to_dict())
    assert result["reason"] == (
        "No valid host was found. ComputeFilter removed 3 of 7; AvailabilityZoneFilter removed 1 of 4; "
        "ResourceFitFilter removed 3 of 3"
    )


@pytest.mark.parametrize("few", [1000, 1], ids=["rejections counted", "keepers counted"])
def test_room_is_counted_the_same_from_either_side(monkeypatch, few):
    # ResourceFitFilter's rejections (no room in vCPUs, RAM or disk) are counted when they are
    # few, else the hosts it keeps: both give the same figures.
    monkeypatch.setattr("scheduling.explain.FEW_REJECTED", few)
    make_host("roomy", vcpus=8, memory_mb=8192, disk_gb=80)
    make_host("few-cpus", vcpus=1, memory_mb=8192, disk_gb=80)
    make_host("little-ram", vcpus=8, memory_mb=1024, disk_gb=80)
    make_host("little-disk", vcpus=8, memory_mb=8192, disk_gb=5)
    make_host("ppc", vcpus=8, memory_mb=8192, disk_gb=80, arch="ppc64le")
    wanted = flavor(vcpus=2, memory_mb=2048, root_gb=10, extra_specs={"capabilities:cpu_info:arch": "aarch64"})
    result = select_destinations_task(make_spec(flavor=wanted).to_dict())
    assert result["reason"] == (
        "No valid host was found. ResourceFitFilter removed 3 of 5; ComputeCapabilitiesFilter removed 2 of 2"
    )


def test_a_python_filter_is_counted_after_the_sql_ones():
    make_host("x86")
    make_host("other", memory_mb=256)
    result = select_destinations_task(
        make_spec(flavor=flavor(extra_specs={"capabilities:cpu_info:arch": "aarch64"})).to_dict()
    )
    assert result["reason"] == (
        "No valid host was found. ResourceFitFilter removed 1 of 2; ComputeCapabilitiesFilter removed 1 of 1"
    )


def test_no_hosts_at_all_is_said_plainly():
    result = select_destinations_task(make_spec().to_dict())
    assert result["reason"] == "No valid host was found. There are no compute hosts."


def test_a_successful_task_returns_selections():
    node = make_host("a")
    result = select_destinations_task(make_spec().to_dict())
    assert result["ok"] and result["selections"][0]["compute_node_id"] == node.pk


@pytest.fixture
def large():
    return Flavor.objects.create(name="m1.large", flavorid="4", vcpus=4, memory_mb=8192, root_gb=40)


def test_explain_placement_names_every_rejecting_filter_and_why(large):
    make_host("c7", memory_mb=4096, zone="az2")
    ComputeNode.objects.filter(host="c7").update(memory_mb_used=1024, reserved_host_memory_mb=512)
    Service.objects.filter(host="c7").update(last_seen_up=timezone.now() - timedelta(seconds=300))
    text = explain_placement(flavor="m1.large", host="c7", zone="az1")
    assert text.splitlines()[0] == "c7 for flavor m1.large (4 vCPUs, 8192 MB RAM, 40 GB disk) [zone az1]:"
    assert "ComputeFilter                      REJECTS: the compute service is down: last heard from 300 s ago" in text
    assert "AvailabilityZoneFilter             REJECTS: c7 is in zone az2, not az1" in text
    assert (
        "ResourceFitFilter                  REJECTS: needs 8192 MB RAM, 2560 free "
        "(4096 x ratio 1 - 512 reserved - 1024 used)"
    ) in text
    assert "SameHostFilter                     passes (nothing to check for this request)" in text
    assert (
        text.splitlines()[-1]
        == "c7 cannot take m1.large: rejected by ComputeFilter, AvailabilityZoneFilter, ResourceFitFilter."
    )


def test_explain_placement_of_a_fitting_host_and_tenant_isolation(large):
    make_host("c8", memory_mb=16384)
    assert explain_placement(flavor="4", host="c8").splitlines()[-1].startswith("c8 passes every filter")
    add_to_aggregate("c8", "gold", filter_tenant_id="gold-project")
    text = explain_placement(flavor="m1.large", host="c8", project="p1")
    assert "AggregateMultiTenancyIsolation     REJECTS: c8 is reserved for projects gold-project; not p1" in text


def test_explain_placement_rejects_unknown_names(large):
    with pytest.raises(CommandError, match="flavor nope not found"):
        explain_placement(flavor="nope", host="c1")
    with pytest.raises(CommandError, match="host c1 has no compute node"):
        explain_placement(flavor="m1.large", host="c1")


@pytest.mark.urls(__name__)
def test_the_admin_endpoint_answers_why_not(admin_api):
    make_host("compute9", memory_mb=1024, zone="az2")
    response = admin_api.get("/scheduler/why-not", {"flavor": "m1.medium", "host": "compute9", "zone": "nova"})
    assert response.status_code == 200, response.content
    body = response.json()["explanation"]
    assert body["accepted"] is False
    assert body["rejected_by"] == ["AvailabilityZoneFilter", "ResourceFitFilter"]
    assert body["flavor"] == {"name": "m1.medium", "id": "3", "vcpus": 2, "memory_mb": 4096, "disk_gb": 40}
    [zone] = [f for f in body["filters"] if f["name"] == "AvailabilityZoneFilter"]
    assert zone == {
        "name": "AvailabilityZoneFilter",
        "passed": False,
        "applies": True,
        "reason": "compute9 is in zone az2, not nova",
    }


@pytest.mark.urls(__name__)
def test_the_admin_endpoint_is_for_admins_and_checks_its_input(admin_api, demo_api):
    make_host("compute9")
    refused = demo_api.get("/scheduler/why-not", {"flavor": "m1.tiny", "host": "compute9"})
    assert refused.status_code == 403
    assert refused.json()["forbidden"]["message"] == "Policy doesn't allow novasite:scheduler:why_not to be performed."
    assert admin_api.get("/scheduler/why-not", {"flavor": "m1.tiny"}).status_code == 400
    missing = admin_api.get("/scheduler/why-not", {"flavor": "m1.tiny", "host": "nowhere"})
    assert missing.status_code == 404 and "Host nowhere has no compute node." in missing.content.decode()
    assert admin_api.get("/scheduler/why-not", {"flavor": "m1.tiny", "host": "compute9"}).json()["explanation"][
        "accepted"
    ]


def test_why_not_enforces_the_policy_wherever_it_is_called(large):
    make_host("c9")
    with pytest.raises(PolicyNotAuthorized, match="novasite:scheduler:why_not"):
        why_not(Caller("u1", "p1"), "m1.large", "c9")
    assert why_not(Caller("u0", "p0", is_admin=True), "m1.large", "c9").host.host == "c9"
