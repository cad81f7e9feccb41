"""Scheduler machinery: the compute nodes' aggregate mirrors, the candidate query's use of the
expression indexes, pool growth, and the two claim implementations agreeing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hosts.models import Aggregate, AggregateHost, Allocation, ComputeNode, Service
from images.models import Image
from scheduling import claims
from scheduling.aggregates import sync_hosts
from scheduling.capacity import INDEXES
from scheduling.scheduler import select_destinations
from scheduling.testing import add_to_aggregate, flavor, make_host, make_spec

pytestmark = pytest.mark.django_db


def mirror(host: str) -> tuple:
    node = ComputeNode.objects.get(host=host)
    return node.availability_zone, node.aggregate_ram_allocation_ratio


def test_mirrors_follow_aggregates_memberships_and_new_nodes():
    make_host("a")
    zone = add_to_aggregate("a", "az1", availability_zone="az1")
    assert mirror("a") == ("az1", None)
    zone.metadata = {"availability_zone": "az9", "ram_allocation_ratio": "1.5"}
    zone.save()
    assert mirror("a") == ("az9", 1.5)
    AggregateHost.objects.create(aggregate=zone, host="b")  # before b's node exists
    make_host("b")
    assert mirror("b") == ("az9", 1.5)
    membership = AggregateHost.objects.get(host="b")
    membership.host = "a2"  # moved: b is no longer in it
    membership.save()
    assert mirror("b") == (None, None)
    zone.delete()
    assert mirror("a") == (None, None)


def test_sync_hosts_repairs_mirrors_that_bypassed_the_signals():
    make_host("a")
    aggregate = Aggregate.objects.create(
        name="az1", metadata={"availability_zone": "az1", "disk_allocation_ratio": "2"}
    )
    AggregateHost.objects.bulk_create([AggregateHost(aggregate=aggregate, host="a")])  # no signals
    assert mirror("a") == (None, None)
    assert sync_hosts() == 1
    node = ComputeNode.objects.get(host="a")
    assert (node.availability_zone, node.aggregate_disk_allocation_ratio, node.local_gb_capacity) == ("az1", 2.0, 80)
    assert sync_hosts() == 0


def candidate_queries(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in queries.captured_queries if "FROM hosts_computenode n" in q["sql"] and "LIMIT" in q["sql"]
    ]


def plan_of_candidate_query(spec) -> str:
    with CaptureQueriesContext(connection) as queries:
        select_destinations(spec)
    [sql] = candidate_queries(queries)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_candidate_query_walks_the_expression_indexes():
    """With a thousand hosts (and statistics that say so), the query reads the top of an index,
    not every host; and heartbeats newer than the statistics do not change that."""
    make_host("a", zone="az1")
    services = Service.objects.bulk_create(
        Service(host=f"h{i}", binary="nova-compute", last_seen_up=timezone.now() - timedelta(minutes=5))
        for i in range(1000)
    )
    ComputeNode.objects.bulk_create(
        ComputeNode(
            host=s.host,
            service=s,
            hypervisor_hostname=s.host,
            vcpus=16,
            memory_mb=4096 + i,
            local_gb=100,
            cpu_allocation_ratio=1,
            ram_allocation_ratio=1,
            disk_allocation_ratio=1,
            availability_zone=f"az{i % 3}",
        )
        for i, s in enumerate(services)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE hosts_computenode")
        cursor.execute("ANALYZE hosts_service")
    Service.objects.update(last_seen_up=timezone.now())  # heartbeats: the statistics lag behind
    assert set(INDEXES) == {
        "hosts_computenode_free_vcpus",
        "hosts_computenode_free_ram_mb",
        "hosts_computenode_free_disk_gb",
    }
    assert "Index Scan Backward using hosts_computenode_free_ram_mb" in plan_of_candidate_query(make_spec())
    assert "Index Scan Backward using hosts_computenode_az_free_ram_mb" in plan_of_candidate_query(
        make_spec(availability_zone="az1")
    )


def test_the_pool_grows_when_python_filters_reject_the_best_candidates(settings):
    settings.SCHEDULER_CANDIDATE_LIMIT = 1  # 1 + max_attempts + subset = 5 per read
    for index in range(7):
        make_host(f"x86-{index}", memory_mb=8192)
    make_host("arm", arch="aarch64")
    # A flavor's cpu_info capability is checked in Python (an image's architecture is SQL).
    arm_only = flavor(extra_specs={"capabilities:cpu_info:arch": "aarch64"})
    with CaptureQueriesContext(connection) as queries:
        assert select_destinations(make_spec(flavor=arm_only))[0].host == "arm"
    assert [sql.count("LIMIT 5") + 4 * sql.count("LIMIT 20") for sql in candidate_queries(queries)] == [1, 4]


def test_an_image_architecture_is_one_sql_condition(settings):
    settings.SCHEDULER_CANDIDATE_LIMIT = 1
    for index in range(7):
        make_host(f"x86-{index}", memory_mb=8192)
    make_host("arm", arch="arm64")  # Nova's alias: canonical aarch64
    image = Image.objects.create(name="arm", properties={"hw_architecture": "aarch64"})
    with CaptureQueriesContext(connection) as queries:
        assert select_destinations(make_spec(image={"id": str(image.id)}))[0].host == "arm"
    reads = candidate_queries(queries)
    assert len(reads) == 1 and "n.cpu_arch = " in reads[0]  # no growing pool, no cpu_info read
    assert ComputeNode.objects.get(host="arm").cpu_arch == "aarch64"


def test_several_candidate_keys_read_the_union_of_their_best_hosts(settings):
    settings.SCHEDULER_CANDIDATE_KEYS = 3
    make_host("ram", memory_mb=65536)
    make_host("cpu", vcpus=64)
    with CaptureQueriesContext(connection) as queries:
        select_destinations(make_spec())
    assert any("UNION ALL" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("one_statement", [True, False])
def test_both_claim_paths_enforce_the_same_rule(one_statement, monkeypatch):
    if not one_statement:  # the path other databases take, run here on PostgreSQL
        monkeypatch.setattr(claims, "_claim_in_one_statement", claims._claim_in_transaction)
    node = make_host("a", vcpus=3, memory_mb=4096, disk_gb=10)
    add_to_aggregate("a", "dense", cpu_allocation_ratio="2")  # 6 vCPUs
    res = claims.Resources(2, 1024, 3)
    consumers = [str(uuid.uuid4()) for _ in range(4)]
    assert [claims.claim(node.pk, c, res, project_id="p", user_id="u") for c in consumers] == [True, True, True, False]
    assert claims.claim(node.pk, consumers[0], res, project_id="p", user_id="u")  # held already: stands, once
    node.refresh_from_db()
    assert (node.vcpus_used, node.memory_mb_used, node.local_gb_used, node.running_vms) == (6, 3072, 9, 3)
    assert Allocation.objects.count() == 3


def test_claim_unless_held_keeps_what_a_consumer_already_holds():
    a, b = make_host("a"), make_host("b")
    consumer = str(uuid.uuid4())
    res = claims.Resources(1, 512, 1)
    assert claims.claim_unless_held(a.pk, consumer, res, project_id="p", user_id="u") == a.pk
    assert claims.claim_unless_held(b.pk, consumer, res, project_id="p", user_id="u") == a.pk
    assert Allocation.objects.filter(consumer=consumer).count() == 1
    assert ComputeNode.objects.get(host="b").memory_mb_used == 0
    full = str(uuid.uuid4())
    ComputeNode.objects.filter(pk=b.pk).update(memory_mb_used=4096)
    assert claims.claim_unless_held(b.pk, full, res, project_id="p", user_id="u") is None
