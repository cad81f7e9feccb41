"""LibvirtDriver against a real libvirtd with QEMU (TCG guests without an OS: SeaBIOS finds
nothing to boot, which is enough for every hypervisor-side operation). Skipped when no daemon
answers at qemu:///system; the live-migration tests also need a second, independent daemon
(distinct host_uuid) reachable over TCP from the first.

Environment (defaults in brackets):
  VIRT_TEST_QEMU_URI       the daemon under test                  [qemu:///system]
  VIRT_TEST_QEMU_TCP_URI   the same daemon as other daemons see it [qemu+tcp://127.0.0.1:16509/system]
  VIRT_TEST_QEMU_PEER_URI  a second daemon for live migration     [qemu+tcp://127.0.0.1:16510/system]

Run: scripts/libvirt.sh up, then .venv/bin/python -m pytest -q tests/test_virt_qemu.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid as uuidlib

import pytest

libvirt = pytest.importorskip("libvirt")

from tests.qemu_hosts import PEER_URI, QEMU_TCP_URI, QEMU_URI  # noqa: E402
from tests.waiting import wait_until  # noqa: E402
from workers.virt.driver import (  # noqa: E402
    NOSTATE,
    PAUSED,
    RUNNING,
    SHUTDOWN,
    SUSPENDED,
    DriverError,
    InstanceSpec,
    MigrationAborted,
    NotSupported,
)
from workers.virt.libvirt import (  # noqa: E402
    LibvirtDriver,
    disks,
)

MIB = 1024**2

pytestmark = pytest.mark.qemu(QEMU_URI)
needs_peer = pytest.mark.qemu(QEMU_TCP_URI, PEER_URI)


def qemu_io(path: str, command: str) -> None:
    done = subprocess.run(["qemu-io", "-f", "qcow2", "-c", command, path], capture_output=True, text=True, check=True)
    assert "fail" not in done.stdout.lower(), done.stdout


@pytest.fixture
def workdir():
    """A directory QEMU (user libvirt-qemu) can traverse (see "File access" in LibvirtDriver's
    docstring), so not pytest's tmp_path (under /tmp/pytest-of-root, mode 700)."""
    path = tempfile.mkdtemp(prefix="novasite-virt-")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def image(workdir):
    path = os.path.join(workdir, "image.qcow2")
    subprocess.run(["qemu-img", "create", "-f", "qcow2", path, "16M"], check=True, capture_output=True)
    return path


def make_driver(workdir: str, name: str, uri: str = QEMU_URI, **kwargs) -> LibvirtDriver:
    kwargs.setdefault("shutdown_timeout", 1)  # no OS: ACPI is never answered
    return LibvirtDriver(uri, instances_dir=os.path.join(workdir, name), **kwargs)


TEST_PREFIX = "instance-vt"


@pytest.fixture
def drivers(workdir):
    """Drivers made by the test; afterwards they destroy the guests whose disks are in
    ``workdir`` (only ours: other domains on the daemon are left alone)."""
    made: list[LibvirtDriver] = []

    def track(driver: LibvirtDriver) -> LibvirtDriver:
        made.append(driver)
        return driver

    yield track
    for driver in made:
        for uuid in driver.list_instances():
            try:
                paths = [d["path"] or "" for d in driver.instance_info(uuid)["disks"]]
            except DriverError:
                continue
            if any(p.startswith(workdir + os.sep) for p in paths):
                driver.destroy(uuid)
        driver.close()


def make_spec(image: str | None, **extra) -> InstanceSpec:
    uuid = str(uuidlib.uuid4())
    data = {
        "uuid": uuid,
        "name": TEST_PREFIX + uuid[:8],
        "vcpus": 1,
        "memory_mb": 128,
        "root_gb": 1,
        "image_path": image,
        "image_format": "qcow2",
    }
    data.update(extra)
    if "uuid" in extra:
        data["name"] = TEST_PREFIX + extra["uuid"][:8]
    return InstanceSpec.from_dict(data)


@pytest.fixture
def host(workdir, drivers):
    return drivers(make_driver(workdir, "host"))


def test_capabilities_and_host(host):
    assert host.capabilities["supports_migration"] is True
    assert host.capabilities["supports_set_admin_password"] is False
    res = host.host_resources()
    assert res.hypervisor_type == "QEMU" and res.libvirt_uri == QEMU_URI


