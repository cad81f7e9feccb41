"""Fixtures that run a real cloud: live HTTP server + Celery workers on the test database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from hosts.models import Service
from novasite.demo import seed
from tests.waiting import wait_until

from .cloud import Api, WorkerSet, flush_broker

COMPUTE_HOSTS = ("compute1", "compute2")


@pytest.fixture(scope="module")
def compute_hosts() -> dict[str, str | dict]:
    """Compute workers to run: host -> injected faults (COMPUTE_FAULTS), or a dict with keys
    faults, delays (COMPUTE_DELAYS) and libvirt_uri (default: the test driver); a test module
    may override it."""
    return dict.fromkeys(COMPUTE_HOSTS, "")


@pytest.fixture(scope="module")
def cloud_dir(tmp_path_factory) -> Path:
    """Where a module's cloud keeps its logs, images and instance disks; a module whose guests
    run on real QEMU overrides it with a directory QEMU can reach (pytest's are mode 700)."""
    return tmp_path_factory.mktemp("cloud")


@pytest.fixture(scope="module")
def worker_env() -> dict[str, str]:
    """Extra environment for every worker of a module (e.g. a short visibility timeout)."""
    return {}


@pytest.fixture(scope="module")
def workers(django_db_setup, django_db_blocker, cloud_dir, compute_hosts, worker_env):
    """Conductor, scheduler and the compute workers, for one test module."""
    workdir = cloud_dir
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    broker = django_settings.CELERY_BROKER_URL
    prefix = django_settings.CELERY_KEY_PREFIX
    flush_broker(broker, prefix)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "novasite.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": django_settings.CELERY_RESULT_BACKEND,
        "CELERY_KEY_PREFIX": prefix,
        "REPORT_INTERVAL": "1",
        "IMAGE_DIR": str(workdir / "images"),
        "INSTANCES_DIR": str(workdir / "instances"),
        "LOG_LEVEL": "INFO",
        # Unacknowledged tasks come back after 20 s rather than an hour: every task is safe
        # to run twice, and a test then never waits on a delivery that went astray.
        "CELERY_VISIBILITY_TIMEOUT": "20",
        **worker_env,
    }
    cloud = WorkerSet(workdir, env)
    cloud.start_control("conductor", "conductor", concurrency=4)
    cloud.start_control("scheduler", "scheduler", concurrency=2)
    for host, drills in compute_hosts.items():
        drills = drills if isinstance(drills, dict) else {"faults": drills}
        cloud.start_compute(host, **drills)
    yield cloud
    cloud.stop_all()
    flush_broker(broker, prefix)
    # Reports that arrived after the last test's flush must not leak into later tests.
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def cloud(workers, live_server, transactional_db, settings, request):
    """The seeded demo cloud with every compute service reporting; worker logs are printed
    when a test fails."""
    settings.IMAGE_DIR = workers.base_env["IMAGE_DIR"]
    seed("secret", "secret")
    computes = [name for name in workers.workers if name.startswith("compute")]

    def all_reporting() -> bool:
        dead = [w.name for w in workers.workers.values() if w.process.poll() is not None]
        assert not dead, f"workers died: {dead}\n{workers.logs()}"
        return Service.objects.filter(binary="nova-compute", host__in=computes).count() == len(computes)

    wait_until(all_reporting, 60, what=lambda: f"compute workers reporting\n{workers.logs()}", interval=0.2)
    yield workers
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        print(workers.logs())


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def admin(cloud, live_server) -> Api:
    return Api.login(live_server.url, "admin", "admin")


@pytest.fixture
def demo(cloud, live_server) -> Api:
    return Api.login(live_server.url, "demo", "demo")
