"""Scheduler weighers: each one changes the ranking, normalised, with its multiplier from the
settings or from aggregate metadata; host_subset_size and alternates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hosts.models import ComputeNode
from hosts.zones import zone_of_host
from scheduling import stats
from scheduling.scheduler import select_destinations
from scheduling.testing import add_to_aggregate, group_spec, make_group, make_host, make_server, make_spec
from scheduling.weighers.base import normalise

pytestmark = pytest.mark.django_db

ONLY = {  # every multiplier off; a test turns on the one it studies
    "RAM_WEIGHT_MULTIPLIER": 0.0,
    "CPU_WEIGHT_MULTIPLIER": 0.0,
    "DISK_WEIGHT_MULTIPLIER": 0.0,
    "NUM_INSTANCES_WEIGHT_MULTIPLIER": 0.0,
    "IO_OPS_WEIGHT_MULTIPLIER": 0.0,
    "BUILD_FAILURE_WEIGHT_MULTIPLIER": 0.0,
    "SOFT_AFFINITY_WEIGHT_MULTIPLIER": 0.0,
    "SOFT_ANTI_AFFINITY_WEIGHT_MULTIPLIER": 0.0,
}


@pytest.fixture
def only(settings):
    """only(RAM=-1.0): that weigher alone, with that multiplier."""

    def configure(**multipliers: float) -> None:
        for name, value in ONLY.items():
            setattr(settings, name, value)
        for short, value in multipliers.items():
            setattr(settings, f"{short}_WEIGHT_MULTIPLIER", value)

    return configure


def best(spec=None) -> str:
    return select_destinations(spec or make_spec())[0].host


def test_normalise_scales_to_unit_range_and_flattens_ties():
    assert normalise([2.0, 4.0, 3.0]) == [0.0, 1.0, 0.5]
    assert normalise([5.0, 5.0]) == [0.0, 0.0]


def test_ram_weigher_spreads_and_a_negative_multiplier_stacks(only):
    make_host("roomy", memory_mb=8192)
    make_host("snug", memory_mb=2048)
    only(RAM=1.0)
    assert best() == "roomy"
    only(RAM=-1.0)
    assert best() == "snug"


def test_cpu_weigher_prefers_free_vcpus(only):
    make_host("few", vcpus=2, memory_mb=8192)
    make_host("many", vcpus=16)
    only(CPU=1.0)
    assert best() == "many"
    only(CPU=-1.0, RAM=0.0)
    assert best() == "few"


def test_disk_weigher_prefers_free_disk(only):
    make_host("big", disk_gb=500)
    make_host("small", disk_gb=20, memory_mb=8192)
    only(DISK=1.0)
    assert best() == "big"


def test_num_instances_weigher(only):
    make_host("crowded")
    make_host("quiet")
    ComputeNode.objects.filter(host="crowded").update(running_vms=5)
    only(NUM_INSTANCES=-1.0)
    assert best() == "quiet"
    only(NUM_INSTANCES=1.0)
    assert best() == "crowded"


def test_io_ops_weigher_avoids_hosts_with_tasks_in_progress(only):
    make_host("busy", memory_mb=8192)
    make_host("idle")
    make_server("busy", task_state="resize_migrating")
    make_server("idle")  # a server with no task in progress costs nothing
    only(IO_OPS=-1.0)
    assert best() == "idle"


@pytest.mark.parametrize("stored", ["2026-12-01 10:00:00.123456", "naive"])
def test_a_failure_time_as_sqlite_returns_it_is_an_aware_time(stored):
    """SQLite hands the candidate query (raw SQL) its UTC text or a naive datetime, where
    PostgreSQL gives an aware one: compared with the decision's aware now, the weigher raised
    TypeError on SQLite (make run's database) once any host had a failed build."""
    from datetime import UTC, datetime

    from scheduling.host_state import COLUMNS, HostState

    naive = datetime(2026, 12, 1, 10, 0, 0, 123456)
    row: list[object] = [None] * len(COLUMNS)
    row[[name for name, _ in COLUMNS].index("last_build_failure_at")] = naive if stored == "naive" else stored
    assert HostState(row).last_build_failure_at == naive.replace(tzinfo=UTC)


def test_build_failure_weigher_outweighs_free_room_until_a_success(settings):
    make_host("flaky", memory_mb=16384)
    make_host("steady")
    assert best() == "flaky"
    stats.record_build_failure("flaky")
    node = ComputeNode.objects.get(host="flaky")
    assert node.failed_builds == 1 and node.last_build_failure_at is not None
    assert best() == "steady"
    stats.record_build_success("flaky")
    assert ComputeNode.objects.get(host="flaky").failed_builds == 0
    assert best() == "flaky"


def test_old_build_failures_no_longer_count(settings):
    make_host("flaky", memory_mb=16384)
    make_host("steady")
    stats.record_build_failure("flaky")
    ComputeNode.objects.filter(host="flaky").update(
        last_build_failure_at=timezone.now() - timedelta(seconds=settings.SCHEDULER_BUILD_FAILURE_WINDOW + 60)
    )
    assert best() == "flaky"


def test_soft_affinity_prefers_the_members_host_without_requiring_it(only):
    make_host("roomy", memory_mb=16384)
    make_host("member")
    only(RAM=1.0, SOFT_AFFINITY=2.0)
    group = make_group("soft-affinity", ["member"])
    assert [s.host for s in select_destinations(group_spec(group, 2))] == ["member", "member"]
    ComputeNode.objects.filter(host="member").update(memory_mb_used=4096)  # full: soft, so elsewhere
    assert best(group_spec(group)) == "roomy"


def test_soft_anti_affinity_spreads_a_multi_create(only):
    for name in ("a", "b", "c"):
        make_host(name, memory_mb=16384 if name == "a" else 4096)
    only(RAM=1.0, SOFT_ANTI_AFFINITY=2.0)
    group = make_group("soft-anti-affinity", ["a"])
    assert sorted(s.host for s in select_destinations(group_spec(group, 2))) == ["b", "c"]
    assert best(group_spec(group)) == "a"  # every host has one now: free RAM decides again


def test_aggregate_metadata_overrides_a_multiplier_per_host(only):
    make_host("roomy", memory_mb=8192)
    make_host("snug", memory_mb=2048)
    only(RAM=1.0)
    add_to_aggregate("roomy", "stack", ram_weight_multiplier="-1.0")
    add_to_aggregate("snug", "stack")
    assert best() == "snug"


def test_host_subset_size_picks_at_random_among_the_best(settings, only):
    for name, memory in (("first", 8192), ("second", 7168), ("third", 1024)):
        make_host(name, memory_mb=memory, vcpus=64)
    only(RAM=1.0)
    settings.SCHEDULER_HOST_SUBSET_SIZE = 2
    chosen = {best(make_spec(flavor={"vcpus": 1, "memory_mb": 1, "root_gb": 0})) for _ in range(40)}
    assert chosen == {"first", "second"}


def test_alternates_are_the_next_best_hosts(settings):
    for index, name in enumerate("abcde"):
        make_host(name, memory_mb=1024 * (index + 1))
    settings.MAX_ATTEMPTS = 3
    [selection] = select_destinations(make_spec())
    assert selection.host == "e"
    assert [alt["host"] for alt in selection.alternates] == ["d", "c"]
    node = ComputeNode.objects.get(host="d")
    assert selection.alternates[0] == {
        "host": "d",
        "node": node.hypervisor_hostname,
        "compute_node_id": node.pk,
        "availability_zone": zone_of_host("d"),  # the build writes it without looking it up
    }
    assert selection.availability_zone == zone_of_host("e")
