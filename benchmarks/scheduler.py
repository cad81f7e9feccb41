"""Scheduler benchmark: select_destinations, claim included, at 1,000 and 10,000 hosts.

    .venv/bin/python benchmarks/scheduler.py [--hosts 1000,10000] [--decisions 1000] [--workers 4]

Needs PostgreSQL: uses its own database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/novasite_bench), created and migrated if missing, and
rebuilt for each host count. Each run creates N compute hosts in 3 availability zones (1% of
them disabled, 1% down, 10% in an aggregate that raises the RAM allocation ratio to 1.5, usage
already spread unevenly, 5 servers per host of which 2% are busy with a task), then times
single-instance decisions with a mix of flavors, zones (a quarter with no zone), images and
anti-affinity groups (see `decide`): first one after the other in this process, then from
`--workers` processes at once, each with its own connection. It prints p50 / p95 latency and
decisions per second, then checks that no host is over-committed and that every host's usage
equals the sum of its allocations.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.stats import percentile

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/novasite_bench")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasite.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")  # a lost claim race is logged at INFO: not news here

import dj_database_url  # noqa: E402

from benchmarks import database  # noqa: E402

FLAVORS = [
    {"name": "tiny", "vcpus": 1, "memory_mb": 512, "root_gb": 1},
    {"name": "small", "vcpus": 2, "memory_mb": 2048, "root_gb": 20},
    {"name": "medium", "vcpus": 4, "memory_mb": 8192, "root_gb": 40},
    {"name": "large", "vcpus": 8, "memory_mb": 16384, "root_gb": 80},
]
ZONES = [None, "az1", "az2", "az3"]
IMAGE_ID = "6b0d8f4e-7a53-4f0e-9d59-3c0f1d2a5b10"


def populate(count: int) -> None:
    """Replace every host with `count` fresh ones (bulk inserts, so model defaults apply)."""
    from django.db import connection
    from django.utils import timezone

    from hosts.models import Aggregate, AggregateHost, ComputeNode, Service
    from scheduling.aggregates import sync_hosts

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE hosts_allocation, hosts_computenode, hosts_aggregatehost, hosts_aggregate, hosts_service CASCADE"
        )
    now = timezone.now()
    services = Service.objects.bulk_create(
        (
            Service(
                host=f"compute{i}",
                binary="nova-compute",
                topic="compute",
                disabled=i % 100 == 7,
                last_seen_up=now - timedelta(hours=1) if i % 100 == 13 else now,
            )
            for i in range(1, count + 1)
        ),
        batch_size=2000,
    )
    # Three sizes of hardware, unrelated to the zone a host ends up in.
    ComputeNode.objects.bulk_create(
        (
            ComputeNode(
                host=s.host,
                service=s,
                hypervisor_hostname=s.host,
                hypervisor_type="QEMU",
                hypervisor_version=8002000,
                cpu_info='{"arch": "x86_64"}',
                cpu_arch="x86_64",
                vcpus=16 << (i // 3 % 3),
                memory_mb=65536 << (i // 3 % 3),
                local_gb=500 << (i // 3 % 3),
                cpu_allocation_ratio=4.0,
                ram_allocation_ratio=1.0,
                disk_allocation_ratio=1.0,
                reserved_host_memory_mb=512,
            )
            for i, s in enumerate(services)
        ),
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        # Uneven existing usage, within capacity, so that the weighers have something to rank.
        cursor.execute(
            """UPDATE hosts_computenode SET vcpus_used = (random() * vcpus * 2)::int,
                      memory_mb_used = (random() * (memory_mb - 512) * 0.7)::int,
                      local_gb_used = (random() * local_gb * 0.7)::int"""
        )
    zones = [
        Aggregate.objects.create(name=zone, metadata={"availability_zone": zone}) for zone in ("az1", "az2", "az3")
    ]
    overcommit = Aggregate.objects.create(name="ram-overcommit", metadata={"ram_allocation_ratio": "1.5"})
    AggregateHost.objects.bulk_create(
        (AggregateHost(aggregate=zones[i % 3], host=s.host) for i, s in enumerate(services)), batch_size=2000
    )
    AggregateHost.objects.bulk_create(
        (AggregateHost(aggregate=overcommit, host=s.host) for i, s in enumerate(services) if i % 10 == 0),
        batch_size=2000,
    )
    sync_hosts()  # bulk inserts bypass the signals that keep the aggregate mirrors current
    with connection.cursor() as cursor:
        # The usage before any claim, to check later that claims account for all the rest.
        cursor.execute("DROP TABLE IF EXISTS bench_baseline")
        cursor.execute(
            "CREATE TABLE bench_baseline AS"
            " SELECT id, vcpus_used, memory_mb_used, local_gb_used, running_vms FROM hosts_computenode"
        )
        cursor.execute("VACUUM ANALYZE hosts_computenode")
        cursor.execute("VACUUM ANALYZE hosts_service")
        cursor.execute("VACUUM ANALYZE hosts_aggregatehost")


def populate_servers(per_host: int) -> None:
    """Servers already running on the hosts (2% of them busy with a task), so that the
    scheduler's queries on servers (IO ops, group members) meet a table of realistic size;
    and the image and groups the request mix uses."""
    from hosts.models import ComputeNode
    from images.models import Image
    from servers.models import Server, ServerGroup

    Server.objects.all().delete()
    ServerGroup.objects.all().delete()
    hosts = list(ComputeNode.objects.values_list("host", flat=True))
    flavor = {**FLAVORS[0], "ephemeral_gb": 0, "swap": 0}
    batch = []
    for index in range(per_host * len(hosts)):
        host = hosts[index % len(hosts)]
        busy = index % 50 == 0
        batch.append(
            Server(
                name=f"vm{index}",
                project_id="tenant",
                user_id="user",
                flavor=flavor,
                host=host,
                node=host,
                vm_state="active",
                power_state=1,
                task_state="resize_migrating" if busy else None,
            )
        )
        if len(batch) == 5000:
            Server.objects.bulk_create(batch)
            batch = []
    Server.objects.bulk_create(batch)
    Image.objects.update_or_create(
        id=IMAGE_ID, defaults={"name": "bench-x86", "status": "active", "properties": {"hw_architecture": "x86_64"}}
    )
    ServerGroup.objects.bulk_create(
        ServerGroup(name=f"bench-{i}", project_id="bench-project", user_id="bench-user", policy="anti-affinity")
        for i in range(20)
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE servers_server")
        # Write the bulk load out now, so that no checkpoint slows the timed commits down.
        cursor.execute("CHECKPOINT")


def heartbeat() -> None:
    """Every host that should be up reports now (runs before each phase)."""
    from django.db import connection

    with connection.cursor() as cursor:
        # The hosts meant to be down were last seen an hour before the others (populate), however
        # long ago the population ran.
        cursor.execute(
            "UPDATE hosts_service SET last_seen_up = now()"
            " WHERE last_seen_up > (SELECT MAX(last_seen_up) FROM hosts_service) - interval '30 minutes'"
        )


def decide(rng: random.Random) -> float:
    """One single-instance decision; returns its latency in seconds. The mix: 85% plain
    requests, 10% from an image that names its architecture (a Python filter reading
    cpu_info), 5% joining one of 20 anti-affinity groups (the group's lock, its members'
    hosts); a quarter of each with no zone."""
    from scheduling.request import RequestSpec
    from scheduling.scheduler import NoValidHost, select_destinations
    from servers.models import Server, ServerGroup, ServerGroupMember

    flavor = {**rng.choice(FLAVORS), "ephemeral_gb": 0, "swap": 0, "extra_specs": {}}
    spec = RequestSpec(
        [str(uuid.uuid4())],
        "bench-project",
        "bench-user",
        flavor,
        availability_zone=rng.choice(ZONES),
        image={"id": ""},
    )
    kind = rng.random()
    if kind < 0.10:
        spec.image = {"id": IMAGE_ID}
    elif kind < 0.15:
        # As the API does before scheduling: the server row and its group membership exist.
        group = ServerGroup.objects.get(name=f"bench-{rng.randrange(20)}")
        server = Server.objects.create(
            uuid=spec.instance_uuids[0], name="bench", project_id="bench-project", user_id="bench-user", flavor=flavor
        )
        ServerGroupMember.objects.create(group=group, server=server)
        spec.scheduler_hints = {"group": str(group.uuid)}
    start = time.perf_counter()
    try:
        select_destinations(spec)
    except NoValidHost:
        pass
    return time.perf_counter() - start


def worker(seed: int, count: int, barrier: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue) -> None:
    """A scheduler process: its own connection, `count` decisions."""
    from django.db import connections

    connections.close_all()  # never share the parent's socket
    rng = random.Random(seed)
    for _ in range(5):
        decide(rng)  # warm the connection and the catalog cache
    barrier.wait()
    latencies = [decide(rng) for _ in range(count)]
    out.put((latencies, time.perf_counter()))


def report(hosts: int, mode: str, latencies: list[float], wall: float) -> dict:
    row = {
        "hosts": hosts,
        "mode": mode,
        "decisions": len(latencies),
        "p50": statistics.median(latencies) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "rate": len(latencies) / wall,
    }
    print(
        f"{hosts:>6}  {mode:<12} {row['decisions']:>9}  {row['p50']:7.2f}  {row['p95']:7.2f}  {row['rate']:11.0f}",
        flush=True,
    )
    return row


def run(hosts: int, decisions: int, workers: int, servers_per_host: int) -> list[dict]:
    from django.db import connections

    populate(hosts)
    populate_servers(servers_per_host)
    heartbeat()
    rng = random.Random(hosts)
    for _ in range(20):
        decide(rng)  # warm-up, not timed
    start = time.perf_counter()
    latencies = [decide(rng) for _ in range(decisions)]
    rows = [report(hosts, "sequential", latencies, time.perf_counter() - start)]

    heartbeat()
    connections.close_all()  # the children open their own
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(workers + 1), context.Queue()
    per_worker = max(1, decisions // workers)
    procs = [context.Process(target=worker, args=(hosts * 10 + i, per_worker, barrier, out)) for i in range(workers)]
    for proc in procs:
        proc.start()
    barrier.wait()
    start = time.perf_counter()
    results = [out.get() for _ in procs]
    for proc in procs:
        proc.join()
    wall = max(end for _, end in results) - start
    rows.append(report(hosts, f"{workers} workers", [lat for lats, _ in results for lat in lats], wall))
    return rows


def check_overcommit() -> tuple[int, int]:
    """(hosts whose usage exceeds capacity, hosts whose usage differs from their allocations)."""
    from django.db import connection

    from scheduling.capacity import FREE_DISK_GB, FREE_RAM_MB, FREE_VCPUS, free

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM hosts_computenode n"
            f" WHERE {free(FREE_VCPUS)} < 0 OR {free(FREE_RAM_MB)} < 0 OR {free(FREE_DISK_GB)} < 0"
        )
        over = cursor.fetchone()[0]
        # Allocations made during the run must account exactly for the usage they added.
        cursor.execute(
            """SELECT COUNT(*) FROM hosts_computenode n
                 JOIN bench_baseline b ON b.id = n.id
                 LEFT JOIN (SELECT compute_node_id, COUNT(*) AS vms, SUM(vcpus) AS vcpus, SUM(memory_mb) AS ram,
                                   SUM(disk_gb) AS disk
                              FROM hosts_allocation GROUP BY compute_node_id) a ON a.compute_node_id = n.id
                WHERE n.running_vms <> b.running_vms + COALESCE(a.vms, 0)
                   OR n.vcpus_used <> b.vcpus_used + COALESCE(a.vcpus, 0)
                   OR n.memory_mb_used <> b.memory_mb_used + COALESCE(a.ram, 0)
                   OR n.local_gb_used <> b.local_gb_used + COALESCE(a.disk, 0)"""
        )
        mismatched = cursor.fetchone()[0]
    return over, mismatched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", default="1000,10000", help="comma-separated host counts")
    parser.add_argument("--decisions", type=int, default=1000, help="timed decisions per mode")
    parser.add_argument("--workers", type=int, default=4, help="concurrent scheduler processes")
    parser.add_argument("--servers-per-host", type=int, default=5, help="existing servers per host")
    args = parser.parse_args()

    database.ready(DATABASE_URL)
    print(f"database {dj_database_url.parse(DATABASE_URL)['NAME']}; each decision places one instance, claim included")
    print(f"{'hosts':>6}  {'mode':<12} {'decisions':>9}  {'p50 ms':>7}  {'p95 ms':>7}  {'decisions/s':>11}")
    results, failures = [], 0
    for count in (int(n) for n in args.hosts.split(",")):
        results += run(count, args.decisions, args.workers, args.servers_per_host)
        over, mismatched = check_overcommit()
        print(
            f"        over-commit check at {count} hosts: {over} hosts over capacity, "
            f"{mismatched} hosts whose usage differs from their allocations"
        )
        failures += over + mismatched
    sequential = {row["hosts"]: row["p50"] for row in results if row["mode"] == "sequential"}
    if len(sequential) > 1:
        small, large = min(sequential), max(sequential)
        print(f"p50 at {large} hosts / p50 at {small} hosts: {sequential[large] / sequential[small]:.2f}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
