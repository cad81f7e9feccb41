"""IPAM benchmark: the time to create a port on a network that already holds N ports.

    .venv/bin/python benchmarks/ipam.py [--ports 100,10000] [--creates 200] [--workers 2]

Needs PostgreSQL: uses its own database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/novasite_bench_ipam), created and migrated if missing. For
each N it empties the network tables, makes one network with a /16 subnet and N ports holding
its first N addresses (bulk inserts), then creates ``--creates`` ports with
``networks.ipam.create_port`` (each in its own transaction, as the conductor's build does, and
without security groups so that only addressing is timed): one after the other in this process,
then from ``--workers`` processes at once, each with its own connection. It prints p50 / p95
per port and ports per second, then checks that no two ports of the network show the same
address and that the allocation table holds exactly the addresses the ports show.
"""

from __future__ import annotations

import argparse
import ipaddress
import multiprocessing
import multiprocessing.synchronize
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.stats import percentile

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/novasite_bench_ipam")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasite.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import dj_database_url  # noqa: E402

from benchmarks import database  # noqa: E402

CIDR = ipaddress.IPv4Network("10.0.0.0/16")
BATCH = 2000


def populate(count: int) -> str:
    """A fresh network (the old ones go) whose subnet's first ``count`` pool addresses are held
    by ports; returns its id."""
    from django.db import connection

    from networks.models import IPAllocation, Network, Port, Subnet

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE networks_network CASCADE")
    network = Network.objects.create(name="bench", project_id="bench")
    first = CIDR.network_address + 2  # .1 is the gateway
    subnet = Subnet.objects.create(
        network=network,
        project_id="bench",
        cidr=str(CIDR),
        gateway_ip=str(CIDR.network_address + 1),
        allocation_pools=[{"start": str(first), "end": str(CIDR.broadcast_address - 1)}],
    )
    for offset in range(0, count, BATCH):
        numbers = range(offset, min(count, offset + BATCH))
        ports = Port.objects.bulk_create(
            Port(
                network=network,
                project_id="bench",
                mac_address=f"fa:16:3f:{i >> 16 & 255:02x}:{i >> 8 & 255:02x}:{i & 255:02x}",
                fixed_ips=[{"subnet_id": str(subnet.id), "ip_address": str(first + i)}],
                device_id=str(uuid.uuid4()),
                device_owner="compute:nova",
            )
            for i in numbers
        )
        IPAllocation.objects.bulk_create(
            IPAllocation(subnet=subnet, port=port, address=int(first + i))
            for i, port in zip(numbers, ports, strict=True)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # plans as a long-lived database would have them
    return str(network.id)


def create(network_id: str) -> float:
    """One port with the next free address; returns its latency in seconds."""
    from networks import ipam
    from networks.models import Network

    network = Network.objects.get(id=network_id)
    start = time.perf_counter()
    ipam.create_port(
        network, project_id="bench", device_id=str(uuid.uuid4()), device_owner="compute:nova", security_groups=[]
    )
    return time.perf_counter() - start


def worker(
    network_id: str, count: int, barrier: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue
) -> None:
    """A conductor-like process: its own connection, ``count`` ports."""
    from django.db import connections

    connections.close_all()  # never share the parent's socket
    barrier.wait()
    latencies = [create(network_id) for _ in range(count)]
    out.put((latencies, time.perf_counter()))


def report(ports: int, mode: str, latencies: list[float], wall: float) -> None:
    p50, p95 = statistics.median(latencies) * 1000, percentile(latencies, 0.95) * 1000
    print(
        f"{ports:>7}  {mode:<12} {len(latencies):>7}  {p50:7.2f}  {p95:7.2f}  {len(latencies) / wall:8.0f}", flush=True
    )


def run(ports: int, creates: int, workers: int) -> None:
    from django.db import connections

    network_id = populate(ports)
    for _ in range(5):
        create(network_id)  # warm-up, not timed
    start = time.perf_counter()
    latencies = [create(network_id) for _ in range(creates)]
    report(ports, "sequential", latencies, time.perf_counter() - start)

    connections.close_all()  # the children open their own
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(workers + 1), context.Queue()
    per_worker = max(1, creates // workers)
    procs = [context.Process(target=worker, args=(network_id, per_worker, barrier, out)) for _ in range(workers)]
    for proc in procs:
        proc.start()
    barrier.wait()
    start = time.perf_counter()
    results = [out.get() for _ in procs]
    for proc in procs:
        proc.join()
    wall = max(end for _, end in results) - start
    report(ports, f"{workers} processes", [lat for lats, _ in results for lat in lats], wall)


def check() -> tuple[int, int]:
    """(addresses two ports show, addresses shown that the allocation table does not hold or
    the other way round)."""
    from networks.models import IPAllocation, Port

    shown = [
        (entry["subnet_id"], int(ipaddress.IPv4Address(entry["ip_address"])), str(port_id))
        for port_id, fixed_ips in Port.objects.values_list("id", "fixed_ips")
        for entry in fixed_ips
    ]
    twice = len(shown) - len({(subnet, address) for subnet, address, _ in shown})
    held = {
        (str(subnet), address, str(port))
        for subnet, address, port in IPAllocation.objects.values_list("subnet_id", "address", "port_id")
    }
    return twice, len(held.symmetric_difference(shown))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", default="100,10000", help="comma-separated counts of ports already there")
    parser.add_argument("--creates", type=int, default=200, help="timed creates per mode")
    parser.add_argument("--workers", type=int, default=2, help="concurrent processes")
    args = parser.parse_args()

    database.ready(DATABASE_URL)
    print(f"database {dj_database_url.parse(DATABASE_URL)['NAME']}; one network, a /16 subnet")
    print(f"{'ports':>7}  {'mode':<12} {'creates':>7}  {'p50 ms':>7}  {'p95 ms':>7}  {'ports/s':>8}")
    failures = 0
    for count in (int(n) for n in args.ports.split(",")):
        run(count, args.creates, args.workers)
        twice, mismatched = check()
        print(f"         check at {count} ports: {twice} addresses shown twice, {mismatched} not matching the table")
        failures += twice + mismatched
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
