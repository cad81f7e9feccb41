"""The compute node list (usage bars against the capacity claims enforce, running servers,
service state and last heartbeat, in a fixed number of queries) and the "why not this host?"
page (each enabled filter's verdict, from scheduling.why_not)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.principal import Caller
from hosts.models import Aggregate, ComputeNode, Service
from novasite.sample_cloud import load
from scheduling import why_not
from scheduling.scheduler import enabled_filters
from servers.models import Flavor

from .pages import url

pytestmark = pytest.mark.django_db
WHY_NOT = "/admin/hosts/computenode/why-not/"
OPERATOR = Caller("operator", "", is_admin=True)


def row_of(content: str, host: str) -> str:
    """The changelist row of ``host``."""
    found = re.search(rf"<tr>(?:(?!</tr>).)*?>{host}<(?:(?!</tr>).)*</tr>", content, re.S)
    assert found, host
    return found.group(0)


def test_bars_apply_ratios_and_reserves(staff, rows):
    node = rows[ComputeNode]  # 8 vCPUs x 4.0, 8192 MB x 1.0, 100 GB x 1.0
    ComputeNode.objects.filter(pk=node.pk).update(
        vcpus_used=6, memory_mb_used=2048, local_gb_used=10, reserved_host_cpus=2, reserved_host_memory_mb=1024
    )
    row = row_of(staff.get(url(ComputeNode, "changelist")).content.decode(), "host1")
    assert "6 / 30" in row and "2048 / 7168" in row and "10 / 100" in row
    assert row.count("<meter") == 3
    assert ">29%<" in row  # load: the fullest resource, RAM at 2048 of 7168


def test_an_aggregate_ratio_overrides_the_hosts(staff, rows):
    aggregate = rows[Aggregate]
    aggregate.metadata = {**aggregate.metadata, "cpu_allocation_ratio": "2.0"}
    aggregate.save()  # the signals refresh the node's mirror of the override
    row = row_of(staff.get(url(ComputeNode, "changelist")).content.decode(), "host1")
    assert "0 / 16" in row


def test_state_heartbeat_and_servers(staff, rows):
    node = rows[ComputeNode]
    ComputeNode.objects.filter(pk=node.pk).update(running_vms=3)
    content = staff.get(url(ComputeNode, "changelist")).content.decode()
    row = row_of(content, "host1")
    assert ">up<" in row and "?host=host1&amp;deleted__exact=0" in row and ">3<" in row
    assert f"{url(ComputeNode, 'why_not')}?host=host1" in row
    Service.objects.filter(pk=node.service_id).update(disabled=True, disabled_reason="kernel upgrade")
    row = row_of(staff.get(url(ComputeNode, "changelist")).content.decode(), "host1")
    assert ">disabled<" in row and "disabled: kernel upgrade" in row
    Service.objects.filter(pk=node.service_id).update(last_seen_up=timezone.now() - timedelta(hours=2))
    row = row_of(staff.get(url(ComputeNode, "changelist")).content.decode(), "host1")
    assert ">down<" in row


def test_list_sorts_by_load(staff):
    load(6, 0)
    ComputeNode.objects.update(vcpus_used=0, memory_mb_used=0, local_gb_used=0)
    ComputeNode.objects.filter(host="compute00004").update(local_gb_used=900)
    page = url(ComputeNode, "changelist")
    response = staff.get(page)
    load_column = list(response.context["cl"].list_display).index("load_percent")
    content = staff.get(page, {"o": f"-{load_column}"}).content.decode()
    assert content.index(">compute00004<") < content.index(">compute00000<")


def test_list_query_count_does_not_grow_with_hosts(staff):
    load(2, 0)
    with CaptureQueriesContext(connection) as small:
        assert staff.get(url(ComputeNode, "changelist")).status_code == 200
    load(30, 0, start_host=2)
    with CaptureQueriesContext(connection) as large:
        assert staff.get(url(ComputeNode, "changelist")).status_code == 200
    assert len(large) == len(small)


# --- why not this host? ---------------------------------------------------------------------


def test_why_not_is_linked_from_the_list_and_the_index(staff, rows):
    assert url(ComputeNode, "why_not") == WHY_NOT
    assert f'href="{WHY_NOT}"' in staff.get(url(ComputeNode, "changelist")).content.decode()
    assert f'href="{WHY_NOT}"' in staff.get("/admin/").content.decode()


def test_why_not_form_prefilled_from_the_host_link(staff, rows):
    response = staff.get(WHY_NOT, {"host": "host1"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="host1"' in content and "m1.tiny1" in content and 'id="why-not-verdicts"' not in content
    assert '<option value="host1">' in content  # the hosts' datalist


def test_every_enabled_filter_judges_the_host(staff, rows):
    response = staff.get(WHY_NOT, {"flavor": "m1.tiny1", "host": "host1"})
    content = response.content.decode()
    explanation = why_not.why_not(OPERATOR, "m1.tiny1", "host1")
    assert [v.name for v in explanation.verdicts] == [f.name for f in enabled_filters()]
    for verdict in explanation.verdicts:
        assert f"<td>{verdict.name}</td>" in content
    assert content.count('class="why-not-passed"') == len(explanation.verdicts)
    assert "host1 passes every filter" in content


def test_a_rejection_shows_the_filters_reason(staff, rows):
    Service.objects.filter(host="host1").update(disabled=True, disabled_reason="kernel upgrade")
    Flavor.objects.filter(name="m1.tiny1").update(vcpus=64)
    content = staff.get(WHY_NOT, {"flavor": "m1.tiny1", "host": "host1"}).content.decode()
    explanation = why_not.why_not(OPERATOR, "m1.tiny1", "host1")
    assert explanation.rejected_by[:1] == ["ComputeFilter"] and "ResourceFitFilter" in explanation.rejected_by
    failed = re.findall(
        r'<tr class="why-not-failed">\s*<td>(\w+)</td>.*?<td class="why-not-reason">(.*?)</td>\s*</tr>', content, re.S
    )
    reasons = dict(failed)
    assert sorted(reasons) == sorted(explanation.rejected_by)
    assert reasons["ComputeFilter"] == "the compute service is disabled (kernel upgrade)"
    assert "vCPUs" in reasons["ResourceFitFilter"]
    assert f"rejected by {', '.join(explanation.rejected_by)}." in content


def test_a_project_and_a_zone_are_passed_on(staff, rows):
    content = staff.get(WHY_NOT, {"flavor": "m1.tiny1", "host": "host1", "zone": "elsewhere"}).content.decode()
    assert re.search(r'<tr class="why-not-failed">\s*<td>AvailabilityZoneFilter</td>', content)
    project = rows[Flavor].access.get().project_id
    content = staff.get(WHY_NOT, {"flavor": "m1.tiny1", "host": "host1", "project": project}).content.decode()
    assert "host1 passes every filter" in content


def test_unknown_host_is_a_form_error(staff, rows):
    response = staff.get(WHY_NOT, {"flavor": "m1.tiny1", "host": "nowhere"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"host": ["Host nowhere has no compute node."]}
    assert 'id="why-not-verdicts"' not in response.content.decode()
