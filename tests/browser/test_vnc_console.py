"""A real guest's screen in real Chromium, the whole way as an operator gets it: the API
(POST /servers/{id}/remote-consoles, and `openstack console url show --novnc`) asks the
compute host for the guest's VNC port and stores a console token; the console proxy
(manage.py novncproxy, websockify) serves Debian's noVNC, checks the token against the
database and relays to the guest's VNC server on the real QEMU daemon.

The guest is the project's image (scripts/guest-image.sh), whose kernel writes to the VGA
console too, so the canvas shows its boot text."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import libvirt
import pytest
import requests
from django.db import connection
from playwright.sync_api import Browser

from consoles.models import ConsoleAuthToken
from tests.acceptance.helpers import OPENSTACK, openrc
from tests.e2e.cloud import ROOT, Api, Worker, WorkerSet
from tests.e2e.helpers import boot
from tests.qemu_hosts import QEMU_TCP_URI
from tests.waiting import wait_until

from .server import WebServer, free_port

pytestmark = pytest.mark.qemu(QEMU_TCP_URI)

V26 = {"OpenStack-API-Version": "compute 2.6"}
NOVNC_DIR = "/usr/share/novnc"
# TCG boots the guest's kernel in a few seconds; the first build also copies the image.
BOOT_TIMEOUT = 120
#: noVNC's status when the proxy closes the WebSocket before any VNC traffic.
REFUSED = "Something went wrong, connection is closed"


@pytest.fixture(scope="module")
def proxy_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def compute_hosts() -> dict[str, str | dict]:
    """No test-driver hosts: the one compute host (qemu_compute) drives the real daemon."""
    return {}


@pytest.fixture(scope="module")
def worker_env(proxy_port: int) -> dict[str, str]:
    """Console URLs (made by the web process) point at this module's proxy."""
    return {"NOVNCPROXY_BASE_URL": f"http://127.0.0.1:{proxy_port}/vnc_lite.html"}


