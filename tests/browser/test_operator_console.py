"""The operator console in a real browser: headless Chromium against gunicorn serving the app
as production does, around a live cloud (conductor, scheduler, compute workers on libvirt's
test driver). The cloud's own admin logs in, finds a styled dashboard, is refused a start on
a locked server in the API's words, stops it and watches the workflow end, and disables a
compute service. Screenshots land in artifacts/browser/."""

from __future__ import annotations

import re

import pytest
import requests
from django.contrib.auth.models import User as AuthUser
from playwright.sync_api import expect

from tests.e2e.cloud import Api
from tests.e2e.helpers import LATEST, boot_active

from .console import Console
from .server import WebServer

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

#: admin's stylesheet as the page links it: collected as is, or with a manifest hash.
BASE_CSS = re.compile(r"/static/admin/css/base(\.[0-9a-f]{12})?\.css")
TRANSPARENT = ("rgba(0, 0, 0, 0)", "transparent")


def api_refusal(response: requests.Response) -> str:
    """The message of a compute API error body ({"conflictingRequest": {"message": ...}})."""
    assert response.status_code in (400, 403, 409), f"{response.status_code}: {response.text}"
    (body,) = response.json().values()
    message: str = body["message"]
    return message


def server(api: Api, server_id: str) -> dict:
    """The server as GET /servers/{id} shows it (it must exist)."""
    found = api.server(server_id)
    assert found is not None, f"server {server_id} is gone"
    return found


def test_admin_logs_in_to_a_styled_dashboard(cloud, console: Console, live_server: WebServer) -> None:
    # The cloud's admin is a Keystone user with the admin role, not a Django superuser.
    assert not AuthUser.objects.filter(is_superuser=True).exists()
    console.login("admin", "secret")
    page = console.page
    expect(page.locator("#novasite-dashboard")).to_be_visible()

    loaded = {path: status for path, status in console.statuses.items() if BASE_CSS.fullmatch(path)}
    failed = {path: why for path, why in console.failures.items() if BASE_CSS.fullmatch(path)}
    assert loaded and set(loaded.values()) == {200} and not failed, f"admin's base.css: {loaded}, failed: {failed}"
    assert requests.get(f"{live_server.url}/static/admin/css/base.css", timeout=10).status_code == 200
    # base.css applied: it zeroes the body's margin (a browser's own is 8px) and colours the header.
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"
    header = page.evaluate("getComputedStyle(document.getElementById('header')).backgroundColor")
    assert header not in TRANSPARENT, header
    console.screenshot("dashboard")


def test_start_refused_then_stop_on_a_locked_server(cloud, admin: Api, demo: Api, console: Console) -> None:
    server_id = boot_active(demo, "browser-vm")["id"]
    console.login("admin", "secret")
    console.open_server(server_id)
    assert console.server_status() == "ACTIVE"

    reason = "browser test: maintenance"
    console.page.fill('input[name="lock_reason"]', reason)
    console.press("lock")
    assert console.messages("error") == [], console.all_messages()
    locked = server(admin, server_id)
    assert (locked["locked"], locked["locked_reason"]) == (True, reason)

    # An operator is an admin, whom Nova's lock check spares: "start" on this locked, running
    # server is refused for its state, in the words the API gives an admin token for it.
    console.press("start")
    shown = console.messages("error")
    assert len(shown) == 1, f"one refusal expected; the page says {console.all_messages()}"
    said = api_refusal(admin.post(f"/compute/v2.1/servers/{server_id}/action", {"os-start": None}, headers=LATEST))
    assert shown[0] == said
    after = server(admin, server_id)
    assert (after["status"], after["OS-EXT-STS:task_state"], after["locked"]) == ("ACTIVE", None, True)
    assert console.server_status() == "ACTIVE"

    console.press("stop")
    assert console.messages("error") == [], console.all_messages()
    console.wait_for_server_status("SHUTOFF")
    stopped = server(admin, server_id)
    assert (stopped["status"], stopped["OS-EXT-STS:task_state"], stopped["locked"]) == ("SHUTOFF", None, True)
    console.screenshot("server")


def test_disable_a_compute_service(cloud, admin: Api, console: Console) -> None:
    console.login("admin", "secret")
    console.open("/admin/hosts/service/")
    row = console.page.locator("#result_list tbody tr").filter(has_text="compute1").filter(has_text="nova-compute")
    expect(row).to_have_count(1)
    row.locator('a[href*="/change/"]').first.click()
    expect(console.page).to_have_url(re.compile(r"/admin/hosts/service/[^/]+/change/$"))

    reason = "browser test: disk replacement"
    console.page.check("#id_disabled")
    console.page.fill("#id_disabled_reason", reason)
    console.submit(console.page.locator('input[name="_save"]'))
    assert console.messages("error") == [], console.all_messages()
    assert console.page.locator(".errornote").count() == 0, console.page.locator(".errornote").all_inner_texts()
    assert console.messages("success"), console.all_messages()

    response = admin.get("/compute/v2.1/os-services?host=compute1&binary=nova-compute")
    assert response.status_code == 200, response.text
    services = response.json()["services"]
    assert [(s["status"], s["disabled_reason"]) for s in services] == [("disabled", reason)]
