"""Stock Horizon as an operator drives it in Chromium: log in, open a page and read what it
says went wrong, launch an instance with the Launch Instance wizard (AngularJS), act on an
instance from its row in the Instances table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.e2e.cloud import ROOT

ARTIFACTS = ROOT / "artifacts" / "browser"
#: Horizon's error messages: Django messages and AngularJS toasts alike are .alert-danger.
ERROR_BANNER = ".alert-danger:visible"
#: A server build on the libvirt test driver, and Horizon's table refresh (it polls a row
#: in a transitional state every few seconds).
STATE_TIMEOUT_MS = 90_000


@dataclass(frozen=True)
class Check:
    """A Horizon page to open (``path``, with ``?tab=`` for a tab) and a text it must show
    once loaded (a seeded name, or the page's own heading)."""

    path: str
    shows: str


class Horizon:
    """One browser page on Horizon (the context's base_url)."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def login(self, user: str, password: str = "secret") -> None:
        """Log in on Horizon's form; Horizon lands on the project overview."""
        self.page.goto("/auth/login/")
        self.page.fill("#id_username", user)
        self.page.fill("#id_password", password)
        self.page.click("#loginBtn")
        self.page.wait_for_url("**/project/")
        self.settle()

    def settle(self) -> None:
        """Wait until the page and its AngularJS requests are done."""
        self.page.wait_for_load_state("networkidle")

    def problems(self, check: Check) -> list[str]:
        """Open ``check.path``; what is wrong with it (empty when nothing): an HTTP error, an
        error banner, a missing text."""
        response = self.page.goto(check.path)
        self.settle()
        found = []
        if response is None or response.status != 200:
            found.append(f"HTTP {response.status if response else 'no response'}")
        found += [f"banner: {text.strip()}" for text in self.page.locator(ERROR_BANNER).all_inner_texts()]
        if self.page.get_by_text(check.shows).filter(visible=True).count() == 0:
            found.append(f"does not show {check.shows!r}")
        return found

    def errors(self) -> list[str]:
        """The error banners shown now."""
        return [text.strip() for text in self.page.locator(ERROR_BANNER).all_inner_texts()]

    def launch(self, name: str, *, image: str, flavor: str, network: str) -> None:
        """Project > Compute > Instances > Launch Instance: the wizard's Details (name),
        Source (boot from ``image``, no new volume), Flavor and Networks steps, then launch."""
        self.page.goto("/project/instances/")
        self.settle()
        self.page.get_by_role("link", name="Launch Instance").click()
        wizard = self.page.locator(".modal-dialog")
        wizard.wait_for()
        self.settle()  # the wizard has loaded its choices (and made its own allocations)
        wizard.locator("input[name=name]").fill(name)
        self._step("Source")
        wizard.locator("[ng-model='model.newInstanceSpec.vol_create']").get_by_text("No", exact=True).click()
        self._allocate(image)
        self._step("Flavor")
        self._allocate(flavor)
        self._step("Networks")
        self._allocate(network)
        wizard.locator("button", has_text="Launch Instance").click()
        wizard.wait_for(state="hidden")
        self.settle()

    def _step(self, title: str) -> None:
        self.page.locator(".modal-dialog .wizard-nav li", has_text=title).first.click()

    def _allocate(self, name: str) -> None:
        """Move the item named ``name`` from the step's Available table to Allocated (its
        row's arrow button), unless the wizard allocated it already (it does when there is
        only one, as with the network here)."""
        allocated = self.page.locator(".modal-dialog .transfer-allocated").filter(visible=True)
        if allocated.locator("tr", has_text=name).count() == 0:
            available = self.page.locator(".modal-dialog .transfer-available").filter(visible=True)
            available.locator("tr", has_text=name).first.locator("button").first.click()
        expect(allocated).to_contain_text(name)

    def instance_row(self, name: str) -> Locator:
        """The instance's row in Project > Compute > Instances."""
        link = self.page.get_by_role("link", name=name, exact=True)
        return self.page.locator("#instances tbody tr").filter(has=link)

    def expect_status(self, name: str, status: str) -> None:
        """The row's Status column reads ``status`` (Horizon refreshes the row itself)."""
        # The first status cell is Status (Task follows).
        status_cell = self.instance_row(name).locator("td.status_up, td.status_down, td.status_unknown").first
        expect(status_cell).to_have_text(status, timeout=STATE_TIMEOUT_MS)

    def act(self, name: str, action: str, *, confirm: bool) -> None:
        """Run ``action`` from the row's action menu, confirming in Horizon's dialog where it
        asks."""
        row = self.instance_row(name)
        row.locator(".dropdown-toggle").click()
        row.locator("a, button", has_text=action).click()
        if confirm:
            self.page.locator(".modal-dialog:visible").locator(".btn-danger, .btn-primary").last.click()
        self.settle()

    def screenshot(self, name: str) -> Path:
        """Save the whole page as ``artifacts/browser/<name>.png``."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path