def test_power_cycle(host, image):
    spec = make_spec(image)
    assert host.spawn(spec) == RUNNING
    info = host.instance_info(spec.uuid)
    root = info["disks"][0]
    assert root["device"] == "vda" and root["path"] == os.path.join(host.instance_dir(spec.uuid), "disk")
    assert disks.in_use(root["path"]) and not disks.in_use(image)
    assert host.pause(spec.uuid) == PAUSED
    assert host.unpause(spec.uuid) == RUNNING
    assert host.suspend(spec.uuid) == SUSPENDED
    assert host.power_state(spec.uuid) == SUSPENDED
    assert host.resume(spec.uuid) == RUNNING
    started = time.monotonic()
    assert host.power_off(spec.uuid) == SHUTDOWN  # ACPI ignored: destroyed after 1 s
    assert time.monotonic() - started >= 1
    assert host.power_on(spec.uuid) == RUNNING
    assert host.reboot(spec.uuid, hard=False) == RUNNING  # falls back to hard
    assert host.reboot(spec.uuid, hard=True) == RUNNING
    host.inject_nmi(spec.uuid)
    with pytest.raises(NotSupported, match="guest agent"):
        host.set_admin_password(spec.uuid, "s3cret")


def test_snapshot_of_a_running_guest(host, image, workdir):
    spec = make_spec(image)
    host.spawn(spec)
    dest = os.path.join(workdir, "snap", "image.qcow2")
    result = host.snapshot(spec.uuid, dest)
    assert result["disk_format"] == "qcow2" and result["size"] == os.path.getsize(dest)
    assert result["checksum"] == disks.md5(dest)
    info = disks.info(dest)
    assert "backing-filename" not in info and info["virtual-size"] == disks.GIB
    assert host.power_state(spec.uuid) == RUNNING  # paused for the copy, then resumed


def test_volume_hotplug(host, image, workdir):
    spec = make_spec(image)
    host.spawn(spec)
    path = os.path.join(workdir, "vol1.raw")
    subprocess.run(["qemu-img", "create", "-f", "raw", path, "8M"], check=True, capture_output=True)
    vol = {"id": str(uuidlib.uuid4()), "path": path, "format": "raw"}
    assert host.attach_volume(spec.uuid, vol) == "sdb"
    assert host.attach_volume(spec.uuid, vol) == "sdb"
    live = host.instance_info(spec.uuid)["volumes"]
    assert [(v["id"], v["device"]) for v in live] == [(vol["id"], "sdb")]
    host.detach_volume(spec.uuid, vol["id"])  # scsi: QEMU unplugs without the guest
    assert host.instance_info(spec.uuid)["volumes"] == []
    host.power_off(spec.uuid, clean_shutdown=False)
    assert host.instance_info(spec.uuid)["volumes"] == []  # gone from the definition too
    # a stopped guest: the definition only
    assert host.attach_volume(spec.uuid, vol, "sdc") == "sdc"
    assert host.power_on(spec.uuid) == RUNNING
    assert [v["device"] for v in host.instance_info(spec.uuid)["volumes"]] == ["sdc"]


@pytest.mark.parametrize("nic_type", ["ethernet", "user"])
def test_nic_hotplug(workdir, drivers, image, nic_type):
    host = drivers(make_driver(workdir, "nic-" + nic_type, nic_type=nic_type))
    spec = make_spec(image)
    host.spawn(spec)
    port = {"id": str(uuidlib.uuid4()), "mac_address": "fa:16:3e:12:34:56"}
    host.attach_interface(spec.uuid, port)
    host.attach_interface(spec.uuid, port)
    nics = host.instance_info(spec.uuid)["interfaces"]
    assert [(n["id"], n["mac_address"], n["type"]) for n in nics] == [(port["id"], port["mac_address"], nic_type)]
    # A PCI NIC is only released by a guest OS; without one it stays until power off.
    with pytest.raises(DriverError, match="did not release"):
        host.detach_interface(spec.uuid, port["id"])
    host.power_off(spec.uuid, clean_shutdown=False)
    assert host.instance_info(spec.uuid)["interfaces"] == []


