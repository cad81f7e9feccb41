"""Scheduler: SQL prefilter, weighing, atomic claims and NoValidHost explanations."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from hosts.heartbeats import record_compute_report
from hosts.models import Aggregate, AggregateHost, Allocation, ComputeNode, Service
from scheduling import claims
from scheduling.request import RequestSpec
from scheduling.scheduler import NoValidHost, select_destinations

pytestmark = pytest.mark.django_db

TINY = {"flavorid": "1", "name": "tiny", "vcpus": 1, "memory_mb": 512, "root_gb": 1, "ephemeral_gb": 0, "swap": 0}


def make_host(name: str, *, vcpus=4, memory_mb=4096, disk_gb=40, zone: str | None = None) -> ComputeNode:
    node = record_compute_report(
        name, {"vcpus": vcpus, "memory_mb": memory_mb, "disk_gb": disk_gb, "hypervisor_type": "TEST"}
    )
    ComputeNode.objects.filter(pk=node.pk).update(reserved_host_memory_mb=0, cpu_allocation_ratio=1.0)
    if zone:
        aggregate = Aggregate.objects.filter(name=zone).first() or Aggregate(
            name=zone, metadata={"availability_zone": zone}
        )
        aggregate.save()
        AggregateHost.objects.create(aggregate=aggregate, host=name)
    return node


def spec(count=1, flavor=TINY, zone=None) -> RequestSpec:
    return RequestSpec([str(uuid.uuid4()) for _ in range(count)], "p1", "u1", flavor, availability_zone=zone)


def test_it_picks_the_emptiest_host_and_claims_it():
    make_host("small", memory_mb=2048)
    make_host("big", memory_mb=8192)
    request = spec()
    [selection] = select_destinations(request)
    assert selection.host == "big"
    assert [alt["host"] for alt in selection.alternates] == ["small"]
    node = ComputeNode.objects.get(host="big")
    assert (node.vcpus_used, node.memory_mb_used, node.local_gb_used) == (1, 512, 1)
    assert Allocation.objects.get(consumer=request.instance_uuids[0]).compute_node == node


def test_multi_create_accounts_for_its_own_picks():
    make_host("a", memory_mb=1024)
    make_host("b", memory_mb=1024)
    selections = select_destinations(spec(count=4))
    assert sorted(s.host for s in selections) == ["a", "a", "b", "b"]
    with pytest.raises(NoValidHost):
        select_destinations(spec())


def test_a_failed_multi_create_releases_what_it_claimed():
    make_host("a", memory_mb=1024)
    with pytest.raises(NoValidHost):
        select_destinations(spec(count=3))
    assert not Allocation.objects.exists()
    assert ComputeNode.objects.get(host="a").memory_mb_used == 0


def test_disabled_and_down_hosts_are_skipped_and_explained():
    make_host("disabled")
    make_host("down")
    Service.objects.filter(host="disabled").update(disabled=True)
    Service.objects.filter(host="down").update(last_seen_up=timezone.now() - timedelta(seconds=120))
    with pytest.raises(NoValidHost) as error:
        select_destinations(spec())
    assert "No valid host was found" in str(error.value)
    assert "ComputeFilter removed 2 of 2" in str(error.value)


def test_resource_fit_is_explained():
    make_host("a", memory_mb=1024)
    huge = {**TINY, "memory_mb": 4096}
    with pytest.raises(NoValidHost) as error:
        select_destinations(spec(flavor=huge))
    assert "ResourceFitFilter removed 1 of 1" in str(error.value)
    assert not Allocation.objects.exists()


def test_availability_zone_is_honoured():
    make_host("c1", zone="nova")
    make_host("c3", zone="az2")
    make_host("loose")  # in no zoned aggregate: the default zone
    assert select_destinations(spec(zone="az2"))[0].host == "c3"
    hosts = {select_destinations(spec(zone="nova"))[0].host for _ in range(2)}
    assert hosts == {"c1", "loose"}


def test_a_selection_names_its_hosts_zones():
    make_host("c3", zone="az2", memory_mb=8192)
    make_host("loose")  # in no zoned aggregate: the default zone
    [selection] = select_destinations(spec())
    assert (selection.host, selection.availability_zone) == ("c3", "az2")
    assert [(alt["host"], alt["availability_zone"]) for alt in selection.alternates] == [("loose", "nova")]


def test_claims_never_overcommit_and_are_idempotent():
    node = make_host("a", vcpus=2, memory_mb=1024)
    res = claims.Resources(1, 512, 1)
    consumer = str(uuid.uuid4())
    assert claims.claim(node.pk, consumer, res, project_id="p", user_id="u")
    assert claims.claim(node.pk, consumer, res, project_id="p", user_id="u")  # same consumer: once
    assert claims.claim(node.pk, str(uuid.uuid4()), res, project_id="p", user_id="u")
    assert not claims.claim(node.pk, str(uuid.uuid4()), res, project_id="p", user_id="u")
    node.refresh_from_db()
    assert (node.vcpus_used, node.memory_mb_used, node.running_vms) == (2, 1024, 2)
    assert claims.release(consumer) == 1 and claims.release(consumer) == 0
    node.refresh_from_db()
    assert (node.vcpus_used, node.memory_mb_used, node.running_vms) == (1, 512, 1)


def test_a_redelivered_request_does_not_claim_twice():
    make_host("a")
    make_host("b")
    request = spec()
    first = select_destinations(request)
    second = select_destinations(request)
    assert first[0].host == second[0].host
    assert Allocation.objects.filter(consumer=request.instance_uuids[0]).count() == 1
