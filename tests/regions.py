"""A second control plane for the tests (ARCHITECTURE.md, "Regions"): RegionTwo as
`make run REGIONS=2` starts it (gunicorn, conductor, scheduler, its own compute hosts), on a
database and a broker key prefix of its own, trusting the identity service at ``identity_url``
(the test's RegionOne); and a gunicorn serving RegionOne itself from the test database, for
the tests that need the in-process app to play RegionTwo."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
import requests

from novasite.broker import is_amqp
from scripts.createdb import create_database, drop_database
from tests.browser.server import free_port
from tests.e2e.cloud import ROOT, Api, WorkerSet, flush_broker
from tests.waiting import wait_until

REGION = "RegionTwo"


def database_url(settings_dict: Mapping[str, Any], name: str | None = None) -> str:
    """The postgres:// URL of a Django database's settings (another database name if given)."""
    db = settings_dict
    host, port, user = db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["USER"] or "postgres"
    return f"postgres://{user}@{host}:{port}/{name or db['NAME']}"


def start_web(cloud: WorkerSet, name: str, env: dict[str, str] | None = None, probe: str = "/compute") -> str:
    """gunicorn serving the app (one process, threads) as worker ``name`` of ``cloud``; its URL
    once ``probe`` answers."""
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "novasite.wsgi", "--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", "1", "--threads", "4", "--graceful-timeout", "2", "--access-logfile", "-"]
    worker = cloud.start(name, argv, env)
    url = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        assert worker.process.poll() is None, f"gunicorn exited:\n{worker.output()}"
        try:
            return requests.get(url + probe, timeout=5).status_code < 500
        except (requests.ConnectionError, requests.Timeout):
            return False

    wait_until(answering, 30, what=lambda: f"{name} answering on {url}\n{worker.output()}", interval=0.2)
    return url


@dataclass
class RegionTwo:
    """A running RegionTwo: its URL, its processes, its environment."""

    url: str
    cloud: WorkerSet
    env: dict[str, str]

    def stop(self) -> None:
        """Stop every process of the region, as `make stop` would."""
        self.cloud.stop_all()

    def remove(self) -> None:
        """Stop it, and drop its database and its broker keys."""
        self.stop()
        flush_broker(self.env["CELERY_BROKER_URL"], self.env["CELERY_KEY_PREFIX"])
        drop_database(self.env["DATABASE_URL"])


def region_two_env(base_env: dict[str, str], workdir: Path, identity_url: str, database: str) -> dict[str, str]:
    """RegionTwo's environment on top of RegionOne's workers': its region, database, broker
    prefix, directories, and the shared identity service."""
    prefix = base_env.get("CELERY_KEY_PREFIX", "") + "r2."
    return {
        **base_env,
        "REGION_NAME": REGION,
        "IDENTITY_URL": identity_url,
        "DATABASE_URL": database,
        "CELERY_KEY_PREFIX": prefix,
        "IMAGE_DIR": str(workdir / "images"),
        "INSTANCES_DIR": str(workdir / "instances"),
        "VOLUME_DIR": str(workdir / "volumes"),
        "IDENTITY_CONNECT_TIMEOUT": "1",
        "IDENTITY_READ_TIMEOUT": "3",
    }


def manage(env: dict[str, str], *args: str) -> None:
    """``manage.py ARGS`` in ``env``; fails the test with its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


def start_region_two(base_env: dict[str, str], workdir: Path, identity_url: str, hosts: tuple[str, ...]) -> RegionTwo:
    """RegionTwo on a fresh database: migrated, registered at ``identity_url`` and seeded
    (``manage.py seed_demo``), then its API, conductor, scheduler and compute ``hosts``;
    returned once every host reports."""
    if is_amqp(base_env["CELERY_BROKER_URL"]):
        # A key prefix separates two clouds on one Redis only; on RabbitMQ each needs a vhost.
        pytest.skip("RegionTwo needs a broker of its own: a Redis key prefix (TEST_BROKER_URL is RabbitMQ)")
    first = dj_database_url.parse(base_env["DATABASE_URL"])
    database = database_url(first, f"{first['NAME']}_r2")
    drop_database(database)
    create_database(database)
    workdir.mkdir(parents=True, exist_ok=True)
    env = region_two_env(base_env, workdir, identity_url, database)
    flush_broker(env["CELERY_BROKER_URL"], env["CELERY_KEY_PREFIX"])
    cloud = WorkerSet(workdir, env)
    port = free_port()
    env["PUBLIC_ENDPOINT"] = f"http://127.0.0.1:{port}"
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")
    argv = [sys.executable, "-m", "gunicorn", "novasite.wsgi", "--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", "1", "--threads", "4", "--graceful-timeout", "2", "--access-logfile", "-"]
    cloud.start("r2-web", argv)
    cloud.start_control("r2-conductor", "conductor", concurrency=2)
    cloud.start_control("r2-scheduler", "scheduler", concurrency=1)
    for host in hosts:
        cloud.start_compute(host)
    region = RegionTwo(env["PUBLIC_ENDPOINT"], cloud, env)
    wait_until(
        lambda: _reporting(region.url, identity_url, hosts),
        60,
        what=lambda: f"RegionTwo's hosts reporting\n{cloud.logs()}",
    )
    return region


def _reporting(url: str, identity_url: str, hosts: tuple[str, ...]) -> bool:
    """Whether every host is an up nova-compute service of RegionTwo's API."""
    admin = Api.login(identity_url.removesuffix("/identity/v3"), "admin", "admin")
    try:
        response = Api(url, str(admin.session.headers["X-Auth-Token"])).get(
            "/compute/v2.1/os-services?binary=nova-compute"
        )
    except requests.ConnectionError:  # gunicorn still starting
        return False
    if response.status_code != 200:
        return False
    up = {row["host"] for row in response.json()["services"] if row["state"] == "up"}
    return up >= set(hosts)
