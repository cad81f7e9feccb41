"""Drill: PostgreSQL stops in the middle of a storm of boots and starts again some seconds
later. While it is down the API answers 503 in each service's error format, never 500; the
conductor and scheduler tasks that met the outage run again once it is back; every accepted
boot ends ACTIVE or in a truthful ERROR, nothing is stuck, allocations equal servers, and no
process was restarted."""

from __future__ import annotations

import time

import pytest
import requests

from novasite.demo import CIRROS_IMAGE_ID

from .outage_cloud import (
    OutageCloud,
    assert_bookkeeping,
    create_body,
    drill_workdir,
    settle,
    start_outage_cloud,
    stop_outage_cloud,
    storm,
)

pytestmark = [pytest.mark.e2e, pytest.mark.drill]

BOOTS = 16
OUTAGE_SECONDS = 6.0

#: One request per service, and the part of its 503 body that names its format. Each asks
#: what only the database knows: the token itself may be answered from the API's cache
#: (identity/token_cache.py), so a request that is wrong on its face (a volume URL naming
#: another project) gets its 400 without the database.
WHILE_DOWN = {
    "/compute/v2.1/servers": lambda body: body["serviceUnavailable"]["code"] == 503,
    "/identity/v3/projects": lambda body: body["error"]["title"] == "Service Unavailable",
    "/image/v2/images": lambda body: body["title"] == "Service Unavailable",
    "/network/v2.0/networks": lambda body: body["NeutronError"]["type"] == "HTTPServiceUnavailable",
    "/volume/v3/{project}/volumes": lambda body: body["serviceUnavailable"]["code"] == 503,
}


@pytest.fixture(scope="module")
def drill_cloud():
    # Tasks wait out the outage (novasite/outages.py); the drill's outage is well within that.
    cloud = start_outage_cloud(drill_workdir(), env={"DATABASE_RETRY_SECONDS": "60"})
    yield cloud
    stop_outage_cloud(cloud)


def test_the_database_restarts_mid_storm(drill_cloud: OutageCloud):
    cloud = drill_cloud
    api = cloud.login()
    token = api.session.headers["X-Auth-Token"]
    shown = api.get("/identity/v3/auth/tokens", headers={"X-Subject-Token": token})
    project = shown.json()["token"]["project"]["id"]
    answers: dict[str, tuple[int, dict]] = {}

    def outage() -> None:
        time.sleep(2.0)  # into the storm: builds are being scheduled, dispatched, finished
        cloud.postgres.stop()
        down_since = time.monotonic()
        for path, _ in WHILE_DOWN.items():
            # Asked for JSON, as Tempest asks (Glance's webob answers */* with an HTML page).
            url = api.base + path.format(project=project)
            response = api.session.get(url, headers={"Accept": "application/json"}, timeout=30)
            answers[path] = (response.status_code, response.json())
        created = api.session.post(
            api.base + "/compute/v2.1/servers",
            json=create_body("while-down", str(CIRROS_IMAGE_ID)),
            headers={"OpenStack-API-Version": "compute 2.37"},
            timeout=30,
        )
        answers["POST /compute/v2.1/servers"] = (created.status_code, created.json())
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_since)))
        cloud.postgres.start()

    result = storm(api, str(CIRROS_IMAGE_ID), BOOTS, during=outage, spread=5.0)

    # While the database was down: 503 in each service's own format, never a 500.
    for path, check in WHILE_DOWN.items():
        status, body = answers[path]
        assert status == 503 and check(body), (path, status, body)
    status, body = answers["POST /compute/v2.1/servers"]
    assert status == 503 and body["serviceUnavailable"]["code"] == 503, body
    assert set(result.statuses) <= {202, 503}, result.bodies
    assert result.accepted, result.bodies

    # It recovers by itself: the API answers again, every accepted boot finishes.
    assert requests.get(api.base + "/compute/v2.1/servers", headers=api.session.headers, timeout=30).ok
    servers = settle(api, result.accepted, timeout=120, cloud=cloud)
    assert not cloud.alive(), f"processes died: {cloud.alive()}\n{cloud.workers.logs()}"
    assert_bookkeeping(cloud, servers)
    assert all(server["status"] == "ACTIVE" for server in servers.values()), [
        (sid, s["status"], s.get("fault")) for sid, s in servers.items() if s["status"] != "ACTIVE"
    ]
    # The drill happened: tasks met the outage and ran again.
    logs = cloud.workers.workers["conductor"].output() + cloud.workers.workers["scheduler"].output()
    assert "met the database down" in logs
