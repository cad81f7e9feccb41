"""The dashboard on the admin's index: hosts up/down/disabled, servers by status, capacity per
zone and per host, the latest failed actions and faults, tasks in flight; a fixed number of
queries whatever the size of the cloud; Django's app list still below it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hosts.models import Aggregate, ComputeNode, Service
from novasite import dashboard
from novasite.sample_cloud import load
from servers.models import InstanceActionEvent, Server, ServerFault

from .pages import url

pytestmark = pytest.mark.django_db
INDEX = "/admin/"
#: The dashboard's own queries: one per panel (hosts, servers, zones and their aggregates: two, busiest, tasks, failed
#: actions, faults).
DASHBOARD_QUERIES = 8


def page_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INDEX)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def panel(content: str, name: str) -> str:
    """The HTML of one panel of the dashboard (its div, up to the next panel)."""
    found = re.search(rf'<div class="module[^"]*" id="dashboard-{name}">(.*?)(?=<div class="module|$)', content, re.S)
    assert found, name
    return found.group(1)


def test_query_count_is_the_same_for_a_small_and_a_larger_cloud(staff):
    load(2, 3)
    small, content = page_queries(staff)
    assert 'id="novasite-dashboard"' in content
    load(18, 57, start_host=2, start_server=3)
    assert (ComputeNode.objects.count(), Server.objects.count()) == (20, 60)
    large, _ = page_queries(staff)
    assert large == small
    with CaptureQueriesContext(connection) as queries:
        dashboard.collect()
    assert len(queries) == DASHBOARD_QUERIES, [query["sql"] for query in queries.captured_queries]


def test_app_list_stays_below_the_dashboard(staff, rows):
    content = staff.get(INDEX).content.decode()
    dashboard_at, app_list_at = content.index('id="novasite-dashboard"'), content.index('class="app-hosts module')
    assert dashboard_at < app_list_at
    assert 'id="recent-actions-module"' in content


def test_hosts_up_down_disabled(staff):
    load(6, 0)  # compute00001 silent for an hour, compute00003 disabled
    Service.objects.filter(host="compute00005").update(forced_down=True, disabled=True)  # down wins over disabled
    counts = dashboard.host_states(timezone.now())
    assert counts == {"up": 3, "down": 2, "disabled": 1}
    hosts = panel(staff.get(INDEX).content.decode(), "hosts")
    for state, count in counts.items():
        assert re.search(rf"<strong>{count}</strong>{state}<", hosts), state


def test_servers_by_status(staff):
    load(3, 9)
    servers = panel(staff.get(INDEX).content.decode(), "servers")
    # KINDS: one each of ERROR, REBOOT, SHUTOFF, MIGRATING, BUILD, SHELVED_OFFLOADED; an active
    # server powering off is ACTIVE; the deleted one is not counted.
    expected = {"ACTIVE": 2, "ERROR": 1, "REBOOT": 1, "SHUTOFF": 1, "MIGRATING": 1, "BUILD": 1, "SHELVED_OFFLOADED": 1}
    assert dict(dashboard.servers_by_status()) == expected
    for status, count in expected.items():
        assert f'<td>{status}</td><td class="number">{count}</td>' in servers
    assert "<strong>8</strong>" in servers


def test_capacity_per_zone_applies_ratios_and_reserves(staff):
    load(3, 0)  # one host per zone
    node = ComputeNode.objects.get(host="compute00000")  # az1: 16 vCPUs x 4.0, 65536 MB - 512 reserved
    ComputeNode.objects.filter(pk=node.pk).update(vcpus_used=10, memory_mb_used=1024, reserved_host_cpus=4)
    az1 = next(zone for zone in dashboard.zones() if zone.name == "az1")
    assert az1.hosts == 1
    assert [(u.used, u.capacity) for u in az1.usages] == [(10, 16 * 4 - 4), (1024, 65536 - 512), (0, 500)]
    zones = panel(staff.get(INDEX).content.decode(), "zones")
    assert "10 / 60" in zones and "1024 / 65024" in zones and "<meter" in zones


def test_hosts_without_a_zone_are_in_the_default_zone(staff, settings):
    load(1, 0)
    ComputeNode.objects.update(availability_zone=None)
    assert [zone.name for zone in dashboard.zones()] == [settings.DEFAULT_AVAILABILITY_ZONE]


def test_only_the_most_loaded_hosts_get_bars(staff, monkeypatch):
    load(8, 0)
    monkeypatch.setattr(dashboard, "TOP_HOSTS", 3)
    ComputeNode.objects.update(vcpus_used=0, memory_mb_used=0, local_gb_used=0)
    ComputeNode.objects.filter(host="compute00006").update(local_gb_used=490)  # 98% of its disk
    ComputeNode.objects.filter(host="compute00003").update(vcpus_used=32)  # half of 16 x 4.0
    busiest = panel(staff.get(INDEX).content.decode(), "busiest")
    rows = re.findall(r"<tr><td><a href=\"[^\"]+\">(compute\d+)</a>", busiest)
    assert rows == ["compute00006", "compute00003", "compute00000"]  # then by name
    assert "98%" in busiest and "50%" in busiest and "All 8 compute nodes" in busiest
    assert url(ComputeNode, "changelist") in busiest


def test_failed_actions_and_faults_link_to_their_servers(staff):
    load(2, 12)
    failed = InstanceActionEvent.objects.get(result="Error")
    fault = ServerFault.objects.get()
    content = staff.get(INDEX).content.decode()
    server_page = url(Server, "change", failed.action.server_id)
    assert server_page in panel(content, "failed") and "compute_build_and_run_instance" in panel(content, "failed")
    assert url(Server, "change", fault.server_id) in panel(content, "faults")
    assert "Build of instance aborted." in panel(content, "faults")


def test_latest_failures_come_first_and_are_bounded(staff, monkeypatch):
    load(2, 300)  # three error servers
    monkeypatch.setattr(dashboard, "LATEST", 2)
    events = dashboard.failed_events()
    assert len(events) == 2 and events[0].start_time >= events[1].start_time


def test_tasks_in_flight_grouped_with_the_oldest(staff):
    load(2, 30)
    oldest = Server.objects.get(name="vm00002")  # rebooting
    Server.objects.filter(pk=oldest.pk).update(updated_at=timezone.now() - timedelta(hours=3))
    groups = {group.task_state: group for group in dashboard.tasks_in_flight()}
    assert {state: group.count for state, group in groups.items()} == {
        "rebooting": 1,
        "migrating": 1,
        "scheduling": 1,
        "powering-off": 1,
    }
    assert groups["rebooting"].oldest_id == oldest.pk
    assert dashboard.tasks_in_flight()[0].task_state == "rebooting"  # the longest-running first
    tasks = panel(staff.get(INDEX).content.decode(), "tasks")
    assert url(Server, "change", oldest.pk) in tasks and "for 3\xa0hours" in tasks


def test_empty_cloud(staff):
    content = staff.get(INDEX).content.decode()
    assert "No servers." in content and "No compute nodes." in content and "No failed actions." in content


def test_zones_show_their_region_and_aggregates(staff, settings):
    load(2, 0)
    settings.REGION_NAME = "RegionSouth"
    zones = panel(staff.get(INDEX).content.decode(), "zones")
    assert "region <a href=" in zones and ">RegionSouth</a>" in zones
    named = {zone.name: zone.aggregates for zone in dashboard.zones()}
    assert named and all(named.values()), named  # each zone of the sample cloud is an aggregate's
    for aggregates in named.values():
        for aggregate in aggregates:
            assert f">{aggregate}</a>" in zones
    aggregates_page = staff.get(url(Aggregate, "changelist")).content.decode()
    assert '<td class="field-region">RegionSouth</td>' in aggregates_page
