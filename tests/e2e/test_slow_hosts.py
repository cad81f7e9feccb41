"""Live migrations on slow hosts, so that they can be aborted and forced to complete."""

from __future__ import annotations

import pytest

from hosts.models import Allocation
from servers.models import Migration

from .helpers import act, allocations, boot_active, state

pytestmark = pytest.mark.e2e
LIVE = {"OpenStack-API-Version": "compute 2.30"}


@pytest.fixture(scope="module")
def compute_hosts():
    return {"compute1": {"delays": "compute.export_guest=3"}, "compute2": {"delays": "compute.import_guest=3"}}


def start_live_migration(admin) -> tuple[str, Migration]:
    sid = boot_active(admin)["id"]
    act(admin, sid, {"os-migrateLive": {"host": "compute2", "block_migration": "auto"}}, headers=LIVE)
    admin.wait_for(
        sid, lambda s: Migration.objects.filter(server__uuid=sid, status__in=("preparing", "running")).exists()
    )
    return sid, Migration.objects.get(server__uuid=sid)


def test_abort_rolls_back(admin):
    sid, migration = start_live_migration(admin)
    listed = admin.get(f"/compute/v2.1/servers/{sid}/migrations").json()["migrations"]
    assert [m["id"] for m in listed] == [migration.pk]
    assert admin.delete(f"/compute/v2.1/servers/{sid}/migrations/{migration.pk}").status_code == 202
    after = admin.wait_for(sid, lambda s: s["OS-EXT-STS:task_state"] is None)
    assert state(after) == ("ACTIVE", "active", None, 1) and after["OS-EXT-SRV-ATTR:host"] == "compute1"
    migration.refresh_from_db()
    assert migration.status == "cancelled"
    assert allocations(sid) == {"compute1": (1, 128)}
    assert not Allocation.objects.filter(consumer=migration.uuid).exists()
    assert admin.delete(f"/compute/v2.1/servers/{sid}/migrations/{migration.pk}").status_code == 404


def test_force_complete_finishes_the_move(admin):
    sid, migration = start_live_migration(admin)
    admin.wait_for(sid, lambda s: Migration.objects.get(pk=migration.pk).status == "running")
    response = admin.post(
        f"/compute/v2.1/servers/{sid}/migrations/{migration.pk}/action", {"force_complete": None}, headers=LIVE
    )
    assert response.status_code == 202
    after = admin.wait_for(sid, lambda s: s["OS-EXT-STS:task_state"] is None)
    assert after["OS-EXT-SRV-ATTR:host"] == "compute2"
    assert Migration.objects.get(pk=migration.pk).status == "completed"
    assert allocations(sid) == {"compute2": (1, 128)}
