"""Operator console benchmark: the admin's dashboard, the server list and the compute node
list at 10,000 servers and 1,000 hosts.

    .venv/bin/python benchmarks/admin_dashboard.py [--hosts 1000] [--servers 10000] [--repeat 20] [--reuse]

Needs PostgreSQL: uses its own database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/novasite_bench_admin), created and migrated if missing.
Each run empties the hosts and servers tables and loads the synthetic cloud of
novasite.sample_cloud with bulk inserts: the hosts in three zones (one in 50 down, one in 40
disabled), the servers in its mix of states (1% each in error, rebooting, migrating,
building, ...), each with its create action and step, the failed ones with a fault; then
`--actions` more actions per server (one step each, 1% of them failed). `--reuse` keeps
what the last run loaded.

Then, as a logged-in superuser through Django's test client (the whole request: middleware,
session, templates; without the test environment's template instrumentation), it renders
each page `--repeat` times after two warm-up requests and prints the median and p95 render
time and the queries one request makes; and the same for the dashboard's data alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.stats import percentile

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/novasite_bench_admin")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasite.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import dj_database_url  # noqa: E402

from benchmarks import database  # noqa: E402

#: The tables the load replaces (the rest of the database is left alone).
TABLES = (
    "servers_instanceactionevent",
    "servers_instanceaction",
    "servers_serverfault",
    "servers_server",
    "hosts_allocation",
    "hosts_computenode",
    "hosts_aggregatehost",
    "hosts_aggregate",
    "hosts_service",
)
PAGES = {
    "dashboard (/admin/)": "/admin/",
    "server list": "/admin/servers/server/",
    "compute node list": "/admin/hosts/computenode/",
}


def more_actions(per_server: int) -> int:
    """``per_server`` more stop/start actions on every server, one step each, 1% failed."""
    from django.utils import timezone

    from servers.models import InstanceAction, InstanceActionEvent, Server

    now = timezone.now()
    servers = list(Server.objects.values_list("pk", "project_id", "host"))
    made = 0
    for round_ in range(per_server):
        name = ("stop", "start")[round_ % 2]
        actions = InstanceAction.objects.bulk_create(
            (
                InstanceAction(server_id=pk, action=name, request_id=f"req-{round_}-{pk}", user_id="user", project_id=p)
                for pk, p, _ in servers
            ),
            batch_size=5000,
        )
        hosts = {pk: host for pk, _, host in servers}
        InstanceActionEvent.objects.bulk_create(
            (
                InstanceActionEvent(
                    action=action,
                    event=f"compute_{name}_instance",
                    result="Error" if (action.server_id + round_) % 100 == 0 else "Success",
                    host=hosts[action.server_id],
                    finish_time=now,
                )
                for action in actions
            ),
            batch_size=5000,
        )
        made += len(actions)
    return made


def load(hosts: int, servers: int, actions: int) -> None:
    from django.db import connection

    from novasite import sample_cloud

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    start = time.perf_counter()
    sample_cloud.load(hosts, servers)
    extra = more_actions(actions)
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"loaded {hosts} hosts, {servers} servers and {servers + extra} actions in {elapsed:.1f} s")


def counts() -> str:
    from hosts.models import ComputeNode
    from servers.models import InstanceAction, InstanceActionEvent, Server, ServerFault

    return (
        f"{ComputeNode.objects.count()} compute nodes, {Server.objects.count()} servers, "
        f"{InstanceAction.objects.count()} actions, "
        f"{InstanceActionEvent.objects.filter(result='Error').count()} failed steps, "
        f"{ServerFault.objects.count()} faults"
    )


def time_page(client: Any, page: str, repeat: int) -> tuple[list[float], int, int]:
    """(render times in seconds, queries of one request, response size in bytes)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        assert client.get(page).status_code == 200, page  # warm-up: templates, connection
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(page)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, page
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    return times, len(queries), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--servers", type=int, default=10000)
    parser.add_argument("--actions", type=int, default=2, help="more actions per server beyond its create")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--reuse", action="store_true", help="keep the cloud the last run loaded")
    args = parser.parse_args()

    database.ready(DATABASE_URL)
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    # Not setup_test_environment(): its instrumented template rendering copies every
    # template's context for the test client, which a real request never pays for.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if not args.reuse:
        load(args.hosts, args.servers, args.actions)
    from novasite import sample_cloud

    sample_cloud.heartbeat()  # the hosts that should be up are up now
    print(f"database {dj_database_url.parse(DATABASE_URL)['NAME']}: {counts()}")
    user = User.objects.filter(username="bench").first() or User.objects.create_superuser("bench", "", "bench")
    client = Client()
    client.force_login(user)

    print(f"{'page':<22} {'median ms':>9} {'p95 ms':>8} {'queries':>7} {'KB':>6}")
    for name, page in PAGES.items():
        times, queries, size = time_page(client, page, args.repeat)
        median, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
        print(f"{name:<22} {median:9.1f} {p95:8.1f} {queries:7d} {size / 1024:6.0f}", flush=True)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from novasite import dashboard

    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            dashboard.collect()
        times.append(time.perf_counter() - start)
    median, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
    print(f"{'dashboard data only':<22} {median:9.1f} {p95:8.1f} {len(captured):7d}")


if __name__ == "__main__":
    main()
