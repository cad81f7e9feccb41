"""Services: up after one report, down service_down_time after the last, forced down at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hosts.heartbeats import is_up, record_compute_report
from hosts.models import ComputeNode, Service
from workers.conductor.heartbeats import service_report

pytestmark = pytest.mark.django_db

REPORT = {"vcpus": 8, "memory_mb": 16384, "disk_gb": 100, "hypervisor_type": "TEST", "hypervisor_hostname": "c1"}


def test_one_report_creates_an_up_service_and_its_node():
    service_report("c1", REPORT)  # the conductor task, run in-process
    service = Service.objects.get(host="c1", binary="nova-compute")
    assert is_up(service) and service.report_count == 1
    node = ComputeNode.objects.get(host="c1")
    assert (node.vcpus, node.memory_mb, node.local_gb) == (8, 16384, 100)
    assert node.service == service


def test_it_is_down_after_service_down_time_and_up_again_after_a_report(settings):
    record_compute_report("c1", REPORT)
    service = Service.objects.get(host="c1")
    later = timezone.now() + timedelta(seconds=settings.SERVICE_DOWN_TIME - 1)
    assert is_up(service, now=later)
    assert not is_up(service, now=timezone.now() + timedelta(seconds=settings.SERVICE_DOWN_TIME + 1))
    Service.objects.filter(pk=service.pk).update(last_seen_up=timezone.now() - timedelta(seconds=61))
    service.refresh_from_db()
    assert not is_up(service)
    record_compute_report("c1", REPORT)
    service.refresh_from_db()
    assert is_up(service) and service.report_count == 2


def test_forced_down_is_down_at_once():
    record_compute_report("c1", REPORT)
    Service.objects.filter(host="c1").update(forced_down=True)
    assert not is_up(Service.objects.get(host="c1"))


def test_reports_keep_claimed_usage():
    node = record_compute_report("c1", REPORT)
    ComputeNode.objects.filter(pk=node.pk).update(vcpus_used=3)
    record_compute_report("c1", {**REPORT, "vcpus": 16})
    node.refresh_from_db()
    assert (node.vcpus, node.vcpus_used) == (16, 3)
