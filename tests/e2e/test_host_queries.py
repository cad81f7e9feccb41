"""The API asks a live compute host: diagnostics in both forms and the console log of a
test-driver guest (which has none: 404, as Nova answers for a guest without a console)."""

from __future__ import annotations

import pytest

from .helpers import act, boot_active

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def compute_hosts():
    return {"compute1": ""}


def test_diagnostics_come_from_the_host(admin):
    server = boot_active(admin)
    sid = server["id"]
    standard = admin.get(f"/compute/v2.1/servers/{sid}/diagnostics", headers={"OpenStack-API-Version": "compute 2.48"})
    assert standard.status_code == 200, standard.text
    body = standard.json()
    assert body["state"] == "running" and body["driver"] == "libvirt" and body["num_cpus"] == 1
    assert body["memory_details"]["maximum"] == 128 and body["config_drive"] is False
    assert isinstance(body["uptime"], int)
    legacy = admin.get(f"/compute/v2.1/servers/{sid}/diagnostics")
    assert legacy.status_code == 200 and legacy.json()["memory"] == 128 * 1024 and "cpu0_time" in legacy.json()


def test_a_test_guest_has_no_console(admin):
    sid = boot_active(admin, name="vm2")["id"]
    response = act(admin, sid, {"os-getConsoleOutput": {"length": 3}}, expect=404)
    assert response.json()["itemNotFound"]["message"] == "Guest does not have a console available."
