"""The server lifecycle in LibvirtDriver (power, password, NMI, snapshot, rescue, rebuild),
against libvirt's real in-process test driver (no mocks, no Django). Devices, inventory and
what the real-QEMU paths do without a daemon are in test_virt_devices.py, moving guests in
test_virt_migration.py; tests that need a libvirtd (qemu:///system) are in
test_virt_qemu.py. The helpers here (make_spec, volume, port, host_driver) serve them all.

Run: .venv/bin/python -m pytest -q -p no:django --noconftest tests/test_virt_lifecycle.py
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid as uuidlib
import xml.etree.ElementTree as ET

import pytest

libvirt = pytest.importorskip("libvirt")

from workers.virt.driver import (  # noqa: E402
    PAUSED,
    RUNNING,
    SHUTDOWN,
    SUSPENDED,
    DriverError,
    InstanceNotFound,
    InstanceSpec,
)
from workers.virt.libvirt import (  # noqa: E402
    LibvirtDriver,
)

EMPTY_MD5 = hashlib.md5(b"").hexdigest()


def make_spec(n: int = 1, **extra) -> InstanceSpec:
    data = {
        "uuid": str(uuidlib.uuid4()),
        "name": f"instance-{n:08x}",
        "vcpus": 1,
        "memory_mb": 128,
        "root_gb": 1,
        "metadata": {"flavor_name": "m1.tiny"},
    }
    data.update(extra)
    return InstanceSpec.from_dict(data)


def volume(n: int = 1, path: str = "/srv/volumes/v.raw") -> dict:
    return {"id": f"00000000-0000-0000-0000-{n:012x}", "path": path, "format": "raw"}


def port(n: int = 1) -> dict:
    return {"id": f"00000000-0000-0000-0000-{1000 + n:012x}", "mac_address": f"FA:16:3E:00:00:{n:02X}"}


def node(root: ET.Element, path: str) -> ET.Element:
    """The element at ``path`` under ``root``, which the test expects to be there."""
    found = root.find(path)
    assert found is not None, f"no {path} in the domain XML"
    return found


def host_driver(tmp_path, name: str = "host", vcpus: int = 8) -> LibvirtDriver:
    # node sizes make it connect to test:///<own node file>: its own, separate host
    return LibvirtDriver(
        "test:///default", instances_dir=str(tmp_path / name), node_vcpus=vcpus, node_memory_mb=16384, node_disk_gb=100
    )


@pytest.fixture
def driver(tmp_path):
    drv = host_driver(tmp_path)
    yield drv
    drv.close()


@pytest.fixture
def guest(driver):
    spec = make_spec()
    assert driver.spawn(spec) == RUNNING
    return spec


# -- power ---------------------------------------------------------------------------------------


def test_stop_and_start(driver, guest):
    assert driver.power_off(guest.uuid) == SHUTDOWN
    assert driver.power_state(guest.uuid) == SHUTDOWN
    assert driver.power_off(guest.uuid) == SHUTDOWN  # idempotent
    assert driver.power_on(guest.uuid) == RUNNING
    assert driver.power_on(guest.uuid) == RUNNING
    assert driver.power_off(guest.uuid, clean_shutdown=False) == SHUTDOWN
    assert driver.power_on(guest.uuid) == RUNNING


def test_reboot_keeps_it_running(driver, guest):
    assert driver.reboot(guest.uuid, hard=False) == RUNNING
    assert driver.reboot(guest.uuid, hard=True) == RUNNING
    driver.power_off(guest.uuid)
    assert driver.reboot(guest.uuid, hard=False) == RUNNING  # not running: done hard
    driver.pause(guest.uuid)
    assert driver.reboot(guest.uuid, hard=True) == RUNNING
    driver.suspend(guest.uuid)
    assert driver.reboot(guest.uuid, hard=True) == RUNNING
    assert not driver._get_conn().lookupByUUIDString(guest.uuid).hasManagedSaveImage(0)


def test_pause_and_unpause(driver, guest):
    assert driver.pause(guest.uuid) == PAUSED
    assert driver.pause(guest.uuid) == PAUSED
    assert driver.list_instances() == {guest.uuid: PAUSED}
    assert driver.unpause(guest.uuid) == RUNNING
    assert driver.unpause(guest.uuid) == RUNNING
    driver.power_off(guest.uuid)
    with pytest.raises(DriverError, match="not running"):
        driver.pause(guest.uuid)
    with pytest.raises(DriverError, match="not paused"):
        driver.unpause(guest.uuid)


def test_suspend_is_managed_save_reported_as_7(driver, guest):
    assert driver.suspend(guest.uuid) == SUSPENDED
    dom = driver._get_conn().lookupByUUIDString(guest.uuid)
    assert dom.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF and dom.hasManagedSaveImage(0)
    assert driver.power_state(guest.uuid) == SUSPENDED
    assert driver.list_instances() == {guest.uuid: SUSPENDED}
    assert driver.instance_info(guest.uuid)["power_state"] == SUSPENDED
    assert driver.suspend(guest.uuid) == SUSPENDED  # idempotent
    assert driver.resume(guest.uuid) == RUNNING
    assert not dom.hasManagedSaveImage(0)
    assert driver.resume(guest.uuid) == RUNNING
    # a paused guest can be suspended too, and resume makes it run
    driver.pause(guest.uuid)
    assert driver.suspend(guest.uuid) == SUSPENDED
    assert driver.resume(guest.uuid) == RUNNING


def test_stop_discards_the_saved_state(driver, guest):
    driver.suspend(guest.uuid)
    assert driver.power_off(guest.uuid) == SHUTDOWN
    assert not driver._get_conn().lookupByUUIDString(guest.uuid).hasManagedSaveImage(0)
    with pytest.raises(DriverError, match="not running"):
        driver.suspend(guest.uuid)
    assert driver.power_on(guest.uuid) == RUNNING


def test_missing_guest_raises_instance_not_found(driver):
    missing = str(uuidlib.uuid4())
    for call in (
        driver.power_off,
        driver.power_on,
        driver.pause,
        driver.unpause,
        driver.suspend,
        driver.resume,
        driver.unrescue,
        driver.inject_nmi,
        driver.instance_info,
        driver.export_guest,
        driver.migrate_disk_and_power_off,
    ):
        with pytest.raises(InstanceNotFound):
            call(missing)
    with pytest.raises(InstanceNotFound):
        driver.reboot(missing, hard=True)
    with pytest.raises(InstanceNotFound):
        driver.attach_volume(missing, volume())
    assert issubclass(InstanceNotFound, DriverError)


def test_operations_on_one_guest_are_serialised(driver, guest):
    errors = []

    def flip(n: int) -> None:
        try:
            for _ in range(20):
                (driver.suspend if n % 2 else driver.resume)(guest.uuid)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=flip, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert driver.power_state(guest.uuid) in (RUNNING, SUSPENDED)


# -- password, NMI, snapshot ------------------------------------------------------------------


def test_password_and_nmi_on_the_test_driver(driver, guest):
    assert driver.capabilities["supports_set_admin_password"] is True
    assert driver.capabilities["supports_nmi"] is True
    assert driver.set_admin_password(guest.uuid, "s3cret") is None
    assert driver.inject_nmi(guest.uuid) is None
    driver.power_off(guest.uuid)
    with pytest.raises(DriverError, match="not running"):
        driver.set_admin_password(guest.uuid, "s3cret")
    with pytest.raises(DriverError, match="not running"):
        driver.inject_nmi(guest.uuid)


def test_snapshot_without_disk_writes_an_empty_image(driver, guest, tmp_path):
    dest = tmp_path / "images" / "snap.qcow2"
    result = driver.snapshot(guest.uuid, str(dest))
    assert result == {"size": 0, "checksum": EMPTY_MD5, "disk_format": "qcow2"}
    assert dest.read_bytes() == b""
    assert driver.power_state(guest.uuid) == RUNNING
    assert driver.snapshot(guest.uuid, str(dest), "raw")["disk_format"] == "raw"
    with pytest.raises(ValueError):
        driver.snapshot(guest.uuid, str(dest), "vmdk")


# -- rescue, rebuild, redefine ---------------------------------------------------------------


def test_rescue_and_unrescue(driver, guest):
    driver.attach_volume(guest.uuid, volume())
    assert driver.rescue(guest, None) == RUNNING
    info = driver.instance_info(guest.uuid)
    assert info["rescued"] is True and info["power_state"] == RUNNING
    assert [v["id"] for v in info["volumes"]] == [volume()["id"]]
    saved = os.path.join(driver.instance_dir(guest.uuid), "unrescue.xml")
    assert os.path.exists(saved)
    assert driver.rescue(guest, None) == RUNNING  # idempotent
    assert driver.unrescue(guest.uuid) == RUNNING
    info = driver.instance_info(guest.uuid)
    assert info["rescued"] is False and len(info["volumes"]) == 1
    assert not os.path.exists(saved)
    assert driver.unrescue(guest.uuid) == RUNNING


def test_rebuild_keeps_uuid_devices_and_power_state(driver, guest):
    driver.attach_volume(guest.uuid, volume())
    driver.attach_interface(guest.uuid, port())
    new = make_spec(uuid=guest.uuid, image_path="/images/other.qcow2")
    assert driver.rebuild(new, power_on=True) == RUNNING
    info = driver.instance_info(guest.uuid)
    assert driver.list_instances() == {guest.uuid: RUNNING}
    assert [v["id"] for v in info["volumes"]] == [volume()["id"]]
    assert [n["mac_address"] for n in info["interfaces"]] == [port()["mac_address"].lower()]
    driver.power_off(guest.uuid)
    assert driver.rebuild(new, power_on=False) == SHUTDOWN  # stopped stays stopped
    # evacuate: a host that does not have the guest builds it
    other = make_spec(2)
    assert driver.rebuild(other, power_on=True) == RUNNING


def test_redefine_resizes_in_place(driver, guest):
    driver.attach_volume(guest.uuid, volume())
    bigger = make_spec(uuid=guest.uuid, vcpus=2, memory_mb=256, root_gb=2)
    assert driver.redefine(bigger, power_on=True) == RUNNING
    info = driver.instance_info(guest.uuid)
    assert (info["vcpus"], info["memory_mb"]) == (2, 256)
    assert len(info["volumes"]) == 1
    assert driver.redefine(guest, power_on=False) == SHUTDOWN
    assert driver.instance_info(guest.uuid)["memory_mb"] == 128
