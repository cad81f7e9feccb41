"""The guests' VNC graphics in the domain XML, and get_vnc_console on libvirt's test driver
(its guests have no graphics). A real guest's VNC: tests/browser/test_vnc_console.py."""

from __future__ import annotations

import uuid as uuidlib

import pytest

pytest.importorskip("libvirt")

from workers.virt.driver import ConsoleTypeUnavailable, InstanceNotFound, InstanceSpec
from workers.virt.libvirt import LibvirtDriver
from workers.virt.libvirt import xml as dxml


def spec() -> InstanceSpec:
    return InstanceSpec(uuid=str(uuidlib.uuid4()), name="instance-0000c0de", vcpus=1, memory_mb=128, root_gb=1)


def test_a_qemu_guest_listens_for_vnc_on_the_hosts_address():
    root = dxml.build_domain(spec(), domain_type="qemu", disk_path="/x/disk", vnc_listen="192.0.2.7")
    graphics = root.findall("devices/graphics")
    assert len(graphics) == 1
    assert graphics[0].attrib == {"type": "vnc", "port": "-1", "autoport": "yes", "listen": "192.0.2.7"}
    assert dxml.required(graphics[0], "listen").attrib == {"type": "address", "address": "192.0.2.7"}
    # the serial console that os-getConsoleOutput reads is still there
    assert dxml.required(root, "devices/serial").get("type") == "pty"


def test_without_an_address_or_on_the_test_driver_there_are_no_graphics():
    assert dxml.build_domain(spec(), domain_type="qemu").find("devices/graphics") is None
    assert dxml.build_domain(spec(), domain_type="test", vnc_listen="127.0.0.1").find("devices/graphics") is None


def test_the_vnc_address_is_read_from_a_running_guests_live_xml():
    defined = dxml.build_domain(spec(), domain_type="qemu", vnc_listen="127.0.0.1")
    assert dxml.has_vnc(defined) and dxml.vnc_address(defined) is None  # port -1: not running
    live = dxml.parse(
        "<domain><devices><graphics type='vnc' port='5903' autoport='yes' listen='127.0.0.1'>"
        "<listen type='address' address='127.0.0.1'/></graphics></devices></domain>"
    )
    assert dxml.vnc_address(live) == ("127.0.0.1", 5903)
    assert not dxml.has_vnc(dxml.parse("<domain><devices/></domain>"))


def test_a_test_driver_guest_has_no_vnc_console(tmp_path):
    driver = LibvirtDriver("test:///default", instances_dir=str(tmp_path / "instances"))
    guest = spec()
    try:
        driver.spawn(guest)
        with pytest.raises(ConsoleTypeUnavailable, match="Unavailable console type vnc."):
            driver.get_vnc_console(guest.uuid)
        driver.destroy(guest.uuid)
        with pytest.raises(InstanceNotFound):
            driver.get_vnc_console(guest.uuid)
    finally:
        driver.close()
