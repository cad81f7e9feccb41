"""Diagnostics and os-getConsoleOutput at the API, without workers: policy, a server without a
host, a host that is down, and bad arguments. (The answers of a live host: tests/e2e/test_host_queries.py.)"""

from __future__ import annotations

import pytest

from servers.models import Server

from .servers_helpers import demo_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(demo_api):
    return demo_server(host="c-gone", node=None)  # no heartbeat: down


def console(api, server, body):
    return api.post(f"/compute/v2.1/servers/{server.uuid}/action", {"os-getConsoleOutput": body}, format="json")


def test_diagnostics_are_for_admins(demo_api, server):
    response = demo_api.get(f"/compute/v2.1/servers/{server.uuid}/diagnostics")
    assert response.status_code == 403


def test_a_server_without_a_host_is_not_ready(admin_api, demo_api, server):
    Server.objects.filter(pk=server.pk).update(host=None)
    response = admin_api.get(f"/compute/v2.1/servers/{server.uuid}/diagnostics")
    assert response.status_code == 409
    assert response.json()["conflictingRequest"]["message"] == f"Instance {server.uuid} is not ready"
    assert console(demo_api, server, {}).status_code == 409


def test_a_down_host_is_503(admin_api, demo_api, server):
    response = admin_api.get(f"/compute/v2.1/servers/{server.uuid}/diagnostics")
    assert response.status_code == 503
    assert response.json()["serviceUnavailable"]["message"] == "Service is unavailable at this time."
    assert console(demo_api, server, {"length": 3}).status_code == 503


def test_bad_console_arguments_and_unknown_servers(demo_api, server):
    assert console(demo_api, server, {"length": "x"}).status_code == 400
    assert console(demo_api, server, {"length": -2}).status_code == 400
    assert console(demo_api, server, {"lines": 3}).status_code == 400
    missing = demo_api.post("/compute/v2.1/servers/999/action", {"os-getConsoleOutput": {}}, format="json")
    assert missing.status_code == 404
