"""Fixtures of the browser tests: the e2e cloud (tests/e2e/conftest.py: real Celery workers on
the test database), served by gunicorn as in production instead of pytest-django's in-process
server, and one headless Chromium (Debian's, driven by Playwright) for the module."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.db import connections
from django.test.utils import modify_settings
from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.cloud import WorkerSet

# The e2e harness, reused whole: its fixtures (and the hook that prints the workers' logs
# when a test fails) are registered here by importing them.
from tests.e2e.conftest import (  # noqa: F401
    admin,
    cloud,
    cloud_dir,
    compute_hosts,
    demo,
    pytest_runtest_makereport,
    worker_env,
    workers,
)

from .console import Console
from .server import WebServer, collect_static, start_gunicorn

#: Debian's chromium package; `make test` installs it when missing (scripts/chromium.sh).
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def live_server(workers: WorkerSet) -> Iterator[WebServer]:  # noqa: F811 (the e2e fixture, imported above)
    """The app served by gunicorn with DEBUG off, after collectstatic, as `make run` does.
    pytest-django's live_server serves static files itself (StaticFilesHandler) whatever the
    app does, which would hide an admin without styling: this one does not."""
    collect_static(workers)
    server = start_gunicorn(workers, modify_settings(ALLOWED_HOSTS={"append": "127.0.0.1"}))
    yield server
    workers.kill("web")


@pytest.fixture(scope="module", autouse=True)
def chromium() -> Iterator[Browser]:
    """One headless Chromium for the module, started before the cloud (autouse) so that a
    skip costs nothing. Skips, saying why, only where Chromium is not installed (and could
    not be: scripts/chromium.sh needs root and apt-get) or cannot start."""
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"{CHROMIUM} is missing: `make test` installs it (scripts/chromium.sh, needs root and apt-get)"
        print(reason)
        pytest.skip(reason)
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps its asyncio loop running in this thread between calls;
        # Django would take every ORM call made here meanwhile (the fixtures' seeding, flush)
        # for one made from async code, which none is.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            except PlaywrightError as error:
                reason = f"{CHROMIUM} cannot be launched: {error}"
                print(reason)
                pytest.skip(reason)
            yield browser
            browser.close()
            # Inside sync_playwright() Django's connections live in another context than
            # outside it (Playwright switches contexts): close those opened in here, or the
            # test database could not be dropped at the end of the session.
            connections.close_all()


@pytest.fixture
def console(chromium: Browser, live_server: WebServer, request: pytest.FixtureRequest) -> Iterator[Console]:
    """A fresh browser context (no cookies) on the live server; a failed test leaves a
    screenshot of where it stood in artifacts/browser/."""
    context = chromium.new_context(
        base_url=live_server.url, color_scheme="light", viewport={"width": 1400, "height": 900}
    )
    context.set_default_timeout(15_000)
    operator = Console(context.new_page())
    yield operator
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"screenshot: {operator.screenshot(f'failed-{request.node.name}')}")
    context.close()