def test_rescue_rebuild_and_redefine(host, image, workdir):
    spec = make_spec(image)
    host.spawn(spec)
    rescue_image = os.path.join(workdir, "rescue.raw")
    subprocess.run(["qemu-img", "create", "-f", "raw", rescue_image, "8M"], check=True, capture_output=True)
    assert host.rescue(spec, rescue_image) == RUNNING
    devs = {d["device"]: d["path"] for d in host.instance_info(spec.uuid)["disks"]}
    inst = host.instance_dir(spec.uuid)
    assert devs == {"vda": os.path.join(inst, "disk.rescue"), "vdb": os.path.join(inst, "disk")}
    assert host.unrescue(spec.uuid) == RUNNING
    assert [d["device"] for d in host.instance_info(spec.uuid)["disks"]] == ["vda"]
    assert not os.path.exists(os.path.join(inst, "disk.rescue"))

    disk = os.path.join(inst, "disk")
    host.power_off(spec.uuid, clean_shutdown=False)
    qemu_io(disk, "write -P 0xab 0 64k")  # the guest "writes" to its disk
    qemu_io(disk, "read -P 0xab 0 64k")
    assert host.rebuild(spec, power_on=False) == SHUTDOWN
    qemu_io(disk, "read -P 0 0 64k")  # a fresh root disk from the image
    assert host.rebuild(spec, power_on=True) == RUNNING

    bigger = make_spec(image, uuid=spec.uuid, vcpus=2, memory_mb=192, root_gb=2)
    assert host.redefine(bigger, power_on=True) == RUNNING
    info = host.instance_info(spec.uuid)
    assert (info["vcpus"], info["memory_mb"]) == (2, 192)
    assert disks.virtual_size(disk, force_share=True) == 2 * disks.GIB


def test_cold_migration_between_directories(workdir, drivers, image):
    a = drivers(make_driver(workdir, "a"))
    b = drivers(make_driver(workdir, "b"))
    spec = make_spec(image)
    a.spawn(spec)
    handed = a.migrate_disk_and_power_off(spec.uuid, clean_shutdown=False)
    assert handed["disk_path"] == os.path.join(a.instance_dir(spec.uuid) + "_resize", "disk")
    bigger = make_spec(image, uuid=spec.uuid, memory_mb=192, root_gb=2)
    assert b.finish_migration(bigger, handed["disk_path"], power_on=True) == RUNNING
    disk = b.instance_info(spec.uuid)["disks"][0]["path"]
    assert disk == os.path.join(b.instance_dir(spec.uuid), "disk")
    info = disks.info(disk, force_share=True)
    assert info["virtual-size"] == 2 * disks.GIB and "backing-filename" not in info
    # revert: the destination goes, the source comes back with the old flavor
    b.destroy(spec.uuid)
    assert a.finish_revert_migration(spec, power_on=True) == RUNNING
    assert a.instance_info(spec.uuid)["memory_mb"] == 128
    assert a.instance_info(spec.uuid)["disks"][0]["path"] == os.path.join(a.instance_dir(spec.uuid), "disk")
    # and again, confirmed this time
    handed = a.migrate_disk_and_power_off(spec.uuid, clean_shutdown=False)
    assert b.finish_migration(bigger, handed["disk_path"], power_on=False) == SHUTDOWN
    a.confirm_migration(spec.uuid)
    assert not os.path.exists(a.instance_dir(spec.uuid) + "_resize")
    assert b.power_on(spec.uuid) == RUNNING


@pytest.fixture
def pair(workdir, drivers):
    a = drivers(make_driver(workdir, "src", migration_uri=QEMU_TCP_URI))
    b = drivers(make_driver(workdir, "dst", uri=PEER_URI))
    return a, b


@needs_peer
def test_live_block_migration_and_back(pair, image):
    a, b = pair
    spec = make_spec(image)
    a.spawn(spec)
    prepared = b.prepare_live_migration_destination(spec)
    dest_disk = prepared["disk_path"]
    assert dest_disk == os.path.join(b.instance_dir(spec.uuid), "disk")
    assert prepared["console_log"] == os.path.join(b.instance_dir(spec.uuid), "console.log")
    a.live_migrate(
        spec.uuid,
        b.host_resources().libvirt_uri,
        block_migration=True,
        dest_disk_path=dest_disk,
        dest_console_log=prepared["console_log"],
        migrate_uri="tcp://127.0.0.1",
    )
    assert a.power_state(spec.uuid) == NOSTATE
    assert not os.path.exists(a.instance_dir(spec.uuid))  # the source copy is removed
    assert b.power_state(spec.uuid) == RUNNING
    assert b.instance_info(spec.uuid)["disks"][0]["path"] == dest_disk
    assert b.instance_info(spec.uuid)["persistent"] is True
    # back, without copying the disk: same file seen by both (local fs: UNSAFE); the console
    # log moves into the destination's instance directory (the source's was removed)
    back = a.prepare_live_migration_destination(spec, block_migration=False)
    b.live_migrate(
        spec.uuid,
        a.host_resources().libvirt_uri,
        block_migration=False,
        dest_console_log=back["console_log"],
        migrate_uri="tcp://127.0.0.1",
    )
    assert a.power_state(spec.uuid) == RUNNING and b.power_state(spec.uuid) == NOSTATE
    assert a.instance_info(spec.uuid)["disks"][0]["path"] == dest_disk
    b.destroy(spec.uuid)  # a conductor's clean-up of the source must not delete a disk in use
    assert os.path.exists(dest_disk)
    assert a.reboot(spec.uuid, hard=True) == RUNNING
    # a resize of a guest whose disk lives outside its instance directory
    handed = a.migrate_disk_and_power_off(spec.uuid, clean_shutdown=False)
    assert handed["disk_path"] == dest_disk  # left where it is
    assert a.finish_migration(spec, handed["disk_path"], power_on=True) == RUNNING
    assert a.instance_info(spec.uuid)["disks"][0]["path"] == os.path.join(a.instance_dir(spec.uuid), "disk")


