"""Stock Horizon (OpenStack's dashboard, 25.7.3 from PyPI, unpatched: scripts/horizon.sh)
against a live novasite, in real Chromium: the admin and the demo user log in, every page
issue 14 names opens without an error banner and shows what the cloud holds, and an instance
launched from the Launch Instance wizard goes Active, is shut off, started and deleted from
its row in the Instances table."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from .dashboard import STATE_TIMEOUT_MS, Check, Horizon

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

EMPTY = "No items to display."

#: Project > Compute, Volumes, Network (but Networks, below), as both users see them.
PROJECT_PAGES = (
    Check("/project/", "Usage Summary"),
    Check("/project/instances/", EMPTY),
    Check("/project/images", "cirros"),
    Check("/project/key_pairs", EMPTY),
    Check("/project/server_groups", EMPTY),
    Check("/project/volumes/", EMPTY),
    Check("/project/snapshots/", EMPTY),
    Check("/project/security_groups/", "default"),
    Check("/project/floating_ips/", EMPTY),
)
#: Admin > Compute and Volumes, Identity: the admin's.
ADMIN_PAGES = (
    Check("/admin/hypervisors/", "compute1"),
    # The other tabs, by texts only they show: the services, and Placement's providers.
    Check("/admin/hypervisors/?tab=hypervisor_info__compute_host", "Disable Service"),
    Check("/admin/hypervisors/?tab=hypervisor_info__provider", "vCPUs allocation ratio"),
    Check("/admin/aggregates/", "az2"),
    Check("/admin/instances/", EMPTY),
    Check("/admin/flavors/", "m1.tiny"),
    Check("/admin/volumes/", EMPTY),
    Check("/admin/snapshots/", EMPTY),
    Check("/identity/", "demo"),
    Check("/identity/users/", "demo"),
)
#: Horizon pages the network list (limit, marker, sort_key): it stopped with "Endless
#: pagination loop" until novasite's Neutron lists paged as Neutron's do.
NETWORKS_PAGE = Check("/project/networks/", "provider")


def page_problems(dashboard: Horizon, checks: tuple[Check, ...]) -> dict[str, list[str]]:
    """Every page of ``checks`` opened in turn; what is wrong, by page (only those with
    something wrong), so that one run names every failing page."""
    found = {check.path: dashboard.problems(check) for check in checks}
    return {path: problems for path, problems in found.items() if problems}


def test_the_admin_sees_every_page_without_an_error(dashboard: Horizon) -> None:
    dashboard.login("admin")
    assert page_problems(dashboard, PROJECT_PAGES + ADMIN_PAGES) == {}


def test_the_demo_user_sees_the_project_pages_without_an_error(dashboard: Horizon) -> None:
    dashboard.login("demo")
    assert page_problems(dashboard, PROJECT_PAGES) == {}
    # Horizon shows a member no Admin dashboard.
    expect(dashboard.page.locator("#sidebar-accordion")).not_to_contain_text("Hypervisors")


@pytest.mark.parametrize("user", ["admin", "demo"])
def test_the_networks_page_lists_the_networks(dashboard: Horizon, user: str) -> None:
    dashboard.login(user)
    pages = (NETWORKS_PAGE, Check("/admin/networks/", "provider")) if user == "admin" else (NETWORKS_PAGE,)
    assert page_problems(dashboard, pages) == {}


def test_an_instance_launched_from_the_wizard_is_stopped_started_and_deleted(dashboard: Horizon) -> None:
    name = f"horizon-{uuid.uuid4().hex[:8]}"
    dashboard.login("demo")
    dashboard.launch(name, image="cirros", flavor="m1.tiny", network="provider")
    dashboard.expect_status(name, "Active")
    # The wizard's choices: the image, the flavor, an address on the provider network.
    for shown in ("cirros", "m1.tiny", "203.0.113."):
        expect(dashboard.instance_row(name)).to_contain_text(shown)
    assert dashboard.errors() == []
    dashboard.act(name, "Shut Off Instance", confirm=True)
    dashboard.expect_status(name, "Shutoff")
    dashboard.act(name, "Start Instance", confirm=False)
    dashboard.expect_status(name, "Active")
    dashboard.act(name, "Delete Instance", confirm=True)
    expect(dashboard.instance_row(name)).to_have_count(0, timeout=STATE_TIMEOUT_MS)
    assert dashboard.errors() == []
    # Admin > Compute > Instances and the usage overview saw it too: nothing is left.
    assert page_problems(dashboard, (Check("/project/instances/", EMPTY),)) == {}
