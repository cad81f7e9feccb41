"""The scheduler under concurrency: several processes, each with its own database connection,
as several scheduler workers on several machines would be."""

from __future__ import annotations

import multiprocessing
import threading
import time
import traceback
from collections import Counter
from typing import Any

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, Sum

from hosts.heartbeats import record_compute_report
from hosts.models import Aggregate, AggregateHost, Allocation, ComputeNode
from scheduling.request import RequestSpec
from scheduling.scheduler import NoValidHost, select_destinations
from scheduling.testing import group_spec, make_group, make_host, make_spec

pytestmark = pytest.mark.django_db(transaction=True)  # other processes must see the data
FORK = multiprocessing.get_context("fork")


def _worker(specs: list[RequestSpec], barrier, results, subset_size: int) -> None:
    """One scheduler: its own connection, its requests as fast as it can."""
    settings.SCHEDULER_HOST_SUBSET_SIZE = subset_size
    try:
        barrier.wait(timeout=30)
        for spec in specs:
            try:
                results.put(("ok", [s.host for s in select_destinations(spec)]))
            except NoValidHost as exc:
                results.put(("no valid host", str(exc)))
    except Exception:
        results.put(("error", traceback.format_exc()))
    finally:
        connections.close_all()


def run_schedulers(spec_lists: list[list[RequestSpec]], *, subset_size: int = 1) -> list[tuple[str, Any]]:
    """Run one process per list of requests, all starting at once; every outcome."""
    connections.close_all()  # never let a child share the parent's socket
    barrier, results = FORK.Barrier(len(spec_lists)), FORK.Queue()
    procs = [FORK.Process(target=_worker, args=(specs, barrier, results, subset_size)) for specs in spec_lists]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=60) for _ in range(sum(len(specs) for specs in spec_lists))]
    for proc in procs:
        proc.join(timeout=30)
    errors = [detail for kind, detail in outcomes if kind == "error"]
    assert not errors, errors[0]
    return outcomes


def assert_nothing_overcommitted() -> None:
    """No host holds more than its capacity, and usage is exactly what the allocations hold."""
    totals = {
        row["compute_node_id"]: row
        for row in Allocation.objects.values("compute_node_id").annotate(
            n=Count("id"), ram=Sum("memory_mb"), cpu=Sum("vcpus")
        )
    }
    for node in ComputeNode.objects.all():
        held = totals.get(node.pk, {"n": 0, "ram": 0, "cpu": 0})
        assert node.memory_mb_used <= node.memory_mb_capacity and node.vcpus_used <= node.vcpus_capacity, node.host
        assert (node.running_vms, node.memory_mb_used, node.vcpus_used) == (
            held["n"],
            held["ram"] or 0,
            held["cpu"] or 0,
        )


def test_concurrent_schedulers_never_overcommit_and_the_excess_fails_cleanly():
    for name in ("a", "b", "c"):
        make_host(name, memory_mb=1536, vcpus=8)  # room for 3 tiny servers each: 9 in all
    requests = [[make_spec() for _ in range(4)] for _ in range(4)]  # 16 single-server requests
    outcomes = run_schedulers(requests)
    placed = [hosts[0] for kind, hosts in outcomes if kind == "ok"]
    refused = [message for kind, message in outcomes if kind == "no valid host"]
    assert Counter(placed) == {"a": 3, "b": 3, "c": 3}
    assert len(refused) == 7
    assert all(message.startswith("No valid host was found. ResourceFitFilter removed 3 of 3") for message in refused)
    assert Allocation.objects.count() == 9
    assert_nothing_overcommitted()


def test_concurrent_multi_creates_are_all_or_nothing():
    make_host("a", memory_mb=2048)
    make_host("b", memory_mb=2048)  # 8 slots
    specs = [make_spec(3) for _ in range(4)]
    outcomes = run_schedulers([[spec] for spec in specs])
    succeeded = [kind for kind, _ in outcomes].count("ok")
    assert succeeded <= 2  # (racing requests may also take each other's last slots and all fail)
    for spec in specs:  # each request holds all of its three servers or none of them
        assert Allocation.objects.filter(consumer__in=spec.instance_uuids).count() in (0, 3)
    assert Allocation.objects.count() == 3 * succeeded
    assert_nothing_overcommitted()


def test_anti_affinity_holds_under_concurrent_multi_creates():
    for index in range(6):
        make_host(f"h{index}", memory_mb=8192)
    group = make_group("anti-affinity")
    outcomes = run_schedulers([[group_spec(group, 2)] for _ in range(4)])  # 8 servers, 6 hosts
    placed = [host for kind, hosts in outcomes if kind == "ok" for host in hosts]
    assert len(placed) == 6 and len(set(placed)) == 6  # three requests fit, one by one host each
    assert [kind for kind, _ in outcomes].count("no valid host") == 1
    assert Counter(Allocation.objects.values_list("compute_node__host", flat=True)).most_common(1)[0][1] == 1


def test_affinity_holds_under_concurrent_multi_creates():
    for index in range(4):
        make_host(f"h{index}", memory_mb=8192, vcpus=16)
    group = make_group("affinity")
    # With a random choice among the 4 best hosts, unserialised decisions would scatter.
    outcomes = run_schedulers([[group_spec(group, 2)] for _ in range(4)], subset_size=4)
    placed = [host for kind, hosts in outcomes if kind == "ok" for host in hosts]
    assert len(placed) == 8 and len(set(placed)) == 1
    assert_nothing_overcommitted()


def test_a_host_added_to_a_zone_while_its_first_report_arrives_gets_the_zone():
    """The membership's transaction syncs the mirrors before the node exists, and the report's
    before the membership commits: the report's sync must wait and then see it (else the new
    host would sit in the default zone until the next aggregate change)."""
    zone = Aggregate.objects.create(name="az2", metadata={"availability_zone": "az2"})
    written, commit = threading.Event(), threading.Event()

    def add_membership() -> None:
        try:
            with transaction.atomic():
                AggregateHost.objects.create(aggregate=zone, host="late")
                written.set()
                commit.wait(10)
        finally:
            connections.close_all()

    def first_report() -> None:
        try:
            record_compute_report("late", {"vcpus": 4, "memory_mb": 4096, "disk_gb": 40})
        finally:
            connections.close_all()

    adder = threading.Thread(target=add_membership)
    adder.start()
    assert written.wait(10)
    reporter = threading.Thread(target=first_report)
    reporter.start()
    time.sleep(0.5)  # long enough for the report to finish if nothing holds it back
    commit.set()
    adder.join(10)
    reporter.join(10)
    assert ComputeNode.objects.get(host="late").availability_zone == "az2"