@pytest.fixture(scope="module")
def guest_image() -> Iterator[str]:
    """The project's guest image, seeded as the cirros image (as make run LIBVIRT=qemu does)."""
    done = subprocess.run([str(ROOT / "scripts" / "guest-image.sh")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    path = done.stdout.strip().splitlines()[-1]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GUEST_IMAGE", path)
        yield path


@pytest.fixture(scope="module")
def qemu_compute(workers: WorkerSet, guest_image: str) -> Iterator[Worker]:
    """compute1 on the real QEMU daemon. QEMU runs as libvirt-qemu and must reach the guest's
    disk and its backing image (in the cloud's IMAGE_DIR), so the module's temporary
    directories are made traversable (pytest makes them mode 700)."""
    workdir = Path(workers.workdir).resolve()
    temp = Path(tempfile.gettempdir()).resolve()
    for directory in (workdir, *workdir.parents):
        if directory == temp:
            break
        directory.chmod(0o755)
    instances = tempfile.mkdtemp(prefix="novasite-console-")
    os.chmod(instances, 0o755)
    argv = [sys.executable, "manage.py", "compute_worker", "--host", "compute1", "--libvirt-uri", QEMU_TCP_URI]
    argv += ["--vcpus", "2", "--memory-mb", "2048", "--disk-gb", "20", "--instances-dir", instances]
    worker = workers.start("compute1", argv, {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"})
    yield worker
    workers.kill("compute1")
    _destroy_guests_in(instances)


def _destroy_guests_in(instances: str) -> None:
    """Destroy and undefine every guest on the shared daemon whose disk is under
    ``instances`` (ours only: other domains are left alone)."""
    conn = libvirt.open(QEMU_TCP_URI)
    try:
        for dom in conn.listAllDomains():
            try:
                if instances in dom.XMLDesc(0):
                    if dom.isActive():
                        dom.destroy()
                    dom.undefine()
            except libvirt.libvirtError:
                continue  # another run's domain, gone meanwhile
    finally:
        conn.close()


@pytest.fixture(scope="module")
def novncproxy(workers: WorkerSet, proxy_port: int) -> Worker:
    """manage.py novncproxy on the test database, as the Procfile runs it."""
    assert os.path.isfile(f"{NOVNC_DIR}/vnc_lite.html"), "Debian's novnc is missing: run scripts/install.sh"
    argv = [sys.executable, "manage.py", "novncproxy", "--host", "127.0.0.1", "--port", str(proxy_port)]
    worker = workers.start("novncproxy", argv)
    url = f"http://127.0.0.1:{proxy_port}/vnc_lite.html"

    def serving() -> bool:
        assert worker.process.poll() is None, f"novncproxy exited:\n{worker.output()}"
        try:
            return requests.get(url, timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    wait_until(serving, 30, what=lambda: f"novncproxy serving {url}\n{worker.output()}", interval=0.2)
    return worker


@pytest.fixture
def guest(qemu_compute: Worker, novncproxy: Worker, cloud: WorkerSet, live_server: WebServer) -> Iterator[str]:
    """An ACTIVE server running on the real daemon; deleted afterwards."""
    # The daemon is shared with other test runs whose guests are named instance-<id> too.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('servers_server', 'id'), %s)", [random.randint(2**20, 2**28)]
        )
    demo = Api.login(live_server.url, "demo", "demo")
    server_id = boot(demo, "console-vm", flavor="42")  # no NIC: "networks": []
    server = demo.wait_until_settled(server_id, timeout=BOOT_TIMEOUT)
    assert server["status"] == "ACTIVE", f"{server}\n{cloud.logs()}"
    yield server_id
    assert demo.delete(f"/compute/v2.1/servers/{server_id}").status_code == 204
    demo.wait_until_gone(server_id, timeout=60)


def see_the_screen(browser: Browser, url: str) -> tuple[str, int]:
    """Open ``url`` in a fresh page; once noVNC says it is connected and the guest has drawn
    something, return the status text and how many of the canvas's pixels are not black."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("document.getElementById('status').textContent.startsWith('Connected')", timeout=30_000)
        lit = """() => {
            const canvas = document.querySelector('#screen canvas');
            if (!canvas || !canvas.width) return 0;
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let lit = 0;
            for (let i = 0; i < pixels.length; i += 4) if (pixels[i] + pixels[i + 1] + pixels[i + 2] > 0) lit++;
            return lit;
        }"""
        page.wait_for_function(f"({lit})() > 100", timeout=60_000)
        return page.locator("#status").text_content() or "", int(page.evaluate(lit))
    finally:
        context.close()


def token_of(url: str) -> str:
    return parse_qs(parse_qs(urlparse(url).query)["path"][0].lstrip("?"))["token"][0]


def test_the_console_url_shows_the_guests_screen(chromium: Browser, guest: str, live_server: WebServer, proxy_port):
    demo = Api.login(live_server.url, "demo", "demo")
    body = {"remote_console": {"protocol": "vnc", "type": "novnc"}}
    response = demo.post(f"/compute/v2.1/servers/{guest}/remote-consoles", body, headers=V26)
    assert response.status_code == 200, response.text
    console = response.json()["remote_console"]
    assert console["protocol"] == "vnc" and console["type"] == "novnc"
    assert console["url"].startswith(f"http://127.0.0.1:{proxy_port}/vnc_lite.html?path=%3Ftoken%3D")

    admin = Api.login(live_server.url, "admin", "admin")
    shown = admin.get(
        f"/compute/v2.1/os-console-auth-tokens/{token_of(console['url'])}",
        headers={"OpenStack-API-Version": "compute 2.31"},
    )
    assert shown.status_code == 200, shown.text
    assert shown.json()["console"]["instance_uuid"] == guest and shown.json()["console"]["port"] >= 5900

    status, lit = see_the_screen(chromium, console["url"])
    assert status.startswith("Connected to "), status
    assert lit > 100


def test_openstack_console_url_show_novnc_opens_the_screen(chromium: Browser, guest: str, live_server: WebServer):
    done = subprocess.run(
        [OPENSTACK, "console", "url", "show", "--novnc", guest, "-f", "json"],
        env=openrc(live_server.url, "demo", "demo"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    url = json_field(done.stdout, "url")
    assert "vnc_lite.html?path=%3Ftoken%3D" in url
    status, _ = see_the_screen(chromium, url)
    assert status.startswith("Connected to "), status


def test_the_proxy_refuses_a_bad_or_expired_token(chromium: Browser, guest: str, live_server: WebServer, proxy_port):
    demo = Api.login(live_server.url, "demo", "demo")
    body = {"remote_console": {"protocol": "vnc", "type": "novnc"}}
    url = demo.post(f"/compute/v2.1/servers/{guest}/remote-consoles", body, headers=V26).json()["remote_console"]["url"]
    forged = url.replace(token_of(url), "00000000-0000-0000-0000-000000000000")
    assert see_the_screen_refused(chromium, forged) == REFUSED
    ConsoleAuthToken.objects.update(expires="2000-01-01T00:00:00Z")
    assert see_the_screen_refused(chromium, url) == REFUSED
    assert not ConsoleAuthToken.objects.exists()  # the proxy deleted the expired token it met


def see_the_screen_refused(browser: Browser, url: str) -> str:
    """noVNC's status once the proxy has closed the connection."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(
            "!['Loading', 'Connecting'].includes(document.getElementById('status').textContent)", timeout=30_000
        )
        return page.locator("#status").text_content() or ""
    finally:
        context.close()


def json_field(output: str, name: str) -> str:
    value: str = json.loads(output)[name]
    return value
