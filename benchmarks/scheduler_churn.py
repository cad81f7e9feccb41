"""Scheduler benchmark at scale and after churn: decisions (claim included) and NoValidHost
explanations at 100,000 hosts, on a fresh database and again after many boots and deletes
with no vacuum in between.

    .venv/bin/python benchmarks/scheduler_churn.py [--hosts 100000] [--decisions 1000]
        [--failures 150] [--churn 50000] [--workers 2] [--reuse]

Needs PostgreSQL (BENCH_DATABASE_URL, as benchmarks/scheduler.py, whose population and request
mix it reuses). Autovacuum is switched off on the scheduler's tables of that database (the
local server runs without it anyway), so dead row versions and dead index entries pile up as
they would between two vacuums of a busy cloud.

1. fresh: N hosts as benchmarks/scheduler.py makes them (VACUUM ANALYZE once after the bulk
   load), then `--decisions` single-instance decisions of the usual mix, one after the other,
   and `--failures` requests that no host can take, each ending in NoValidHost with its
   explanation (which filter removed how many hosts), in three kinds: a flavor bigger than
   any host (SQL filter), a zone that does not exist (SQL filter), an image for another CPU
   architecture (a Python filter: every host that passes the SQL conditions is read).
2. churn: `--churn` boots and deletes from `--workers` processes: a decision with its claim,
   and the release of the claim 100 boots later (the allocation insert and delete and the two
   usage updates of a real boot and delete).
3. after churn: the same measurements again, without vacuum.

Prints p50 / p95 of each, the dead tuples of hosts_computenode and hosts_allocation and the
size of their indexes, and checks that no host is over-committed.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import database
from benchmarks import scheduler as base  # benchmarks/scheduler.py: environment, population, request mix

TABLES = ("hosts_computenode", "hosts_allocation", "hosts_service", "servers_server")
FAILURE_KINDS = ("too big", "no such zone", "other architecture")
OTHER_ARCH_IMAGE = "0c1f5a3e-2b7d-4f4e-8a51-7d6e2b9c0a11"


def spec_for(rng: random.Random, flavor: dict | None = None, **fields):
    from scheduling.request import RequestSpec

    flavor = flavor or {**rng.choice(base.FLAVORS), "ephemeral_gb": 0, "swap": 0, "extra_specs": {}}
    values = {"availability_zone": rng.choice(base.ZONES), "image": {"id": ""}, **fields}
    return RequestSpec([str(uuid.uuid4())], "bench-project", "bench-user", flavor, **values)


def failing_spec(rng: random.Random, kind: str):
    """A request no host can take, of the given kind."""
    if kind == "too big":
        huge = {"name": "huge", "vcpus": 4, "memory_mb": 64 << 20, "root_gb": 10, "ephemeral_gb": 0, "swap": 0}
        return spec_for(rng, {**huge, "extra_specs": {}})
    if kind == "no such zone":
        return spec_for(rng, availability_zone="az-nowhere")
    return spec_for(rng, image={"id": OTHER_ARCH_IMAGE})


def fail(rng: random.Random, kind: str) -> float:
    """One request that ends in NoValidHost, explanation included; its latency in seconds."""
    from scheduling.scheduler import NoValidHost, select_destinations

    spec = failing_spec(rng, kind)
    start = time.perf_counter()
    try:
        select_destinations(spec)
    except NoValidHost as exc:
        elapsed = time.perf_counter() - start
        assert "removed" in str(exc), str(exc)
        return elapsed
    raise AssertionError(f"a {kind} request was placed")


def churn_worker(seed: int, count: int, out: multiprocessing.Queue, first: bool) -> None:
    """Boots and deletes: a decision and its claim, released 100 boots later; the `first`
    worker also sends the hosts' heartbeats."""
    from django.db import connections

    from scheduling import claims
    from scheduling.scheduler import NoValidHost, select_destinations

    connections.close_all()  # never share the parent's socket
    rng = random.Random(seed)
    live: collections.deque[str] = collections.deque()
    placed = 0
    last_heartbeat = time.monotonic()
    for _ in range(count):
        if first and time.monotonic() - last_heartbeat > 15:
            base.heartbeat()  # the hosts keep reporting while the churn runs
            last_heartbeat = time.monotonic()
        spec = spec_for(rng)
        try:
            select_destinations(spec)
            live.append(spec.instance_uuids[0])
            placed += 1
        except NoValidHost:
            pass
        if len(live) > 100:
            claims.release(live.popleft())
    while live:
        claims.release(live.popleft())
    out.put(placed)


