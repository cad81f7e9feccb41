"""The real guest image (scripts/guest-image.sh) on a real libvirtd with QEMU (TCG): it boots
from its one disk to a banner on the serial console, powers off on ACPI, reboots, and reports
hot-plugged disks and NICs; and LibvirtDriver's clean stop and soft reboot no longer wait out
their timeout. Skipped when no daemon answers at qemu:///system (start two with
``scripts/libvirt.sh up``); the image is built, or taken from its cache, once per module.

Environment: VIRT_TEST_QEMU_URI, the daemon under test [qemu:///system].

Run: scripts/libvirt.sh up, then .venv/bin/python -m pytest -q tests/test_guest_image.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid as uuidlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

libvirt = pytest.importorskip("libvirt")

from tests.qemu_hosts import QEMU_URI  # noqa: E402
from tests.waiting import wait_until  # noqa: E402
from workers.virt.driver import RUNNING, SHUTDOWN, InstanceSpec  # noqa: E402
from workers.virt.libvirt import LibvirtDriver  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BANNER = "novasite guest ready"
BOOT_TIMEOUT = 90  # s: about 8 on an idle 2-core machine under TCG; CI machines are shared

pytestmark = pytest.mark.qemu(QEMU_URI)


@pytest.fixture(scope="module")
def guest_image() -> str:
    """The path of the built (or cached) image."""
    done = subprocess.run([str(REPO / "scripts" / "guest-image.sh")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture
def workdir() -> Iterator[str]:
    """A directory QEMU (user libvirt-qemu) can traverse, unlike pytest's tmp_path."""
    path = tempfile.mkdtemp(prefix="novasite-guest-")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def conn() -> Iterator[Any]:
    connection = libvirt.open(QEMU_URI)
    yield connection
    connection.close()


def domain_xml(name: str, disk: str, serial_log: str) -> str:
    """A plain domain: no kernel/initrd settings, the BIOS boots the image's own disk."""
    return f"""<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu current='1'>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'><source path='{serial_log}'/><target port='0'/></serial>
  </devices>
</domain>"""


class Guest:
    """A transient domain booted from a copy of the image, and its serial log."""

    def __init__(self, conn: Any, image: str, workdir: str) -> None:
        self.disk = os.path.join(workdir, "disk.qcow2")
        shutil.copyfile(image, self.disk)
        self.log = os.path.join(workdir, "serial.log")
        self.started = time.monotonic()
        self.dom = conn.createXML(domain_xml("guest-image-" + uuidlib.uuid4().hex[:8], self.disk, self.log), 0)

    def console(self) -> str:
        try:
            return Path(self.log).read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for(self, text: str, count: int = 1, timeout: float = BOOT_TIMEOUT) -> float:
        """Wait until ``text`` is on the console ``count`` times; the seconds since boot."""
        wait_until(
            lambda: self.console().count(text) >= count,
            timeout,
            what=lambda: f"{text!r} x{count} on the console; its tail:\n{self.console()[-1500:]}",
            interval=0.2,
        )
        return time.monotonic() - self.started

    def state(self) -> int:
        try:
            return int(self.dom.state()[0])
        except libvirt.libvirtError:
            return libvirt.VIR_DOMAIN_SHUTOFF  # a transient domain that stopped is gone

    def destroy(self) -> None:
        try:
            self.dom.destroy()
        except libvirt.libvirtError:
            pass


@pytest.fixture
def guest(conn, guest_image, workdir) -> Iterator[Guest]:
    booted = Guest(conn, guest_image, workdir)
    yield booted
    booted.destroy()


def test_it_boots_from_its_disk_and_powers_off_on_acpi(guest):
    took = guest.wait_for(BANNER)
    print(f"boot to banner: {took:.1f} s")
    assert "Linux version" in guest.console()  # the kernel's boot lines are logged too
    guest.dom.shutdown()  # the ACPI power button
    wait_until(lambda: guest.state() == libvirt.VIR_DOMAIN_SHUTOFF, 15, what="the guest powered off")
    assert "ACPI power button: powering off" in guest.console()


def test_it_reboots_soft_and_hard(guest):
    guest.wait_for(BANNER)
    guest.dom.reboot(libvirt.VIR_DOMAIN_REBOOT_ACPI_POWER_BTN)  # libvirt restarts it after
    guest.wait_for(BANNER, count=2)
    assert guest.state() == libvirt.VIR_DOMAIN_RUNNING
    guest.dom.reset(0)
    guest.wait_for(BANNER, count=3)


def test_it_sees_hot_plugged_disks_nics_and_vcpus(guest, workdir):
    guest.wait_for(BANNER)  # printed once the uevent listener runs
    volume = os.path.join(workdir, "volume.raw")
    subprocess.run(["qemu-img", "create", "-f", "raw", volume, "8M"], check=True, capture_output=True)
    disk = f"""<disk type='file' device='disk'><driver name='qemu' type='raw'/>
      <source file='{volume}'/><target dev='vdb' bus='virtio'/></disk>"""
    nic = "<interface type='user'><mac address='52:54:00:4e:0a:01'/><model type='virtio'/></interface>"
    live = libvirt.VIR_DOMAIN_AFFECT_LIVE
    guest.dom.attachDeviceFlags(disk, live)
    guest.wait_for("novasite guest: disk vdb added (8 MiB)", timeout=30)
    guest.dom.attachDeviceFlags(nic, live)
    guest.wait_for("novasite guest: nic eth0 added (52:54:00:4e:0a:01)", timeout=30)
    # PCI unplug needs the guest's help: it releases the devices
    guest.dom.detachDeviceFlags(disk, live)
    guest.wait_for("novasite guest: disk vdb removed", timeout=30)
    guest.dom.detachDeviceFlags(nic, live)
    guest.wait_for("novasite guest: nic eth0 removed", timeout=30)
    xml = guest.dom.XMLDesc(0)
    assert "vdb" not in xml and "52:54:00:4e:0a:01" not in xml
    guest.dom.setVcpusFlags(2, live)
    guest.wait_for("novasite guest: cpu1 online", timeout=30)


def test_the_driver_stops_and_reboots_it_cleanly(guest_image, workdir):
    """With a guest that answers ACPI, a clean stop and a soft reboot take seconds, not the
    driver's shutdown timeout (60 s by default)."""
    driver = LibvirtDriver(QEMU_URI, instances_dir=os.path.join(workdir, "instances"), shutdown_timeout=60)
    uuid = str(uuidlib.uuid4())
    spec = InstanceSpec.from_dict(
        {
            "uuid": uuid,
            "name": "instance-gi" + uuid[:8],
            "vcpus": 1,
            "memory_mb": 128,
            "root_gb": 1,
            "image_path": guest_image,
            "image_format": "qcow2",
        }
    )
    try:
        assert driver.spawn(spec) == RUNNING
        wait_until(lambda: BANNER in driver.get_console_output(uuid), BOOT_TIMEOUT, what="the banner", interval=0.2)
        started = time.monotonic()
        assert driver.reboot(uuid, hard=False) == RUNNING
        assert time.monotonic() - started < 30  # the guest powered off: no fallback to hard
        wait_until(
            lambda: BANNER in driver.get_console_output(uuid),
            BOOT_TIMEOUT,
            what="the banner after reboot",
            interval=0.2,
        )
        started = time.monotonic()
        assert driver.power_off(uuid) == SHUTDOWN
        assert time.monotonic() - started < 30
    finally:
        driver.destroy(uuid)
        driver.close()
