"""os-hosts over HTTP, the deprecated API Nova 34 still serves below 2.43: the enabled services'
hosts with their topic and zone, a compute host's resource rows per project, the update that
answers the status and refuses maintenance mode (501), the power actions the libvirt driver
cannot do (501), policy, 404s, and 404 for all of it from 2.43."""

from __future__ import annotations

import pytest

from hosts.heartbeats import record_compute_report, record_heartbeat
from hosts.models import Service
from servers.models import Server

pytestmark = pytest.mark.django_db
HOSTS = "/compute/v2.1/os-hosts"


def mv(version: str) -> dict:
    return {"HTTP_OPENSTACK_API_VERSION": f"compute {version}"}


@pytest.fixture
def hosts(cloud):
    """compute1 (zone nova) and compute3 (zone az2) report; ctl1 runs the control services."""
    for host in ("compute1", "compute3"):
        record_compute_report(host, {"vcpus": 8, "memory_mb": 16384, "disk_gb": 200})
    record_heartbeat("ctl1", "nova-conductor")
    record_heartbeat("ctl1", "nova-scheduler")


def server_on(host: str, project: str, vcpus: int, ram: int, root: int, ephemeral: int = 0) -> Server:
    flavor = {"flavorid": "x", "vcpus": vcpus, "memory_mb": ram, "root_gb": root, "ephemeral_gb": ephemeral}
    return Server.objects.create(
        name="vm", project_id=project, user_id="u", host=host, flavor=flavor, vm_state="active"
    )


def test_list_hosts_with_service_and_zone(admin_api, hosts):
    listed = admin_api.get(HOSTS).json()["hosts"]
    assert {(h["host_name"], h["service"], h["zone"]) for h in listed} == {
        ("compute1", "compute", "nova"),
        ("compute3", "compute", "az2"),
        ("ctl1", "conductor", "internal"),
        ("ctl1", "scheduler", "internal"),
    }
    assert all(set(h) == {"host_name", "service", "zone"} for h in listed)
    in_az2 = admin_api.get(HOSTS, {"zone": "az2"}).json()["hosts"]
    assert in_az2 == [{"host_name": "compute3", "service": "compute", "zone": "az2"}]
    assert len(admin_api.get(HOSTS, {"zone": ""}).json()["hosts"]) == len(listed)
    assert admin_api.get(HOSTS, {"zone": "xxx"}).json()["hosts"] == []
    Service.objects.filter(host="compute3").update(disabled=True)
    assert "compute3" not in {h["host_name"] for h in admin_api.get(HOSTS).json()["hosts"]}


def test_show_host_resources_per_project(admin_api, hosts):
    server_on("compute1", "p1", 2, 512, 10, 5)
    server_on("compute1", "p1", 1, 256, 1)
    server_on("compute1", "p2", 4, 1024, 20)
    gone = server_on("compute1", "p3", 8, 8192, 80)
    gone.deleted = True
    gone.save()
    rows = [row["resource"] for row in admin_api.get(f"{HOSTS}/compute1").json()["host"]]
    assert rows == [
        {"host": "compute1", "project": "(total)", "cpu": 8, "memory_mb": 16384, "disk_gb": 200},
        {"host": "compute1", "project": "(used_now)", "cpu": 0, "memory_mb": 0, "disk_gb": 0},
        {"host": "compute1", "project": "(used_max)", "cpu": 7, "memory_mb": 1792, "disk_gb": 36},
        {"host": "compute1", "project": "p1", "cpu": 3, "memory_mb": 768, "disk_gb": 16},
        {"host": "compute1", "project": "p2", "cpu": 4, "memory_mb": 1024, "disk_gb": 20},
    ]
    for host in ("nonexistent_hostname", "ctl1"):
        missing = admin_api.get(f"{HOSTS}/{host}")
        assert missing.status_code == 404 and "itemNotFound" in missing.json()


def test_update_answers_the_status_and_refuses_maintenance(admin_api, hosts):
    enabled = admin_api.put(f"{HOSTS}/compute1", {"status": "enable"}, format="json")
    assert enabled.status_code == 200 and enabled.json() == {"host": "compute1", "status": "enabled"}
    disabled = admin_api.put(f"{HOSTS}/compute1", {"status": "DISABLE"}, format="json")
    assert disabled.json() == {"host": "compute1", "status": "disabled"}
    assert (
        Service.objects.get(host="compute1", binary="nova-compute").disabled is False
    )  # as Nova: os-services does that
    for body in ({"maintenance_mode": "enable"}, {"status": "enable", "maintenance_mode": "disable"}):
        refused = admin_api.put(f"{HOSTS}/compute1", body, format="json")
        assert refused.status_code == 501, refused.content
        assert refused.json() == {
            "notImplemented": {"code": 501, "message": "The requested functionality is not supported."}
        }
    missing = admin_api.put(
        f"{HOSTS}/nonexistent_hostname", {"status": "enable", "maintenance_mode": "enable"}, format="json"
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"status": None, "maintenance_mode": None},  # what Tempest's client sends without arguments
        {},
        {"status": "invalid", "maintenance_mode": "enable"},
        {"status": "enable", "maintenance_mode": "invalid"},
        {"status": "enabled"},
        {"status": True},
        {"status": "enable", "other": 1},
        [],
    ],
)
def test_update_bad_bodies_are_400(admin_api, hosts, body):
    response = admin_api.put(f"{HOSTS}/compute1", body, format="json")
    assert response.status_code == 400, response.content
    assert "badRequest" in response.json()


@pytest.mark.parametrize("action", ["startup", "shutdown", "reboot"])
def test_power_actions_are_not_supported_by_the_driver(admin_api, demo_api, hosts, action):
    refused = admin_api.get(f"{HOSTS}/compute1/{action}")
    assert refused.status_code == 501 and "notImplemented" in refused.json()
    assert admin_api.get(f"{HOSTS}/nonexistent_hostname/{action}").status_code == 404
    rule = {"startup": "start"}.get(action, action)
    forbidden = demo_api.get(f"{HOSTS}/compute1/{action}")
    assert forbidden.status_code == 403
    assert (
        forbidden.json()["forbidden"]["message"]
        == f"Policy doesn't allow os_compute_api:os-hosts:{rule} to be performed."
    )


def test_members_are_forbidden(demo_api, hosts):
    for response, rule in (
        (demo_api.get(HOSTS), "list"),
        (demo_api.get(f"{HOSTS}/compute1"), "show"),
        (
            demo_api.put(f"{HOSTS}/compute1", {"status": "enable", "maintenance_mode": "enable"}, format="json"),
            "update",
        ),
    ):
        assert response.status_code == 403
        assert (
            response.json()["forbidden"]["message"]
            == f"Policy doesn't allow os_compute_api:os-hosts:{rule} to be performed."
        )


def test_gone_from_2_43(admin_api, hosts):
    assert admin_api.get(HOSTS, **mv("2.42")).status_code == 200
    for response in (
        admin_api.get(HOSTS, **mv("2.43")),
        admin_api.get(f"{HOSTS}/compute1", **mv("2.43")),
        admin_api.put(f"{HOSTS}/compute1", {"status": "enable"}, format="json", **mv("2.43")),
        admin_api.get(f"{HOSTS}/compute1/reboot", **mv("latest")),
    ):
        assert response.status_code == 404 and "itemNotFound" in response.json()
        assert response["OpenStack-API-Version"].startswith("compute 2.")
