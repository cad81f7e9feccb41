"""The web process as production runs it, for the browser tests: gunicorn serving
``novasite.wsgi`` under production's settings (``web_settings``: DEBUG off, static files
collected and served by the app itself), on the test database, beside the e2e cloud's workers."""

from __future__ import annotations

import socket
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import requests

from tests.e2e.cloud import ROOT, Worker, WorkerSet
from tests.waiting import wait_until


def web_env(cloud: WorkerSet) -> dict[str, str]:
    """What the web process (and its collectstatic) gets on top of the workers' environment:
    production's DEBUG, production's settings but for the password hasher (web_settings.py
    says why), and a STATIC_ROOT of the module's own rather than the checkout's var/static."""
    return {
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "tests.browser.web_settings",
        "STATIC_ROOT": str(cloud.workdir / "static"),
    }


@dataclass
class WebServer:
    """Where the browser and the API clients find the app (``url``, as pytest-django's
    live_server has it)."""

    url: str
    worker: Worker
    #: pytest-django's own live_server helper enables and disables this around each test
    #: that asks for ``live_server``; the web process has its settings from its environment.
    _live_server_modified_settings: Any


def free_port() -> int:
    """A TCP port nothing listens on now (the OS's choice), so parallel runs never collide."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def collect_static(cloud: WorkerSet) -> None:
    """``manage.py collectstatic``, as ``make run`` does before it starts gunicorn."""
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**cloud.base_env, **web_env(cloud)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"collectstatic failed:\n{done.stdout}\n{done.stderr}"


def start_gunicorn(cloud: WorkerSet, settings_override: Any) -> WebServer:
    """Start gunicorn (one worker process with threads, as the Procfile's web line but
    smaller) as a worker named ``web`` of ``cloud``, and wait until it answers."""
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "novasite.wsgi", "--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", "1", "--threads", "4", "--graceful-timeout", "5", "--access-logfile", "-"]
    worker = cloud.start("web", argv, web_env(cloud))
    url = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        assert worker.process.poll() is None, f"gunicorn exited:\n{worker.output()}"
        try:
            return requests.get(f"{url}/identity/v3", timeout=5).status_code == 200
        except (requests.ConnectionError, requests.Timeout):  # not listening, or still importing
            return False

    wait_until(answering, 30, what=lambda: f"gunicorn answering on {url}\n{worker.output()}", interval=0.2)
    return WebServer(url, worker, settings_override)
