"""`manage.py placement_audit` asks real compute hosts for their guests: a guest whose server
was deleted behind the cloud's back, and one whose server row is gone altogether, are found,
and --heal terminates them on the host (and releases what their servers held) until the audit
is clean."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from hosts.models import Allocation
from servers.models import Server
from tests.waiting import wait_until

from .helpers import boot_active

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def compute_hosts():
    return {"compute1": ""}


def run_audit(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("placement_audit", "--timeout", "10", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_guests_no_server_claims_are_found_and_terminated(admin):
    kept = boot_active(admin, name="kept")["id"]
    deleted = boot_active(admin, name="deleted")["id"]
    vanished = boot_active(admin, name="vanished")["id"]
    code, out = run_audit("--verbose")
    assert code == 0, out
    assert "1 hosts, 3 guests" in out

    # Behind the cloud's back: one server marked deleted, another's row gone altogether.
    Server.objects.filter(uuid=deleted).update(deleted=True)
    Server.objects.filter(uuid=vanished).delete()

    code, out = run_audit()
    assert code == 3, out
    assert f"Guest {deleted} on host compute1: server {deleted} is deleted: can be terminated" in out
    assert f"Guest {vanished} on host compute1: no server has this uuid: can be terminated" in out
    assert f"Allocations for consumer UUID {vanished} on host compute1" in out
    assert kept not in out

    code, out = run_audit("--heal")
    assert code == 4, out
    assert out.count("terminate sent") == 2

    def clean() -> bool:
        return run_audit()[0] == 0

    wait_until(clean, 30, what=lambda: f"a clean audit after --heal:\n{run_audit()[1]}")
    assert {str(a.consumer) for a in Allocation.objects.all()} == {kept}
    code, out = run_audit("--verbose")
    assert code == 0 and "1 hosts, 1 guests" in out, out
