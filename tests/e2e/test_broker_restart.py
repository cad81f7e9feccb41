"""Drill: the broker (Redis) restarts in the middle of a storm of boots. The workers reconnect
by themselves and none dies (an ack on the lost connection used to kill the conductor), the
API keeps answering, and every accepted boot ends ACTIVE or in a truthful ERROR, with nothing
stuck and allocations equal to servers."""

from __future__ import annotations

import time

import pytest

from novasite.demo import CIRROS_IMAGE_ID

from .outage_cloud import (
    OutageCloud,
    assert_bookkeeping,
    drill_workdir,
    settle,
    start_outage_cloud,
    stop_outage_cloud,
    storm,
)

pytestmark = [pytest.mark.e2e, pytest.mark.drill]

BOOTS = 16
OUTAGE_SECONDS = 2.0


@pytest.fixture(scope="module")
def drill_cloud():
    # Slow builds: when Redis goes, the compute workers hold unacknowledged builds, which they
    # give back as their connection closes; with kombu's own transport that is where a worker
    # died of AttributeError ('hostname').
    cloud = start_outage_cloud(drill_workdir(), compute_delays="compute.build_and_run_instance=1.5")
    yield cloud
    stop_outage_cloud(cloud)


def _restart_broker(cloud: OutageCloud, keep: bool) -> None:
    time.sleep(1.5)  # into the storm: builds are queued, running and being acked
    cloud.broker.stop(keep=keep)
    time.sleep(OUTAGE_SECONDS)
    cloud.broker.start()


def _drill(cloud: OutageCloud, keep: bool) -> None:
    api = cloud.login()
    result = storm(api, str(CIRROS_IMAGE_ID), BOOTS, during=lambda: _restart_broker(cloud, keep))
    # The API never went away and never failed: a create either was accepted, or (its token
    # check or its publish meeting the outage) refused with 503.
    assert set(result.statuses) <= {202, 503}, result.bodies
    assert result.accepted, result.bodies
    servers = settle(api, result.accepted, timeout=90, cloud=cloud)
    assert not cloud.alive(), f"processes died: {cloud.alive()}\n{cloud.workers.logs()}"
    assert_bookkeeping(cloud, servers)
    assert all(server["status"] == "ACTIVE" for server in servers.values()), [
        (sid, s["status"], s.get("fault")) for sid, s in servers.items() if s["status"] != "ACTIVE"
    ]
    # The drill happened: the workers lost their broker and found it again.
    assert "Connection to broker lost" in cloud.workers.workers["conductor"].output()
    for worker in cloud.workers.workers.values():
        assert "Unrecoverable error" not in worker.output(), cloud.workers.logs()


def test_a_broker_that_keeps_its_data_restarts_mid_storm(drill_cloud):
    """Redis saves its dataset on shutdown and loads it again: the queued messages survive,
    the ones being worked on come back through the visibility timeout."""
    _drill(drill_cloud, keep=True)


def test_a_broker_without_persistence_restarts_mid_storm(drill_cloud):
    """Redis comes back empty: every queued or unacknowledged message is gone, and only the
    database says what was accepted; beat's reconciler drives those builds again."""
    _drill(drill_cloud, keep=False)
