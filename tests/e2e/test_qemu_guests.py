"""Every server operation through the REST API on real guests: compute1 and compute2 drive the
two libvirt daemons of scripts/libvirt.sh (QEMU under TCG), and the cloud's image is the
project's guest image (scripts/guest-image.sh), a Linux that boots to its serial console,
powers off on ACPI and reports hot-plugged devices there. What the guest prints is read back
with os-getConsoleOutput, and after each delete neither daemon keeps a domain or a disk file.

Skipped without the daemons, failed under NOVASITE_REQUIRE_QEMU=1 (CI): tests/qemu_hosts.py.
A few servers each go through several operations: TCG guests take seconds to boot."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import libvirt
import pytest

from hosts.models import Service
from identity.models import Project
from images import store as image_store
from images.models import Image
from servers.models import Migration
from tests.qemu_hosts import PEER_URI, QEMU_TCP_URI
from tests.waiting import wait_until

from .helpers import LATEST, act, boot_on, state

# As make run LIBVIRT=qemu: compute1 on the first daemon, compute2 on the second.
HOSTS = {"compute1": QEMU_TCP_URI, "compute2": PEER_URI}
# Each test walks one or two TCG guests through many operations: more than pytest.ini's 300 s
# where the machine's two cores are busy.
pytestmark = [pytest.mark.e2e, pytest.mark.qemu(*HOSTS.values()), pytest.mark.timeout(600)]

SERVERS = "/compute/v2.1/servers"
READY = "novasite guest ready"  # the guest image's banner once its init runs (guest-image.sh)
# Under TCG on two shared cores a guest boots in seconds; give it room.
BOOT = 90.0
ACTIVE = ("ACTIVE", "active", None, 1)


@pytest.fixture(scope="module")
def cloud_dir() -> Iterator[Path]:
    """The cloud's images, volumes and instance disks, in a directory QEMU (libvirt-qemu) can
    traverse (LibvirtDriver's "File access"); every domain left with a disk in it is destroyed
    afterwards (only ours: the daemons are shared)."""
    path = Path(tempfile.mkdtemp(prefix="novasite-e2e-qemu-"))
    path.chmod(0o755)
    yield path
    for uri in HOSTS.values():
        for dom in leftover_domains(uri, str(path)):
            if dom.isActive():
                dom.destroy()
            dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def compute_hosts() -> dict[str, dict]:
    return {host: {"libvirt_uri": uri} for host, uri in HOSTS.items()}


@pytest.fixture(scope="module")
def worker_env(cloud_dir) -> dict[str, str]:
    # MIGRATE_URI: QEMU's migration stream between the daemons, as make run LIBVIRT=qemu sets it.
    return {"VOLUME_DIR": str(cloud_dir / "volumes"), "MIGRATE_URI": "tcp://127.0.0.1"}


@pytest.fixture(scope="module")
def guest_image() -> str:
    """The project's guest image (cached: built once by scripts/guest-image.sh)."""
    built = subprocess.run(["scripts/guest-image.sh"], capture_output=True, text=True, check=True, timeout=900)
    return built.stdout.strip().splitlines()[-1]


@pytest.fixture(autouse=True)
def real_guest_image(monkeypatch, settings, cloud_dir, guest_image) -> None:
    """The seed (the ``cloud`` fixture) uploads the guest image as cirros, as make run
    LIBVIRT=qemu does; volumes are files the API and the conductor share."""
    monkeypatch.setenv("GUEST_IMAGE", guest_image)
    settings.VOLUME_DIR = str(cloud_dir / "volumes")


def leftover_domains(uri: str, under: str) -> list:
    """The domains of the daemon at ``uri`` with a disk file under ``under``."""
    conn = libvirt.open(uri)
    try:
        return [dom for dom in conn.listAllDomains() if under in dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)]
    finally:
        conn.close()


def domain_state(uri: str, server_id: str) -> int | None:
    """The libvirt state of the server's domain on that daemon, None when it has none."""
    conn = libvirt.open(uri)
    try:
        return conn.lookupByUUIDString(server_id).state()[0]
    except libvirt.libvirtError:
        return None
    finally:
        conn.close()


def console(api, server_id: str, length: int | None = None) -> str:
    """The guest's serial log (its last ``length`` lines)."""
    body = {} if length is None else {"length": length}
    response = act(api, server_id, {"os-getConsoleOutput": body}, expect=200)
    return response.json()["output"]


def wait_console(api, server_id: str, text: str, timeout: float = BOOT) -> str:
    """Wait until the guest has printed ``text`` on its console; return the console."""
    seen = [""]

    def printed() -> bool:
        seen[0] = console(api, server_id)
        return text in seen[0]

    wait_until(printed, timeout, what=lambda: f"{text!r} on the console of {server_id}:\n{seen[0][-3000:]}")
    return seen[0]


