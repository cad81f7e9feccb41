"""Quotas are counted one way: the network and the volume service both take the project's
quota lock (core.quotas.lock_project), count their rows and check them with core.quotas.
Concurrent creates in one project never pass a limit."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from core.exceptions import OverLimit, QuotaExceeded
from core.principal import Caller
from core.quotas import lock_project
from networks.exceptions import OverQuota
from networks.models import Network, NetworkQuota
from networks.services import networks as network_services
from networks.services.arguments import NetworkFields
from servers.models import QuotaLimit
from servers.services import quotas as server_quotas
from volumes import services as volume_services
from volumes import store
from volumes.models import Volume

THREADS = 8
LIMIT = 3


def race(create: Callable[[int], object], refused: type[Exception]) -> tuple[int, int]:
    """Run ``create`` in THREADS threads released together: (successes, refusals)."""
    barrier = threading.Barrier(THREADS)
    outcomes: list[bool] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            create(index)
            outcomes.append(True)
        except refused:
            outcomes.append(False)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes.count(True), outcomes.count(False)


@pytest.mark.django_db(transaction=True)
def test_the_lock_needs_a_transaction():
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        lock_project("network", "p")
    with transaction.atomic():
        lock_project("network", "p")
        lock_project("volume", "p")  # re-entrant, and per service


@pytest.mark.django_db(transaction=True)
def test_concurrent_network_creates_never_pass_the_limit():
    NetworkQuota.objects.create(project_id="p", limits={"network": LIMIT})
    caller = Caller("u", "p")

    def create(index: int) -> object:
        return network_services.create_network(caller, NetworkFields(name=f"net{index}"))

    assert race(create, OverQuota) == (LIMIT, THREADS - LIMIT)
    assert Network.objects.filter(project_id="p").count() == LIMIT


@pytest.mark.django_db(transaction=True)
def test_concurrent_volume_creates_never_pass_the_limit(settings, tmp_path, monkeypatch):
    settings.VOLUME_DIR = str(tmp_path / "volumes")
    settings.VOLUME_QUOTA_DEFAULTS = {**settings.VOLUME_QUOTA_DEFAULTS, "volumes": LIMIT}
    monkeypatch.setattr(store, "qemu_img", lambda: None)  # sparse raw files: fast
    caller = Caller("u", "p")

    def create(index: int) -> object:
        return volume_services.create_volume(caller, "p", volume_services.NewVolume(size=1, name=f"vol{index}"))

    assert race(create, OverLimit) == (LIMIT, THREADS - LIMIT)
    assert Volume.objects.filter(project_id="p").count() == LIMIT


@pytest.mark.django_db(transaction=True)
def test_concurrent_server_reservations_never_pass_the_limit():
    """servers.services.quotas.reserve: the usage rows locked in resource order, then every
    delta added in one statement; racing reservations of several resources at once never
    pass a limit, never deadlock, and the usage ends equal to what was granted."""
    QuotaLimit.objects.create(project_id="p", resource="instances", hard_limit=LIMIT)
    QuotaLimit.objects.create(project_id="p", resource="cores", hard_limit=2 * LIMIT)

    def reserve(index: int) -> None:
        with transaction.atomic():
            server_quotas.reserve("p", {"ram": 64, "cores": 2, "instances": 1})

    assert race(reserve, QuotaExceeded) == (LIMIT, THREADS - LIMIT)
    assert server_quotas.usage_for("p") == {"instances": LIMIT, "cores": 2 * LIMIT, "ram": 64 * LIMIT}


@pytest.mark.django_db
def test_a_reservation_of_nothing_runs_nothing():
    """A resize to a smaller flavor reserves no increase: no statement (an empty IN () was a
    syntax error, a 500)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        server_quotas.reserve("p", {})
    assert [query["sql"] for query in queries.captured_queries if "quota" in query["sql"]] == []
