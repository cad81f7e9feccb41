"""Pinned query counts (NetBox's style): each listed endpoint runs exactly the number of SQL
queries written in tests/query_counts.json, token validation included. A page of servers
costs the same whether it holds 3 servers or 10 (no query per server), and any change to a
count fails here, so a new N+1 cannot slip in unnoticed.

When a change of count is deliberate (a new field needs one more query per page, not per
row), update the json on purpose: run this file with UPDATE_QUERY_COUNTS=1 and commit the
json with the change that explains it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hosts.heartbeats import record_compute_report, record_heartbeat
from identity.models import Project
from networks.models import Network, Port
from novasite.demo import CIRROS_IMAGE_ID
from servers.models import Server, ServerFault, ServerGroup, ServerGroupMember, VolumeAttachment
from servers.services import build_start
from workers.conductor import build

pytestmark = pytest.mark.django_db

COUNTS_FILE = Path(__file__).with_name("query_counts.json")
PINNED: dict[str, int] = json.loads(COUNTS_FILE.read_text())
LATEST = {"HTTP_OPENSTACK_API_VERSION": "compute 2.96"}
HOSTS = ("compute1", "compute2", "compute3")
FLAVOR = {"flavorid": "42", "name": "cirros", "vcpus": 1, "memory_mb": 128, "root_gb": 1, "extra_specs": {}}


def assert_pinned(endpoint: str, api, path: str, **headers) -> None:
    """GET ``path`` and compare its query count with the pinned one (or, with
    UPDATE_QUERY_COUNTS=1, write the measured count into the json)."""
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path, **headers)
    assert response.status_code == 200, response.content
    assert_count(endpoint, queries)


def assert_count(name: str, queries: CaptureQueriesContext) -> None:
    """Compare the statements ``queries`` captured with the count pinned for ``name`` (or,
    with UPDATE_QUERY_COUNTS=1, write the measured count into the json)."""
    measured = len(queries)
    if os.environ.get("UPDATE_QUERY_COUNTS") == "1":
        PINNED[name] = measured
        COUNTS_FILE.write_text(json.dumps(PINNED, indent=2, sort_keys=True) + "\n")
        return
    statements = "\n".join(f"  {query['sql'][:160]}" for query in queries.captured_queries)
    assert measured == PINNED[name], (
        f"{name} ran {measured} SQL queries; tests/query_counts.json pins {PINNED[name]}.\n"
        f"If the change is deliberate (and the count does not grow with the number of rows), run\n"
        f"  UPDATE_QUERY_COUNTS=1 .venv/bin/python -m pytest tests/test_query_counts.py\n"
        f"and commit tests/query_counts.json with the change. The queries were:\n{statements}"
    )


def add_servers(project_id: str, count: int, start: int = 0) -> None:
    """``count`` servers with everything a detailed server shows from other tables: an
    address, a volume, a server group, a host (host_status) and, for some, a fault."""
    network, _ = Network.objects.get_or_create(name="counted", project_id=project_id)
    group, _ = ServerGroup.objects.get_or_create(
        name="counted", project_id=project_id, user_id="u", defaults={"policy": "anti-affinity"}
    )
    for index in range(start, start + count):
        errored = index % 3 == 0
        server = Server.objects.create(
            name=f"vm-{index}",
            project_id=project_id,
            user_id="u",
            flavor=FLAVOR,
            host=HOSTS[index % len(HOSTS)],
            node=HOSTS[index % len(HOSTS)],
            vm_state="error" if errored else "active",
        )
        Port.objects.create(
            network=network,
            project_id=project_id,
            mac_address=f"fa:16:3e:00:00:{index:02x}",
            fixed_ips=[{"subnet_id": "s", "ip_address": f"10.0.0.{index + 10}"}],
            device_id=str(server.uuid),
            device_owner="compute:nova",
        )
        VolumeAttachment.objects.create(server=server, volume_id=f"00000000-0000-0000-0000-{index:012d}")
        ServerGroupMember.objects.create(group=group, server=server)
        if errored:
            ServerFault.objects.create(server=server, message="boom", details="trace")


@pytest.fixture
def hosts(cloud):
    for host in HOSTS:
        record_compute_report(
            host,
            {
                "vcpus": 8,
                "memory_mb": 16384,
                "disk_gb": 200,
                "hypervisor_type": "QEMU",
                "hypervisor_version": 8002000,
                "cpu_info": json.dumps({"arch": "x86_64"}),
                "host_ip": "10.0.0.1",
            },
        )
    record_heartbeat("ctl1", "nova-conductor")


def test_servers_detail_does_not_grow_with_servers(admin_api, hosts):
    admin_project = Project.objects.get(name="admin").id
    add_servers(admin_project, 3)
    assert_pinned("GET /compute/v2.1/servers/detail", admin_api, "/compute/v2.1/servers/detail", **LATEST)
    add_servers(admin_project, 7, start=3)
    assert len(admin_api.get("/compute/v2.1/servers/detail", **LATEST).json()["servers"]) == 10
    assert_pinned("GET /compute/v2.1/servers/detail", admin_api, "/compute/v2.1/servers/detail", **LATEST)


def test_flavors_detail(demo_api):
    assert_pinned("GET /compute/v2.1/flavors/detail", demo_api, "/compute/v2.1/flavors/detail", **LATEST)


def test_hypervisors_detail(admin_api, hosts):
    assert_pinned("GET /compute/v2.1/os-hypervisors/detail", admin_api, "/compute/v2.1/os-hypervisors/detail", **LATEST)


def test_servers_pages_after_a_marker(admin_api, hosts):
    """A page after a marker costs one query more than the first (the marker's row), at any
    depth; the brief list reads no more than the detailed one's first query."""
    admin_project = Project.objects.get(name="admin").id
    add_servers(admin_project, 6)
    marker = admin_api.get("/compute/v2.1/servers?limit=2", **LATEST).json()["servers"][-1]["id"]
    assert_pinned("GET /compute/v2.1/servers", admin_api, "/compute/v2.1/servers?limit=2", **LATEST)
    assert_pinned(
        "GET /compute/v2.1/servers?marker", admin_api, f"/compute/v2.1/servers?limit=2&marker={marker}", **LATEST
    )
    assert_pinned(
        "GET /compute/v2.1/servers/detail?marker",
        admin_api,
        f"/compute/v2.1/servers/detail?limit=2&marker={marker}",
        **LATEST,
    )


@pytest.fixture
def staff(client, db):
    from django.contrib.auth.models import User as AuthUser

    client.force_login(AuthUser.objects.create_superuser("operator", "op@example.com", "secret"))
    return client


@pytest.mark.parametrize(
    ("endpoint", "query"),
    [
        ("GET /admin/servers/server/", ""),
        ("GET /admin/servers/server/?q=<uuid>", "?q={uuid}"),
        ("GET /admin/servers/server/?q=<ip>", "?q=10.0.0.12"),
        ("GET /admin/servers/server/?q=<name prefix>", "?q=vm-1"),
        ("GET /admin/servers/server/?status=ERROR", "?status=ERROR"),
    ],
)
def test_admin_server_changelist_and_searches(staff, hosts, endpoint, query):
    """The changelist, its searches and filters: a fixed number of queries (no COUNT of the
    whole table beside the page's, no SELECT DISTINCT for a filter's choices)."""
    add_servers(Project.objects.get(name="admin").id, 4)
    first = Server.objects.order_by("id").first()
    assert first is not None
    assert_pinned(endpoint, staff, "/admin/servers/server/" + query.format(uuid=first.uuid))


def test_admin_dashboard(staff, hosts):
    add_servers(Project.objects.get(name="admin").id, 4)
    assert_pinned("GET /admin/", staff, "/admin/")


def test_network_pages_cost_the_same_at_any_depth(admin_api):
    """GET /network/v2.0/networks?limit=2: the first page, and a page after a marker deep in
    the list (one query more: the marker's row), pinned for 12 networks."""
    project = Project.objects.get(name="admin").id
    for index in range(12):
        Network.objects.create(name=f"net-{index:02d}", project_id=project)
    listed = admin_api.get("/network/v2.0/networks").json()["networks"]
    assert_pinned("GET /network/v2.0/networks?limit", admin_api, "/network/v2.0/networks?limit=2")
    deep = listed[-3]["id"]
    assert_pinned("GET /network/v2.0/networks?limit&marker", admin_api, f"/network/v2.0/networks?limit=2&marker={deep}")


def test_a_plain_boots_conductor_tasks(demo_api, hosts, django_capture_on_commit_callbacks):
    """One server on one network, no volumes: what conductor.schedule_and_build_instances
    (decide, claim, ports, cast) and conductor.build_finished (ACTIVE) cost, savepoints and
    what runs on commit included. The second boot is pinned: the first makes the project's
    default security group."""
    network = demo_api.get("/network/v2.0/networks", {"name": "provider"}).json()["networks"][0]["id"]
    body = {
        "server": {"name": "vm", "imageRef": str(CIRROS_IMAGE_ID), "flavorRef": "42", "networks": [{"uuid": network}]}
    }
    for _ in range(2):
        with (
            mock.patch.object(build_start, "publish_build") as publish,
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert demo_api.post("/compute/v2.1/servers", body, format="json").status_code == 202
        spec, request_id = publish.call_args.args[:2]
        with (
            mock.patch.object(build, "compute_then") as compute_then,
            CaptureQueriesContext(connection) as scheduled,
            django_capture_on_commit_callbacks(execute=True),
        ):
            build.schedule_and_build_instances(spec.to_dict(), request_id)
        cast = compute_then.call_args.kwargs
        with CaptureQueriesContext(connection) as finished:
            build.build_finished(
                {"ok": True, "power_state": 1}, cast["server_uuid"], request_id, cast["host"], [], 1, volumes=False
            )
        assert Server.objects.get(uuid=cast["server_uuid"]).vm_state == "active"
    assert_count("conductor.schedule_and_build_instances", scheduled)
    assert_count("conductor.build_finished", finished)