def settle(api, server_id: str, timeout: float = 120.0) -> dict:
    return api.wait_until_settled(server_id, timeout)


def boot_ready(api, host: str, name: str, image: str | None = None) -> str:
    """Boot on ``host`` and wait for the guest's banner."""
    if image is None:
        server_id = boot_on(api, host, name)
    else:
        body = {"server": {"name": name, "imageRef": image, "flavorRef": "42", "networks": "none", "host": host}}
        response = api.post(SERVERS, body, headers={"OpenStack-API-Version": "compute 2.74"})
        assert response.status_code == 202, response.text
        server_id = response.json()["server"]["id"]
    server = settle(api, server_id)
    assert state(server) == ACTIVE and server["OS-EXT-SRV-ATTR:host"] == host, server
    wait_console(api, server_id, READY)
    return server_id


def act_and_settle(api, server_id: str, body: dict, expect: int = 202, headers: dict | None = None) -> dict:
    act(api, server_id, body, expect=expect, headers=headers)
    return settle(api, server_id)


def confirm(api, server_id: str) -> dict:
    """confirmResize (204 at once; the source is cleaned up after) until the server is ACTIVE."""
    act(api, server_id, {"confirmResize": None}, expect=204)
    return api.wait_for(server_id, lambda s: s["status"] == "ACTIVE" and s["OS-EXT-STS:task_state"] is None)


def delete_and_check_gone(api, cloud, *server_ids: str) -> None:
    """Delete the servers; then no daemon has their domains, and no host their files."""
    for server_id in server_ids:
        assert api.delete(f"{SERVERS}/{server_id}").status_code == 204
    for server_id in server_ids:
        api.wait_until_gone(server_id)
    instances = Path(cloud.base_env["INSTANCES_DIR"])
    for server_id in server_ids:
        for host, uri in HOSTS.items():
            assert domain_state(uri, server_id) is None, f"{server_id} still defined on {host}"
            leftovers = list((instances / host).glob(f"{server_id}*"))
            assert leftovers == [], f"files of {server_id} left on {host}: {leftovers}"


def test_power_rescue_rebuild_and_snapshot(admin, cloud):
    sid = boot_ready(admin, "compute1", "power")
    assert "Linux version" in console(admin, sid)  # the kernel's boot lines, from the serial log
    assert len(console(admin, sid, length=3).splitlines()) == 3

    started = time.monotonic()
    assert state(act_and_settle(admin, sid, {"os-stop": None})) == ("SHUTOFF", "stopped", None, 4)
    assert time.monotonic() - started < 30, "the guest should power off on ACPI, not wait out the timeout"
    assert domain_state(HOSTS["compute1"], sid) == libvirt.VIR_DOMAIN_SHUTOFF
    assert state(act_and_settle(admin, sid, {"os-start": None})) == ACTIVE
    wait_console(admin, sid, READY)

    # A soft reboot: the guest powers off on ACPI (not after the 60 s timeout) and boots again.
    started = time.monotonic()
    assert state(act_and_settle(admin, sid, {"reboot": {"type": "SOFT"}})) == ACTIVE
    assert time.monotonic() - started < 30
    wait_console(admin, sid, READY)
    assert state(act_and_settle(admin, sid, {"reboot": {"type": "HARD"}})) == ACTIVE
    wait_console(admin, sid, READY)

    assert state(act_and_settle(admin, sid, {"pause": None})) == ("PAUSED", "paused", None, 3)
    assert domain_state(HOSTS["compute1"], sid) == libvirt.VIR_DOMAIN_PAUSED
    assert state(act_and_settle(admin, sid, {"unpause": None})) == ACTIVE
    assert state(act_and_settle(admin, sid, {"suspend": None})) == ("SUSPENDED", "suspended", None, 7)
    assert domain_state(HOSTS["compute1"], sid) == libvirt.VIR_DOMAIN_SHUTOFF  # saved to disk
    assert state(act_and_settle(admin, sid, {"resume": None})) == ACTIVE
    assert domain_state(HOSTS["compute1"], sid) == libvirt.VIR_DOMAIN_RUNNING

    act(admin, sid, {"rescue": None}, expect=200)
    assert state(settle(admin, sid))[:3] == ("RESCUE", "rescued", None)
    wait_console(admin, sid, READY)  # the rescue disk boots the same image
    assert state(act_and_settle(admin, sid, {"unrescue": None})) == ACTIVE
    wait_console(admin, sid, READY)

    image_id = admin.server(sid)["image"]["id"]
    rebuilt = act_and_settle(admin, sid, {"rebuild": {"imageRef": image_id, "name": "rebuilt"}})
    assert state(rebuilt) == ACTIVE and rebuilt["name"] == "rebuilt"
    wait_console(admin, sid, READY)

    # createImage: real qcow2 bytes of the guest's disk, and a server boots from them.
    snapshot_id = act(admin, sid, {"createImage": {"name": "snap"}}).json()["image_id"]
    admin.wait_for(
        sid, lambda s: Image.objects.get(id=snapshot_id).status == "active" and s["OS-EXT-STS:task_state"] is None
    )
    image = Image.objects.get(id=snapshot_id)
    assert image.disk_format == "qcow2"
    with open(image_store.image_path(snapshot_id), "rb") as data:
        assert data.read(4) == b"QFI\xfb"
    assert image.size == os.path.getsize(image_store.image_path(snapshot_id)) > 1024 * 1024
    assert state(admin.server(sid)) == ACTIVE
    child = boot_ready(admin, "compute2", "from-snapshot", image=snapshot_id)
    delete_and_check_gone(admin, cloud, sid, child)


