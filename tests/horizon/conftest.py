"""Fixtures of the Horizon test: the e2e cloud served by gunicorn (the browser tests'
``live_server``), stock Horizon from its own virtualenv (scripts/horizon.sh) pointed at that
cloud's Keystone, and the browser tests' headless Chromium (skipped, saying why, only where
Chromium is not installed)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
import requests

# The browser tests' fixtures (gunicorn, Chromium) and through them the e2e harness's, reused
# whole: importing them registers them here.
from tests.browser.conftest import chromium, live_server  # noqa: F401
from tests.browser.server import WebServer, free_port
from tests.e2e.cloud import ROOT, WorkerSet
from tests.e2e.conftest import (  # noqa: F401
    cloud,
    cloud_dir,
    compute_hosts,
    pytest_runtest_makereport,
    worker_env,
    workers,
)
from tests.waiting import wait_until

from .dashboard import Horizon

#: Making the virtualenv (first run, or after tests/horizon/requirements.txt changes): pip
#: install, collectstatic and compress.
INSTALL_TIMEOUT = 900


@pytest.fixture(scope="module")
def horizon_venv() -> str:
    """Stock Horizon's virtualenv (made once and cached outside the clone by
    scripts/horizon.sh)."""
    made = subprocess.run(
        [str(ROOT / "scripts" / "horizon.sh"), "venv"], capture_output=True, text=True, timeout=INSTALL_TIMEOUT
    )
    assert made.returncode == 0, f"scripts/horizon.sh venv failed:\n{made.stdout}\n{made.stderr}"
    return made.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def horizon_url(horizon_venv: str, workers: WorkerSet, live_server: WebServer) -> Iterator[str]:  # noqa: F811
    """Horizon served by Django's runserver from its virtualenv, its Keystone the live
    cloud's; a worker named ``horizon`` of the cloud, so its log is printed with the others'
    when a test fails."""
    port = free_port()
    argv = [str(ROOT / "scripts" / "horizon.sh"), "serve", str(port), f"{live_server.url}/identity/v3"]
    worker = workers.start("horizon", argv, {"HORIZON_CACHE": horizon_venv.rsplit("/", 1)[0]})
    url = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        assert worker.process.poll() is None, f"Horizon exited:\n{worker.output()}"
        try:
            return requests.get(f"{url}/auth/login/", timeout=5).status_code == 200
        except (requests.ConnectionError, requests.Timeout):
            return False

    wait_until(answering, 60, what=lambda: f"Horizon answering on {url}\n{worker.output()[-3000:]}", interval=0.3)
    yield url
    workers.kill("horizon")


@pytest.fixture
def dashboard(chromium, horizon_url: str, cloud, request: pytest.FixtureRequest) -> Iterator[Horizon]:  # noqa: F811
    """A fresh browser context on Horizon (log in with ``dashboard.login``); a failed test
    leaves a screenshot in artifacts/browser/."""
    context = chromium.new_context(base_url=horizon_url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    horizon = Horizon(context.new_page())
    yield horizon
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"screenshot: {horizon.screenshot(f'horizon-{request.node.name}')}")
    context.close()
