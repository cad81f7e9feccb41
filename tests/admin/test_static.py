"""The admin's static files under gunicorn, as `make run` serves them: collectstatic fills
STATIC_ROOT and WhiteNoise answers from it, with DEBUG off."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

BASE_CSS = "/static/admin/css/base.css"
PORT = 8101  # this suite's own port (make run has 8000)


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn novasite.wsgi with the production settings (DEBUG off), after collectstatic
    into a STATIC_ROOT of its own; its base URL."""
    root = tmp_path_factory.mktemp("static")
    base = Path(settings.BASE_DIR)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "novasite.settings",
        "DEBUG": "false",
        "STATIC_ROOT": str(root),
        "DATABASE_URL": f"sqlite:///{root / 'unused.sqlite3'}",  # static files need no database
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=base, env=env, check=True
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "novasite.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", "2"],
        cwd=base,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{PORT}"
    try:
        wait_until_up(server, url)
        yield url
    finally:
        server.send_signal(signal.SIGINT)  # quick shutdown (TERM waits for the workers)
        server.wait(timeout=10)


def wait_until_up(server: subprocess.Popen[bytes], url: str) -> None:
    """Until gunicorn answers anything at all (up to 20 s); its log when it dies first."""
    deadline = time.monotonic() + 20
    while True:
        try:
            get(url + BASE_CSS)  # any answer, even a 404: the test says which
            return
        except OSError:
            if server.poll() is not None:
                assert server.stderr is not None
                pytest.fail(f"gunicorn exited: {server.stderr.read().decode()}")
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not answer within 20 s")
            time.sleep(0.2)


def test_gunicorn_serves_the_admin_css(gunicorn):
    status, content_type, body = get(gunicorn + BASE_CSS)
    assert status == 200
    assert content_type.startswith("text/css")
    shipped = Path(apps.get_app_config("admin").path) / "static/admin/css/base.css"
    assert body == shipped.read_bytes()


def test_gunicorn_answers_404_for_a_missing_static_file(gunicorn):
    assert get(gunicorn + "/static/admin/css/no-such-file.css")[0] == 404


def test_the_login_page_under_gunicorn_links_the_css(gunicorn):
    status, _, body = get(gunicorn + "/admin/login/")
    assert status == 200
    assert f'href="{BASE_CSS}"'.encode() in body


def test_the_test_client_finds_static_files_without_collectstatic(client):
    """The suite serves them from the apps' folders (test_settings), as runserver would."""
    response = client.get(BASE_CSS)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
