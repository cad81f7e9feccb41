"""LibvirtDriver.get_diagnostics and get_console_output against libvirt's in-process test
driver, and the domain XML's console log (no mocks, no database)."""

from __future__ import annotations

import uuid as uuidlib

import pytest

pytest.importorskip("libvirt")

from workers.virt.driver import ConsoleNotAvailable, InstanceNotFound, InstanceSpec
from workers.virt.libvirt import LibvirtDriver
from workers.virt.libvirt import xml as dxml


@pytest.fixture
def driver(tmp_path):
    drv = LibvirtDriver("test:///default", instances_dir=str(tmp_path / "instances"))
    yield drv
    drv.close()


def spec(**extra) -> InstanceSpec:
    return InstanceSpec(uuid=str(uuidlib.uuid4()), name="instance-0000d1a9", vcpus=2, memory_mb=256, root_gb=1, **extra)


def test_diagnostics_of_a_running_guest(driver):
    guest = spec(interfaces=[{"id": str(uuidlib.uuid4()), "mac_address": "fa:16:3e:00:00:09"}])
    driver.spawn(guest)
    try:
        diagnostics = driver.get_diagnostics(guest.uuid)
    finally:
        driver.destroy(guest.uuid)
    assert diagnostics["state"] == "running" and diagnostics["driver"] == "libvirt"
    assert diagnostics["num_cpus"] == 2 and len(diagnostics["cpu_details"]) == 2
    assert diagnostics["memory_details"] == {"maximum": 256, "used": 256}
    assert diagnostics["num_nics"] == 1 and diagnostics["nic_details"][0]["mac_address"] == "fa:16:3e:00:00:09"
    assert diagnostics["num_disks"] == 0 and diagnostics["disk_details"] == []


def test_diagnostics_of_a_missing_guest(driver):
    with pytest.raises(InstanceNotFound):
        driver.get_diagnostics(str(uuidlib.uuid4()))


def test_a_test_guest_has_no_console_log(driver):
    guest = spec()
    driver.spawn(guest)
    try:
        with pytest.raises(ConsoleNotAvailable):
            driver.get_console_output(guest.uuid)
    finally:
        driver.destroy(guest.uuid)


def test_qemu_guests_log_their_serial_console(tmp_path):
    root = dxml.build_domain(spec(), domain_type="qemu", console_log=str(tmp_path / "console.log"))
    assert dxml.console_log_path(root) == str(tmp_path / "console.log")
    assert dxml.console_log_path(dxml.build_domain(spec(), domain_type="test")) is None