def test_resize_cold_migration_evacuate_and_shelve(admin, cloud):
    sid = boot_ready(admin, "compute1", "mover")
    resized = act_and_settle(admin, sid, {"resize": {"flavorRef": "1"}})
    assert state(resized) == ("VERIFY_RESIZE", "resized", None, 1)
    assert resized["OS-EXT-SRV-ATTR:host"] == "compute2"
    wait_console(admin, sid, READY)
    confirmed = confirm(admin, sid)
    assert state(confirmed) == ACTIVE and confirmed["flavor"]["original_name"] == "m1.tiny"
    assert domain_state(HOSTS["compute1"], sid) is None

    # resize back, then revert: it runs again on compute2 with m1.tiny
    reverted_from = act_and_settle(admin, sid, {"resize": {"flavorRef": "2"}})
    assert reverted_from["status"] == "VERIFY_RESIZE" and reverted_from["OS-EXT-SRV-ATTR:host"] == "compute1"
    reverted = act_and_settle(admin, sid, {"revertResize": None})
    assert state(reverted) == ACTIVE and reverted["OS-EXT-SRV-ATTR:host"] == "compute2"
    assert reverted["flavor"]["original_name"] == "m1.tiny"
    wait_console(admin, sid, READY)
    assert domain_state(HOSTS["compute1"], sid) is None

    migrated = act_and_settle(admin, sid, {"migrate": None})
    assert migrated["status"] == "VERIFY_RESIZE" and migrated["OS-EXT-SRV-ATTR:host"] == "compute1"
    assert state(confirm(admin, sid)) == ACTIVE
    wait_console(admin, sid, READY)
    assert domain_state(HOSTS["compute2"], sid) is None

    # Evacuate: compute1 is forced down (its worker still runs: the guest is rebuilt on
    # compute2 from the image while the old one is left to the source's recovery).
    Service.objects.filter(host="compute1", binary="nova-compute").update(forced_down=True)
    try:
        act(admin, sid, {"evacuate": {}}, expect=200)
        evacuated = admin.wait_for(
            sid, lambda s: s["OS-EXT-STS:task_state"] is None and s["OS-EXT-SRV-ATTR:host"] == "compute2", 120
        )
        assert state(evacuated) == ACTIVE
        wait_console(admin, sid, READY)
        assert Migration.objects.get(server__uuid=sid, migration_type="evacuation").status == "done"
    finally:
        Service.objects.filter(host="compute1", binary="nova-compute").update(forced_down=False)
    # The source's worker cleans up what was evacuated when it starts again.
    cloud.restart("compute1")
    admin.wait_for(
        sid, lambda s: Migration.objects.get(server__uuid=sid, migration_type="evacuation").status == "completed"
    )
    wait_until(lambda: domain_state(HOSTS["compute1"], sid) is None, 30, what="the evacuated guest gone from compute1")

    act(admin, sid, {"shelve": None})
    shelved = admin.wait_for(sid, lambda s: s["status"] == "SHELVED_OFFLOADED" and s["OS-EXT-STS:task_state"] is None)
    assert shelved["OS-EXT-SRV-ATTR:host"] is None
    assert domain_state(HOSTS["compute2"], sid) is None
    act(admin, sid, {"unshelve": None})
    back = settle(admin, sid)
    assert state(back) == ACTIVE, back.get("fault")
    wait_console(admin, sid, READY)
    delete_and_check_gone(admin, cloud, sid)


