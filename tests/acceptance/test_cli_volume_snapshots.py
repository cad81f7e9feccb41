"""Volume snapshots with the real `openstack` command against a live novasite: snapshot
create, list, show, set (description; state, i.e. os-reset_status), a volume from a
snapshot, the refused delete of a volume that has snapshots, and snapshot delete, each step
checked through the block storage API.

Volume and snapshot files are written by the API process itself (volumes.store), so this lab
needs the live HTTP server and the seeded cloud, not the Celery workers."""

from __future__ import annotations

import os
import time

import pytest

from identity.models import Project
from novasite.demo import seed
from tests.e2e.cloud import Api
from volumes import store

from .helpers import CommandFailed, Lab

pytestmark = pytest.mark.e2e


@pytest.fixture
def volume_cloud(live_server, transactional_db, settings, tmp_path) -> Api:
    """The seeded cloud (no workers) with its volumes under a temporary directory; the admin's API."""
    settings.IMAGE_DIR = str(tmp_path / "images")
    settings.VOLUME_DIR = str(tmp_path / "volumes")
    seed("secret", "secret")
    return Api.login(live_server.url, "admin", "admin")


def lower_keys(document: dict) -> dict:
    return {key.lower().replace(" ", "_"): value for key, value in document.items()}


class Cinder:
    """The block storage API of the admin's project, as the checks read it."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.root = f"/volume/v3/{Project.objects.get(name='admin').id}"

    def get(self, path: str) -> tuple[int, dict]:
        response = self.api.get(self.root + path)
        return response.status_code, (response.json() if response.content else {})

    def wait(self, path: str, key: str, status: str, timeout: float = 30) -> dict:
        deadline, found = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            code, body = self.get(path)
            found = body.get(key) if code == 200 else None
            if found and found["status"] == status:
                return found
            time.sleep(0.2)
        raise AssertionError(f"{path} never became {status}; last seen: {found}")


def test_volume_snapshot_lab(volume_cloud, live_server):
    lab = Lab(live_server.url, volume_cloud)
    osc = lab.osc
    cinder = Cinder(volume_cloud)
    ids: dict[str, str] = {}

    with lab.step("volume create --size 1 vol_snap_src"):
        ids["src"] = osc("volume", "create", "--size", "1", "vol_snap_src")["id"]
        cinder.wait(f"/volumes/{ids['src']}", "volume", "available")

    with lab.step("volume snapshot create --volume vol_snap_src snap_cli"):
        created = osc("volume", "snapshot", "create", "--volume", "vol_snap_src", "snap_cli")
        ids["snap"] = created["id"]
        snapshot = cinder.wait(f"/snapshots/{ids['snap']}", "snapshot", "available")
        assert os.path.exists(store.snapshot_path(ids["snap"])), ids
        assert (snapshot["name"], snapshot["volume_id"], snapshot["size"]) == ("snap_cli", ids["src"], 1), snapshot
        assert snapshot["os-extended-snapshot-attributes:progress"] == "100%", snapshot

    with lab.step("volume snapshot list"):
        listed = [lower_keys(row) for row in osc("volume", "snapshot", "list")]
        assert [row["id"] for row in listed] == [ids["snap"]], listed
        assert listed[0]["name"] == "snap_cli" and listed[0]["status"] == "available", listed
        _, body = cinder.get("/snapshots/detail")
        assert [s["id"] for s in body["snapshots"]] == [ids["snap"]], body

    with lab.step("volume snapshot show snap_cli"):
        shown = lower_keys(osc("volume", "snapshot", "show", "snap_cli"))
        assert shown["id"] == ids["snap"] and shown["status"] == "available", shown
        assert shown["volume_id"] == ids["src"] and shown["size"] == 1, shown

    with lab.step("volume snapshot set --description nightly snap_cli"):
        osc("volume", "snapshot", "set", "--description", "nightly", "snap_cli", fmt_json=False)
        _, body = cinder.get(f"/snapshots/{ids['snap']}")
        assert body["snapshot"]["description"] == "nightly", body

    with lab.step("volume snapshot set --state error snap_cli (os-reset_status), then back to available"):
        osc("volume", "snapshot", "set", "--state", "error", "snap_cli", fmt_json=False)
        cinder.wait(f"/snapshots/{ids['snap']}", "snapshot", "error")
        osc("volume", "snapshot", "set", "--state", "available", "snap_cli", fmt_json=False)
        cinder.wait(f"/snapshots/{ids['snap']}", "snapshot", "available")

    with lab.step("volume create --snapshot snap_cli --size 2 vol_from_snap"):
        made = osc("volume", "create", "--snapshot", "snap_cli", "--size", "2", "vol_from_snap")
        ids["copy"] = made["id"]
        volume = cinder.wait(f"/volumes/{ids['copy']}", "volume", "available")
        assert (volume["snapshot_id"], volume["size"]) == (ids["snap"], 2), volume
        assert os.path.exists(store.volume_path(ids["copy"])) and volume["name"] == "vol_from_snap", volume

    with lab.step("volume delete vol_snap_src is refused while it has snapshots"):
        try:
            osc("volume", "delete", "vol_snap_src", fmt_json=False)
        except CommandFailed as refused:
            assert "snapshots" in str(refused), refused
        else:
            raise AssertionError("volume delete of a volume with snapshots succeeded")
        cinder.wait(f"/volumes/{ids['src']}", "volume", "available")

    with lab.step("volume snapshot delete snap_cli"):
        osc("volume", "snapshot", "delete", "snap_cli", fmt_json=False)
        code, _ = cinder.get(f"/snapshots/{ids['snap']}")
        assert code == 404, code
        _, body = cinder.get("/snapshots")
        assert body["snapshots"] == [], body

    with lab.step("volume delete vol_snap_src vol_from_snap"):
        osc("volume", "delete", "vol_snap_src", "vol_from_snap", fmt_json=False)
        for key in ("src", "copy"):
            code, _ = cinder.get(f"/volumes/{ids[key]}")
            assert code == 404, (key, code)

    print(f"{len(lab.passed)} steps passed, {lab.calls} openstack calls")
    assert not lab.failures, "\n\n".join(lab.failures)
