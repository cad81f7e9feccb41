"""The operator's views of hosts read the same rules as the scheduler and os-services: the
up/down/disabled conditions in SQL agree with hosts.heartbeats' Python rule row by row, and
the capacities computed from scheduling.capacity's expression agree with the node's own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from hosts.heartbeats import STATES, service_state, state_conditions
from hosts.models import ComputeNode, Service
from hosts.usage import usages, with_usage
from novasite.bars import bar
from novasite.sample_cloud import load

pytestmark = pytest.mark.django_db


def test_state_conditions_agree_with_the_python_rule(settings):
    now = timezone.now()
    old = now - timedelta(seconds=settings.SERVICE_DOWN_TIME + 5)
    variants: list[dict[str, Any]] = [
        {"last_seen_up": now},
        {"last_seen_up": old},
        {"last_seen_up": None},  # never reported, but new: up (Nova's created_at fallback)
        {"last_seen_up": now, "forced_down": True},
        {"last_seen_up": now, "disabled": True},
        {"last_seen_up": old, "disabled": True},
        {"last_seen_up": now, "disabled": True, "forced_down": True},
    ]
    services = [Service.objects.create(host=f"h{i}", binary="nova-compute", **v) for i, v in enumerate(variants)]
    Service.objects.create(host="h-old", binary="nova-compute", last_seen_up=None)
    Service.objects.filter(host="h-old").update(created_at=old)
    services.append(Service.objects.get(host="h-old"))
    expected = {service.host: service_state(service, now) for service in services}
    assert sorted(set(expected.values())) == sorted(STATES)
    found: dict[str, str] = {}
    for state, condition in state_conditions(now).items():
        for host in Service.objects.filter(condition).values_list("host", flat=True):
            assert host not in found, f"{host} is both {found[host]} and {state}"
            found[host] = state
    assert found == expected


def test_capacities_are_the_claims(settings):
    load(9, 0)
    ComputeNode.objects.filter(host="compute00004").update(aggregate_cpu_allocation_ratio=2.0, reserved_host_cpus=3)
    node: Any
    for node in with_usage(ComputeNode.objects.all()):
        assert node.capacity_vcpus == pytest.approx(node.vcpus_capacity)
        assert node.capacity_memory_mb == pytest.approx(node.memory_mb_capacity)
        assert node.capacity_disk_gb == pytest.approx(node.local_gb_capacity)
        shares = [u.used / u.capacity for u in usages(node)]
        assert node.load == pytest.approx(max(shares))


def test_bar_figures():
    assert 'value="6"' in bar(6, 30) and "6 / 30" in bar(6, 30) and "(20%)" in bar(6, 30)
    over = bar(40, 30)  # a ratio lowered under running servers: the meter is full, the figures say more
    assert 'value="30"' in over and "40 / 30" in over and "(133%)" in over
    assert "(0%)" in bar(0, 0) and "(100%)" in bar(1, 0)