def test_live_migration_hotplug_and_abort(admin, cloud):
    """Live migration there and back, with a volume and a NIC hot-plugged on the far side
    (the guest, still the same kernel, reports them), then the abort of a throttled one."""
    sid = boot_ready(admin, "compute1", "live")
    migrate_live(admin, sid, "compute1", "compute2")
    hotplug_seen_by_the_guest(admin, sid)
    migrate_live(admin, sid, "compute2", "compute1")

    # Throttled to 1 MiB/s (as an operator's virsh migrate-setspeed), the migration runs long
    # enough to be aborted through the API; the guest stays where it was, running.
    conn = libvirt.open(HOSTS["compute1"])
    try:
        conn.lookupByUUIDString(sid).migrateSetMaxSpeed(1, 0)
    finally:
        conn.close()
    act(admin, sid, {"os-migrateLive": {"host": "compute2", "block_migration": "auto"}}, headers=LATEST)
    running = admin.wait_for(sid, lambda s: any(m["status"] == "running" for m in migrations(admin, sid)), 60)
    assert running["OS-EXT-STS:task_state"] == "migrating"
    migration_id = next(m["id"] for m in migrations(admin, sid) if m["status"] == "running")
    aborted = admin.delete(f"{SERVERS}/{sid}/migrations/{migration_id}")
    assert aborted.status_code == 202, aborted.text
    back = settle(admin, sid)
    assert state(back) == ACTIVE and back["OS-EXT-SRV-ATTR:host"] == "compute1"
    assert Migration.objects.get(id=migration_id).status == "cancelled"
    assert domain_state(HOSTS["compute1"], sid) == libvirt.VIR_DOMAIN_RUNNING
    assert domain_state(HOSTS["compute2"], sid) is None
    delete_and_check_gone(admin, cloud, sid)


def migrate_live(api, server_id: str, source: str, dest: str) -> None:
    """Live-migrate to ``dest``: the guest runs there and no longer on ``source``; it did not
    boot again (each QEMU logs the serial console to a new file in its host's instance
    directory, so the destination's log holds only what the guest printed since)."""
    act(api, server_id, {"os-migrateLive": {"host": dest, "block_migration": "auto"}}, headers=LATEST)
    moved = api.wait_for(
        server_id, lambda s: s["OS-EXT-STS:task_state"] is None and s["OS-EXT-SRV-ATTR:host"] == dest, 120
    )
    assert state(moved) == ACTIVE
    assert domain_state(HOSTS[dest], server_id) == libvirt.VIR_DOMAIN_RUNNING
    assert domain_state(HOSTS[source], server_id) is None
    assert "Linux version" not in console(api, server_id)


def hotplug_seen_by_the_guest(api, server_id: str) -> None:
    """Attach and detach a volume and an interface; the guest reports each on its console."""
    project = Project.objects.get(name="admin").id
    volumes = f"/volume/v3/{project}/volumes"
    created = api.post(volumes, {"volume": {"size": 1, "name": "data"}})
    assert created.status_code == 202, created.text
    volume_id = created.json()["volume"]["id"]

    def volume_status() -> str:
        return api.get(f"{volumes}/{volume_id}").json()["volume"]["status"]

    api.wait_for(server_id, lambda s: volume_status() == "available")
    attach = api.post(f"{SERVERS}/{server_id}/os-volume_attachments", {"volumeAttachment": {"volumeId": volume_id}})
    assert attach.status_code == 200, attach.text
    api.wait_for(server_id, lambda s: volume_status() == "in-use")
    wait_console(api, server_id, "novasite guest: disk sda added (1024 MiB)", timeout=30)
    assert api.delete(f"{SERVERS}/{server_id}/os-volume_attachments/{volume_id}").status_code == 202
    api.wait_for(server_id, lambda s: volume_status() == "available")
    wait_console(api, server_id, "novasite guest: disk sda removed", timeout=30)

    network = api.get("/network/v2.0/networks", params={"name": "provider"}).json()["networks"][0]
    attached = api.post(f"{SERVERS}/{server_id}/os-interface", {"interfaceAttachment": {"net_id": network["id"]}})
    assert attached.status_code == 200, attached.text
    port = attached.json()["interfaceAttachment"]
    output = wait_console(api, server_id, f"({port['mac_addr']})", timeout=30)
    nic = output.split(f" added ({port['mac_addr']})")[0].rsplit("novasite guest: nic ", 1)[1]
    assert api.delete(f"{SERVERS}/{server_id}/os-interface/{port['port_id']}").status_code == 202
    api.wait_for(
        server_id, lambda s: api.get(f"{SERVERS}/{server_id}/os-interface").json()["interfaceAttachments"] == []
    )
    wait_console(api, server_id, f"novasite guest: nic {nic} removed", timeout=30)
    assert state(api.server(server_id)) == ACTIVE


def migrations(api, server_id: str) -> list[dict]:
    response = api.get(f"{SERVERS}/{server_id}/migrations", headers=LATEST)
    assert response.status_code == 200, response.text
    return response.json()["migrations"]