def churn(count: int, workers: int, seed: int) -> None:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    per_worker = max(1, count // workers)
    start = time.perf_counter()
    procs = [context.Process(target=churn_worker, args=(seed + i, per_worker, out, i == 0)) for i in range(workers)]
    for proc in procs:
        proc.start()
    placed = sum(out.get() for _ in procs)
    for proc in procs:
        proc.join()
    wall = time.perf_counter() - start
    print(
        f"churn: {per_worker * workers} boots and deletes from {workers} processes in {wall:.0f} s "
        f"({per_worker * workers / wall:.0f}/s), {placed} placed",
        flush=True,
    )


def table_health() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup, n_dead_tup, n_tup_hot_upd, n_tup_upd,"
            " pg_size_pretty(pg_indexes_size(relid)) FROM pg_stat_user_tables"
            " WHERE relname IN ('hosts_computenode', 'hosts_allocation') ORDER BY relname"
        )
        return "; ".join(
            f"{name}: {live} live, {dead} dead tuples, {hot}/{updates} updates HOT, indexes {size}"
            for name, live, dead, hot, updates, size in cursor.fetchall()
        )


def stats(latencies: list[float]) -> tuple[float, float]:
    return statistics.median(latencies) * 1000, base.percentile(latencies, 0.95) * 1000


def measure(label: str, hosts: int, decisions: int, failures: int, seed: int) -> None:
    base.heartbeat()
    rng = random.Random(seed)
    for _ in range(20):
        base.decide(rng)  # warm-up, not timed
    latencies = [base.decide(rng) for _ in range(decisions)]
    p50, p95 = stats(latencies)
    print(f"{hosts:>6}  {label:<12} {'decision + claim':<32} {len(latencies):>6}  {p50:7.2f}  {p95:7.2f}", flush=True)
    every: list[float] = []
    for kind in FAILURE_KINDS:
        fail(rng, kind)  # warm-up
        timed = [fail(rng, kind) for _ in range(max(1, failures // len(FAILURE_KINDS)))]
        every += timed
        p50, p95 = stats(timed)
        print(f"{hosts:>6}  {label:<12} {'NoValidHost: ' + kind:<32} {len(timed):>6}  {p50:7.2f}  {p95:7.2f}")
    p50, p95 = stats(every)
    print(f"{hosts:>6}  {label:<12} {'NoValidHost: all kinds':<32} {len(every):>6}  {p50:7.2f}  {p95:7.2f}")
    print(f"        {table_health()}", flush=True)


def reuse(hosts: int) -> bool:
    """Start again from the population an earlier run left, if it has `hosts` hosts: its
    allocations dropped, the usage back to the baseline, the servers its decisions made gone
    (populating 100,000 hosts and 500,000 servers takes minutes)."""
    from django.db import connection

    from servers.models import Server

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), to_regclass('bench_baseline') IS NOT NULL FROM hosts_computenode")
        count, has_baseline = cursor.fetchone()
        if count != hosts or not has_baseline:
            return False
        cursor.execute("DELETE FROM hosts_allocation")
        cursor.execute(
            "UPDATE hosts_computenode n SET vcpus_used = b.vcpus_used, memory_mb_used = b.memory_mb_used,"
            " local_gb_used = b.local_gb_used, running_vms = b.running_vms FROM bench_baseline b WHERE b.id = n.id"
        )
    Server.objects.filter(project_id="bench-project").delete()
    with connection.cursor() as cursor:
        for table in ("hosts_computenode", "hosts_allocation", "hosts_service"):
            cursor.execute(f"VACUUM FULL {table}")  # the layout of a fresh population
    return True


def prepare(hosts: int, servers_per_host: int, reuse_population: bool) -> None:
    from django.db import connection

    from images.models import Image

    if not (reuse_population and reuse(hosts)):
        base.populate(hosts)
        base.populate_servers(servers_per_host)
    Image.objects.update_or_create(
        id=OTHER_ARCH_IMAGE,
        defaults={"name": "bench-ppc", "status": "active", "properties": {"hw_architecture": "ppc64le"}},
    )
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            cursor.execute(f"VACUUM ANALYZE {table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=100_000)
    parser.add_argument("--decisions", type=int, default=1000, help="timed decisions per phase")
    parser.add_argument("--failures", type=int, default=150, help="timed NoValidHost requests per phase")
    parser.add_argument("--churn", type=int, default=50_000, help="boots and deletes between the phases")
    parser.add_argument("--workers", type=int, default=2, help="processes doing the churn")
    parser.add_argument("--servers-per-host", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="start from the hosts and servers of an earlier run")
    args = parser.parse_args()

    database.ready(base.DATABASE_URL)
    prepare(args.hosts, args.servers_per_host, args.reuse)
    print(f"{'hosts':>6}  {'phase':<12} {'what':<32} {'count':>6}  {'p50 ms':>7}  {'p95 ms':>7}")
    measure("fresh", args.hosts, args.decisions, args.failures, seed=1)
    if args.churn:
        churn(args.churn, args.workers, seed=100)
        measure("after churn", args.hosts, args.decisions, args.failures, seed=2)
    over, mismatched = base.check_overcommit()
    print(
        f"over-commit check: {over} hosts over capacity, {mismatched} hosts whose usage differs from their allocations"
    )
    sys.exit(1 if over + mismatched else 0)


if __name__ == "__main__":
    main()
