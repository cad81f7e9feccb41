"""The servers admin at scale: render time and query count of the server list (plain, a
status filter, an IP search) and of one server's page, with N servers (each with a port)
and M instance actions on the server shown.

    TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/novasite \\
        .venv/bin/python benchmarks/admin_servers.py [--servers 10000] [--actions 200] [--runs 5]

Runs in process on a scratch test database (created and dropped, as the suite does), with
Django's test client logged in as a superuser. Prints the median time and the query count
of each page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasite.test_settings")

import django

django.setup()

from django.contrib.auth.models import User as AuthUser  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from identity.models import Project  # noqa: E402
from networks.models import Network, Port  # noqa: E402
from servers.models import InstanceAction, InstanceActionEvent, Server  # noqa: E402

FLAVOR = {"flavorid": "1", "name": "m1.tiny", "vcpus": 1, "memory_mb": 512, "root_gb": 1}
STATES = [("active", None, 1), ("stopped", None, 4), ("active", "rebooting", 1), ("error", None, 6)]


def seed(servers: int, actions: int) -> Server:
    projects = Project.objects.bulk_create([Project(name=f"bench{i}") for i in range(50)])
    network = Network.objects.create(name="bench", project_id=projects[0].id)
    rows = []
    for i in range(servers):
        vm_state, task_state, power = STATES[i % len(STATES)]
        rows.append(
            Server(
                uuid=uuid.uuid4(),
                name=f"bench{i}",
                project_id=projects[i % len(projects)].id,
                user_id="u",
                flavor=FLAVOR,
                vm_state=vm_state,
                task_state=task_state,
                power_state=power,
                host=f"compute{i % 1000}",
                availability_zone=f"az{i % 4}",
            )
        )
    Server.objects.bulk_create(rows, batch_size=2000)
    Port.objects.bulk_create(
        [
            Port(
                network=network,
                project_id=server.project_id,
                mac_address=f"fa:16:3e:{i >> 16 & 255:02x}:{i >> 8 & 255:02x}:{i & 255:02x}",
                fixed_ips=[{"subnet_id": "s", "ip_address": f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"}],
                device_id=str(server.uuid),
            )
            for i, server in enumerate(rows)
        ],
        batch_size=2000,
    )
    shown = Server.objects.get(name="bench0")
    records = InstanceAction.objects.bulk_create(
        [
            InstanceAction(server=shown, action="stop", request_id=f"r{i}", user_id="u", project_id="p")
            for i in range(actions)
        ]
    )
    InstanceActionEvent.objects.bulk_create(
        [InstanceActionEvent(action=action, event="compute_stop_instance", result="Success") for action in records]
    )
    return shown


def measure(client: Client, url: str, runs: int) -> tuple[float, int]:
    client.get(url)  # warm
    times, count = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        count = len(queries)
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=10000)
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        shown = seed(args.servers, args.actions)
        client = Client()
        client.force_login(AuthUser.objects.create_superuser("bench", "b@example.com", "x"))
        changelist = reverse("admin:servers_server_changelist")
        pages = {
            "server list": changelist,
            "server list, status=REBOOT": f"{changelist}?status=REBOOT",
            "server list, IP search": f"{changelist}?q=10.0.1.",
            f"server page ({args.actions} actions)": reverse("admin:servers_server_change", args=[shown.pk]),
        }
        print(f"{args.servers} servers, {args.runs} runs each (median)")
        for name, url in pages.items():
            seconds, queries = measure(client, url, args.runs)
            print(f"  {name:<34} {seconds * 1000:8.1f} ms  {queries:3d} queries")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