@pytest.fixture
def big_image(workdir):
    """An image with 48 MiB of random data, so a block migration at 1 MiB/s takes long."""
    path = os.path.join(workdir, "big.raw")
    with open(path, "wb") as fh:
        fh.write(os.urandom(48 * MIB))
    return path


def migration_job_running(uuid: str) -> bool:
    """libvirt runs a job on the guest: the migration has started (asked on a connection of
    the test's own; the driver's is busy with it)."""
    conn = libvirt.open(QEMU_URI)
    try:
        return conn.lookupByUUIDString(uuid).jobInfo()[0] != libvirt.VIR_DOMAIN_JOB_NONE
    finally:
        conn.close()


@needs_peer
def test_live_migration_abort_and_force_complete(pair, big_image):
    a, b = pair
    spec = make_spec(big_image, image_format="raw")
    a.spawn(spec)
    dest_disk = b.prepare_live_migration_destination(spec)["disk_path"]
    failure: list[BaseException] = []

    def migrate() -> None:
        try:
            a.live_migrate(
                spec.uuid,
                PEER_URI,
                block_migration=True,
                dest_disk_path=dest_disk,
                migrate_uri="tcp://127.0.0.1",
                bandwidth_mib=1,
            )
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=migrate)
    worker.start()
    wait_until(lambda: migration_job_running(spec.uuid), 30, what=f"a migration job on {spec.uuid}")
    a.force_live_migration_complete(spec.uuid)
    assert a.power_state(spec.uuid) == PAUSED
    a.abort_live_migration(spec.uuid)
    worker.join(30)
    assert not worker.is_alive()
    assert len(failure) == 1 and isinstance(failure[0], MigrationAborted)
    assert a.power_state(spec.uuid) == RUNNING  # resumed after the failed migration
    assert b.power_state(spec.uuid) == NOSTATE
    b.cleanup_live_migration_destination(spec.uuid)
    assert not os.path.exists(b.instance_dir(spec.uuid))
    a.abort_live_migration(spec.uuid)  # nothing running: fine

    dest_disk = b.prepare_live_migration_destination(spec)["disk_path"]
    with pytest.raises(DriverError, match="did not complete within 1 s"):
        a.live_migrate(
            spec.uuid,
            PEER_URI,
            block_migration=True,
            dest_disk_path=dest_disk,
            migrate_uri="tcp://127.0.0.1",
            bandwidth_mib=1,
            timeout=1,
        )
    assert a.power_state(spec.uuid) == RUNNING


def test_resize_refuses_a_smaller_disk(workdir, drivers, image):
    a = drivers(make_driver(workdir, "a"))
    spec = make_spec(image, root_gb=2)
    a.spawn(spec)
    handed = a.migrate_disk_and_power_off(spec.uuid, clean_shutdown=False)
    smaller = make_spec(image, uuid=spec.uuid, root_gb=1)
    with pytest.raises(DriverError, match="cannot resize"):
        a.finish_migration(smaller, handed["disk_path"], power_on=True)
    assert not os.path.exists(os.path.join(a.instance_dir(spec.uuid), "disk"))
    assert a.finish_revert_migration(spec, power_on=True) == RUNNING
    assert disks.virtual_size(handed["disk_path"].replace("_resize", ""), force_share=True) == 2 * disks.GIB
