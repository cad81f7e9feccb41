"""The operator console in a Chromium page, driven as an operator drives it: open a page,
fill a form, press a button, read what the page says."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page, Request, Response, expect

from tests.e2e.cloud import ROOT
from tests.waiting import wait_until

#: Screenshots land here (ignored by git), one file per name, overwritten by each run.
ARTIFACTS = ROOT / "artifacts" / "browser"
#: The server change page's action buttons (the servers admin's contract).
ACTION_BUTTON = 'button[name="_server_action"][value="{action}"]'
#: Messages of one level in the admin's message list.
MESSAGES = "ul.messagelist li.{level}"
CHANGE_PAGE = re.compile(r"/admin/(?P<app>\w+)/(?P<model>\w+)/(?P<pk>[^/]+)/change/$")


class Console:
    """One logged-in (or about to log in) operator's tab. Every response the page received
    is kept by path with its status, and every request that got none (Chromium drops a
    stylesheet answered as text/html, a 404 page) with its failure, so a test can ask
    whether a stylesheet loaded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.statuses: dict[str, int] = {}
        self.failures: dict[str, str] = {}
        page.on("response", self._answered)
        page.on("requestfailed", self._failed)

    def _answered(self, response: Response) -> None:
        self.statuses[urlsplit(response.url).path] = response.status

    def _failed(self, request: Request) -> None:
        self.failures[urlsplit(request.url).path] = request.failure or "failed"

    # --- navigation ---------------------------------------------------------------------

    def open(self, path: str) -> None:
        """Open ``path`` (on the live server) and require a 200."""
        response = self.page.goto(path)
        assert response is not None and response.status == 200, f"GET {path}: {response and response.status}"

    def submit(self, control: Locator) -> None:
        """Click a form's submit control and wait for the page the server answers with (the
        admin redirects a POST, often to the same address)."""
        expect(control).to_be_enabled()
        with self.page.expect_navigation():
            control.click()

    def login(self, username: str, password: str) -> None:
        """Log in through the admin's own login page, reached by asking for /admin/."""
        self.page.goto("/admin/")
        expect(self.page).to_have_url(re.compile(r"/admin/login/"))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.submit(self.page.locator('#login-form [type="submit"]'))
        refused = self.page.locator(".errornote, .errorlist").all_inner_texts()
        assert urlsplit(self.page.url).path == "/admin/", f"login as {username} failed at {self.page.url}: {refused}"

    def open_server(self, server_id: str) -> str:
        """Find the server by uuid in the servers list (the admin's search) and open its
        change page; returns that page's primary key."""
        self.open(f"/admin/servers/server/?q={server_id}")
        links = self.page.locator('#result_list tbody tr a[href*="/change/"]')
        expect(links).not_to_have_count(0)
        self.page.goto(links.first.get_attribute("href") or "")
        match = CHANGE_PAGE.search(urlsplit(self.page.url).path)
        assert match and match["model"] == "server", f"not a server's change page: {self.page.url}"
        return match["pk"]

    # --- what the page says -------------------------------------------------------------

    def messages(self, level: str) -> list[str]:
        """The texts of the message list's ``level`` messages (error, success, warning, info)."""
        return [text.strip() for text in self.page.locator(MESSAGES.format(level=level)).all_inner_texts()]

    def all_messages(self) -> dict[str, list[str]]:
        return {level: self.messages(level) for level in ("error", "warning", "success", "info")}

    def server_status(self) -> str:
        """The status the server's page shows (its ``server-status`` element)."""
        status = self.page.locator(".server-status").first
        expect(status).to_be_attached()
        return status.inner_text().strip()

    def wait_for_server_status(self, expected: str, timeout: float = 30.0) -> None:
        """Reload the server's page until it shows ``expected`` (the workflow ended)."""
        seen = [""]

        def shown() -> bool:
            self.page.reload()
            seen[0] = self.server_status()
            return seen[0] == expected

        wait_until(shown, timeout, what=lambda: f"server page showing {expected}; it shows {seen[0]!r}", interval=0.5)

    # --- acting -------------------------------------------------------------------------

    def press(self, action: str) -> None:
        """Press a server action button on its change page."""
        self.submit(self.page.locator(ACTION_BUTTON.format(action=action)))

    def screenshot(self, name: str) -> Path:
        """Save the whole page as ``artifacts/browser/<name>.png``."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path
