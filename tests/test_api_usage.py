"""os-simple-tenant-usage and os-instance_usage_audit_log through the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from hosts.heartbeats import record_compute_report
from identity.models import Project, User
from servers.models import Server
from servers.services.usage_audit import last_completed_month

pytestmark = pytest.mark.django_db

URL = "/compute/v2.1/os-simple-tenant-usage"
FLAVOR = {"flavorid": "42", "name": "small", "vcpus": 2, "memory_mb": 512, "root_gb": 1, "ephemeral_gb": 1}


def fmt(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


@pytest.fixture
def servers(demo_api):
    project, user = Project.objects.get(name="demo").id, User.objects.get(name="demo").id
    now = timezone.now()
    made = []
    for n, (launched, terminated) in enumerate(((now - timedelta(hours=2), None), (now - timedelta(hours=3), now))):
        server = Server.objects.create(
            name=f"vm{n}", project_id=project, user_id=user, flavor=FLAVOR, vm_state="active", launched_at=launched
        )
        if terminated:
            Server.objects.filter(pk=server.pk).update(deleted=True, vm_state="deleted", terminated_at=terminated)
        made.append(server)
    Server.objects.create(name="never", project_id=project, user_id=user, flavor=FLAVOR, vm_state="building")
    return made


def period(hours: int = 1) -> dict[str, str]:
    now = datetime.now(UTC).replace(tzinfo=None)
    return {"start": fmt(now - timedelta(hours=hours)), "end": fmt(now + timedelta(days=1))}


def test_a_project_sees_its_usage(demo_api, servers):
    usage = demo_api.get(URL + f"/{servers[0].project_id}", period()).json()["tenant_usage"]
    assert len(usage) == 8 and usage["tenant_id"] == servers[0].project_id
    assert {s["name"] for s in usage["server_usages"]} == {"vm0", "vm1"}
    by_name = {s["name"]: s for s in usage["server_usages"]}
    assert by_name["vm1"]["state"] == "terminated" and by_name["vm1"]["ended_at"]
    assert by_name["vm0"]["state"] == "active" and by_name["vm0"]["ended_at"] is None
    assert by_name["vm0"]["local_gb"] == 2 and by_name["vm0"]["flavor"] == "small"
    assert 0.99 < usage["total_hours"] < 2.01
    assert usage["total_vcpus_usage"] == pytest.approx(2 * usage["total_hours"])


def test_a_project_without_servers_gets_an_empty_usage(demo_api, servers):
    assert demo_api.get(URL + "/nobody", period()).status_code == 403
    Server.objects.all().delete()
    assert demo_api.get(URL + f"/{servers[0].project_id}", period()).json() == {"tenant_usage": {}}


def test_every_project_is_for_admins_and_detail_is_asked_for(admin_api, demo_api, servers):
    assert demo_api.get(URL, period()).status_code == 403
    usages = admin_api.get(URL, period()).json()["tenant_usages"]
    assert len(usages) == 1 and "server_usages" not in usages[0] and len(usages[0]) == 7
    detailed = admin_api.get(URL, {**period(), "detailed": "1"}).json()["tenant_usages"][0]
    assert len(detailed) == 8 and len(detailed["server_usages"]) == 2


def test_bad_periods_are_400(admin_api, servers):
    now = datetime.now(UTC)
    response = admin_api.get(URL, {"start": fmt(now), "end": fmt(now - timedelta(days=1))})
    assert response.status_code == 400
    assert "The start time cannot occur after the end time" in response.json()["badRequest"]["message"]
    assert admin_api.get(URL, {"start": "yesterday"}).status_code == 400


def test_paging_from_2_40(admin_api, servers):
    v240 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.40"}
    first = admin_api.get(URL, {**period(), "detailed": "1", "limit": "1"}, **v240).json()
    assert len(first["tenant_usages"][0]["server_usages"]) == 1
    link = first["tenant_usages_links"][0]
    assert link["rel"] == "next"
    marker = first["tenant_usages"][0]["server_usages"][0]["instance_id"]
    assert f"marker={marker}" in link["href"]
    second = admin_api.get(URL, {**period(), "detailed": "1", "limit": "1", "marker": marker}, **v240).json()
    assert second["tenant_usages"][0]["server_usages"][0]["instance_id"] != marker
    assert admin_api.get(URL, {**period(), "marker": "nope"}, **v240).status_code == 400
    v275 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.75"}
    assert admin_api.get(URL, {**period(), "foo": "1"}, **v275).status_code == 400


# --- the audit log ------------------------------------------------------------------------------


def test_the_audit_period_is_the_last_whole_month():
    assert last_completed_month(datetime(2026, 11, 30, 20, 0)) == (datetime(2026, 10, 1), datetime(2026, 11, 1))
    assert last_completed_month(datetime(2026, 1, 1, 0, 0)) == (datetime(2025, 11, 1), datetime(2025, 12, 1))


def test_audit_log_lists_compute_hosts_as_not_run(admin_api, demo_api):
    record_compute_report("c1", {"vcpus": 4, "memory_mb": 4096, "disk_gb": 40})
    log = admin_api.get("/compute/v2.1/os-instance_usage_audit_log").json()["instance_usage_audit_logs"]
    assert log["hosts_not_run"] == ["c1"] and log["num_hosts"] == 1 and log["log"] == {}
    assert log["overall_status"] == "0 of 1 hosts done. 0 errors."
    shown = admin_api.get("/compute/v2.1/os-instance_usage_audit_log/2026-11-30%2020%3A50%3A23").json()
    assert shown["instance_usage_audit_log"]["period_beginning"] == "2026-10-01 00:00:00"
    assert admin_api.get("/compute/v2.1/os-instance_usage_audit_log/yesterday").status_code == 400
    assert demo_api.get("/compute/v2.1/os-instance_usage_audit_log").status_code == 403


def test_an_empty_project_id_is_404(admin_api):
    assert admin_api.get(URL + "/", period()).status_code == 404
