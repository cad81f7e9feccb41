"""Lists at scale: p50/p95 and query count of every list page and admin search, with N servers.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/novasite_bench_lists \\
        .venv/bin/python benchmarks/lists.py [--servers 100000] [--runs 10] [--reload]

Needs PostgreSQL: uses its own database (BENCH_DATABASE_URL), created and migrated if
missing. It loads, with COPY (benchmarks/bulk.py), N servers on N/100 hosts (a service, a
compute node and one allocation per server), 90% of them in the demo project, each with a
port and two instance actions, and 2,000 migrations; then ANALYZEs (the local PostgreSQL runs
without autovacuum). A later run with the same N reuses the data (--reload loads it again).

It then times each endpoint in process (Django's test client, token validation included):
servers brief and detail at marker depths 0, 50% and 90% of the demo project with limit 1000
and 100, flavors, hypervisors with their servers, migrations, instance actions, ports, and the
admin server list with its searches by uuid, IP and name prefix; Neutron's port pages
(limit=100, default order and by MAC) at depths 0, 50% and 90%, ports by fixed IP, servers by ip.
It prints p50 / p95 and the query count of each (and the SQL share of the time), then EXPLAIN
ANALYZE of the slowest query of the slowest endpoint.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from tempfile import mkdtemp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.stats import percentile

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/novasite_bench_lists")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasite.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ.setdefault("IMAGE_DIR", mkdtemp(prefix="bench-images-"))

from benchmarks import database  # noqa: E402

MIGRATIONS = 2000
COMPUTE = "/compute/v2.1"


def load(count: int) -> None:
    """The demo cloud's identity, flavors and network, then ``count`` servers and the rest."""
    from django.db import connection, transaction
    from django.utils import timezone

    from benchmarks import bulk
    from hosts.models import Allocation, ComputeNode, Service
    from identity.models import Project
    from networks.models import Port
    from novasite import demo
    from novasite.admin_support import operator_caller
    from servers.models import InstanceAction, Migration, Server

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("servers_server", "networks_port", "hosts_allocation", "hosts_computenode", "hosts_service"):
            cursor.execute(f"TRUNCATE {table} CASCADE")
    caller = operator_caller("bench")
    with transaction.atomic():
        demo.seed_identity(caller, "secret", "secret")
        demo.seed_compute(caller)
        network = demo.seed_network(caller, Project.objects.get(name="admin"))
    projects = [Project.objects.get(name="demo").id, *(f"bench-project-{i}" for i in range(9))]
    names = [f"bench{i:05d}" for i in range(max(1, count // 100))]
    services = Service.objects.bulk_create(
        [Service(host=name, binary="nova-compute", topic="compute") for name in names], batch_size=5000
    )
    ComputeNode.objects.bulk_create(
        [
            ComputeNode(
                host=name,
                hypervisor_hostname=name,
                service=service,
                vcpus=64,
                memory_mb=262144,
                local_gb=2000,
                cpu_allocation_ratio=4.0,
                ram_allocation_ratio=1.0,
                disk_allocation_ratio=1.0,
            )
            for name, service in zip(names, services, strict=True)
        ],
        batch_size=5000,
    )
    start = timezone.now() - timedelta(seconds=count + 3600)
    with transaction.atomic():
        bulk.copy_rows(Server, bulk.servers(count, projects, names, start))
        rows = [
            (server_id, str(server_uuid), project)
            for server_id, server_uuid, project in Server.objects.order_by("id").values_list("id", "uuid", "project_id")
        ]
        bulk.copy_rows(Port, bulk.ports(rows, network.id))
        bulk.copy_rows(InstanceAction, bulk.actions(rows, start))
        nodes = list(ComputeNode.objects.filter(host__in=names).order_by("host").values_list("id", flat=True))
        bulk.copy_rows(Allocation, bulk.allocations(rows, nodes))
        step = max(1, len(rows) // MIGRATIONS)
        Migration.objects.bulk_create(
            [
                Migration(
                    server_id=server_id,
                    migration_type="live-migration",
                    status="completed",
                    source_compute=names[index % len(names)],
                    dest_compute=names[(index + 1) % len(names)],
                    project_id=project,
                )
                for index, (server_id, _, project) in enumerate(rows[::step][:MIGRATIONS])
            ]
        )
        ComputeNode.objects.update(running_vms=count // len(names))
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    analyzed = time.perf_counter() - started - loaded
    print(f"loaded {count} servers on {len(names)} hosts in {loaded:.0f} s (then ANALYZE: {analyzed:.0f} s)")


def endpoints(count: int) -> dict[str, tuple[str, str]]:
    """Name -> (who asks: demo, admin or the admin site, path)."""
    from django.urls import reverse

    from identity.models import Project
    from networks.models import Port
    from servers.models import Server

    demo = Project.objects.get(name="demo").id
    mine = Server.objects.filter(project_id=demo, deleted=False).order_by("-created_at", "-id")
    total = mine.count()
    markers = {depth: str(mine.values_list("uuid", flat=True)[int(total * depth / 100)]) for depth in (50, 90)}
    sample = Server.objects.order_by("id")[count // 3]
    pages: dict[str, tuple[str, str]] = {}
    for kind in ("servers", "servers/detail"):
        for limit in (1000, 100):
            pages[f"{kind} limit={limit} depth 0"] = ("demo", f"{COMPUTE}/{kind}?limit={limit}")
            for depth, marker in markers.items():
                pages[f"{kind} limit={limit} depth {depth}%"] = (
                    "demo",
                    f"{COMPUTE}/{kind}?limit={limit}&marker={marker}",
                )
    pages["servers/detail name regex"] = ("demo", f"{COMPUTE}/servers/detail?limit=100&name=vm-00012")
    changelist = reverse("admin:servers_server_changelist")
    pages |= {
        "flavors/detail": ("admin", f"{COMPUTE}/flavors/detail"),
        "os-hypervisors/detail with_servers (2.53)": (
            "admin",
            f"{COMPUTE}/os-hypervisors/detail?with_servers=true&limit=100",
        ),
        "os-migrations limit=1000 (2.59)": ("admin", f"{COMPUTE}/os-migrations?limit=1000"),
        "os-migrations limit=10 (2.59)": ("admin", f"{COMPUTE}/os-migrations?limit=10"),
        "os-instance-actions (2.58)": ("demo", f"{COMPUTE}/servers/{sample.uuid}/os-instance-actions?limit=100"),
        "ports device_id": ("demo", f"/network/v2.0/ports?device_id={sample.uuid}"),
        "ports fixed_ips=ip_address": ("admin", "/network/v2.0/ports?fixed_ips=ip_address=10.0.1.7"),
        "servers ip=10.0.1.7 (ports by substring)": ("demo", f"{COMPUTE}/servers?ip=10.0.1.7"),
    }
    # Neutron's keyset pages (networks.api.paging): the ports in their default order
    # (created_at, id) and by mac_address, at depths 0, 50% and 90%.
    ports = Port.objects.order_by("created_at", "id").values_list("id", flat=True)
    port_count = ports.count()
    for depth in (0, 50, 90):
        marker = f"&marker={ports[int(port_count * depth / 100)]}" if depth else ""
        pages[f"ports limit=100 depth {depth}%"] = ("admin", f"/network/v2.0/ports?limit=100{marker}")
        by_mac = Port.objects.order_by("mac_address").values_list("id", flat=True)
        mac_marker = f"&marker={by_mac[int(port_count * depth / 100)]}" if depth else ""
        pages[f"ports limit=100 sort mac_address depth {depth}%"] = (
            "admin",
            f"/network/v2.0/ports?limit=100&sort_key=mac_address&sort_dir=asc{mac_marker}",
        )
    pages |= {
        "admin server list": ("site", changelist),
        "admin server list, status filter": ("site", f"{changelist}?status=ERROR"),
        "admin search uuid": ("site", f"{changelist}?q={sample.uuid}"),
        "admin search IP": ("site", f"{changelist}?q=10.0.1.7"),
        "admin search name prefix": ("site", f"{changelist}?q=vm-00123"),
    }
    return pages


def clients() -> dict[str, object]:
    """Test clients for the demo member, the admin (API tokens) and the admin site."""
    from django.contrib.auth.models import User as AuthUser
    from django.test import Client
    from rest_framework.test import APIClient

    from tests.conftest import issue_token

    made: dict[str, object] = {}
    for who in ("demo", "admin"):
        client = APIClient()
        client.credentials(HTTP_X_AUTH_TOKEN=issue_token(client, who, who), HTTP_OPENSTACK_API_VERSION="compute 2.96")
        made[who] = client
    site = Client()
    user = AuthUser.objects.filter(username="bench").first() or AuthUser.objects.create_superuser(
        "bench", "b@example.com", "x"
    )
    site.force_login(user)
    made["site"] = site
    return made


def measure(client, path: str, runs: int) -> tuple[list[float], list[dict[str, str]]]:
    """Times of ``runs`` GETs of ``path`` (after one to warm up), and the last one's queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return times, queries.captured_queries


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(f"    {line}" for (line,) in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--reload", action="store_true", help="load the servers again even if N are there")
    parser.add_argument("--only", default="", help="time only endpoints whose name contains this")
    args = parser.parse_args()
    database.ready(DATABASE_URL)
    from django.test.utils import setup_test_environment

    from servers.models import Server

    setup_test_environment()  # the test client's response.context, and ALLOWED_HOSTS
    if args.reload or Server.objects.filter(user_id="bench").count() != args.servers:
        load(args.servers)
    made = clients()
    from novasite.wsgi import freeze_startup_heap

    freeze_startup_heap()  # as gunicorn's workers do once the app is loaded
    slowest: tuple[float, str, list[dict[str, str]]] = (0.0, "", [])
    print(f"{args.servers} servers, {args.runs} runs each")
    # "sql ms": the database's share of the last request (the rest is Python: rows to objects,
    # documents, JSON or HTML).
    print(f"  {'endpoint':<44} {'p50 ms':>8} {'p95 ms':>8} {'sql ms':>8} {'queries':>8}")
    for name, (who, path) in endpoints(args.servers).items():
        if args.only not in name:
            continue
        times, queries = measure(made[who], path, args.runs)
        p50 = percentile(times, 0.5) * 1000
        sql = sum(float(query["time"]) for query in queries) * 1000
        print(f"  {name:<44} {p50:8.1f} {percentile(times, 0.95) * 1000:8.1f} {sql:8.1f} {len(queries):8d}")
        if p50 > slowest[0]:
            slowest = (p50, name, queries)
    if slowest[2]:
        query = max(slowest[2], key=lambda item: float(item["time"]))
        print(f"\nslowest endpoint: {slowest[1]}; its slowest query ({float(query['time']) * 1000:.1f} ms):")
        print(f"    {query['sql'][:600]}")
        print(explain(query["sql"]))


if __name__ == "__main__":
    main()
