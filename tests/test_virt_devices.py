"""LibvirtDriver's devices (volumes and NICs: on the test driver, the persistent
definition), its host inventory, and what the real-QEMU paths do without a daemon (domain
XML, qemu-img), against libvirt's real in-process test driver (no mocks, no Django). The
lifecycle is in test_virt_lifecycle.py.

Run: .venv/bin/python -m pytest -q -p no:django --noconftest tests/test_virt_devices.py
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import uuid as uuidlib
from pathlib import Path

import pytest

libvirt = pytest.importorskip("libvirt")

from tests.test_virt_lifecycle import host_driver, make_spec, node, port, volume  # noqa: E402
from workers.virt.driver import (  # noqa: E402
    RUNNING,
    ComputeDriver,
    DriverError,
    HostResources,
    InstanceSpec,
    NotSupported,
)
from workers.virt.libvirt import (  # noqa: E402
    LibvirtDriver,
    disks,
)
from workers.virt.libvirt import xml as dxml  # noqa: E402


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


# -- volumes and NICs (test driver: the persistent definition) ---------------------------------


def test_attach_and_detach_volume(driver, guest):
    v1, v2, v3 = volume(1), volume(2, "/srv/v2.qcow2"), volume(3)
    v2["format"] = "qcow2"
    assert driver.attach_volume(guest.uuid, v1) == "sdb"
    assert driver.attach_volume(guest.uuid, v1) == "sdb"  # idempotent
    assert driver.attach_volume(guest.uuid, v2, "/dev/sdd") == "sdd"
    assert driver.attach_volume(guest.uuid, v3, "vdb") == "sdc"  # not a scsi name: chosen
    info = driver.instance_info(guest.uuid)
    assert {v["id"]: v["device"] for v in info["volumes"]} == {v1["id"]: "sdb", v2["id"]: "sdd", v3["id"]: "sdc"}
    disk = next(d for d in info["disks"] if d["serial"] == v2["id"])
    assert disk == {"device": "sdd", "bus": "scsi", "path": "/srv/v2.qcow2", "format": "qcow2", "serial": v2["id"]}
    driver.detach_volume(guest.uuid, v1["id"])
    driver.detach_volume(guest.uuid, v1["id"])  # idempotent
    assert {v["id"] for v in driver.instance_info(guest.uuid)["volumes"]} == {v2["id"], v3["id"]}
    # the definition survives a restart (that is all the test driver can change)
    driver.power_off(guest.uuid)
    driver.power_on(guest.uuid)
    assert len(driver.instance_info(guest.uuid)["volumes"]) == 2
    with pytest.raises(ValueError):
        driver.attach_volume(guest.uuid, {"id": "x", "path": "relative", "format": "raw"})
    with pytest.raises(ValueError):
        driver.attach_volume(guest.uuid, {"id": "x", "path": "/v", "format": "vmdk"})


def test_attach_and_detach_interface(driver, guest):
    p1, p2 = port(1), port(2)
    driver.attach_interface(guest.uuid, p1)
    driver.attach_interface(guest.uuid, p1)  # idempotent
    driver.attach_interface(guest.uuid, p2)
    nics = driver.instance_info(guest.uuid)["interfaces"]
    assert [(n["id"], n["mac_address"], n["type"], n["model"]) for n in nics] == [
        (p1["id"], "fa:16:3e:00:00:01", "ethernet", "virtio"),
        (p2["id"], "fa:16:3e:00:00:02", "ethernet", "virtio"),
    ]
    driver.detach_interface(guest.uuid, p1["id"])
    driver.detach_interface(guest.uuid, p1["id"])
    driver.detach_interface(guest.uuid, "FA:16:3E:00:00:02")  # by MAC works too
    assert driver.instance_info(guest.uuid)["interfaces"] == []
    with pytest.raises(ValueError):
        driver.attach_interface(guest.uuid, {"id": "p", "mac_address": "nope"})


def test_spawn_with_devices_in_the_spec(driver):
    spec = make_spec(volumes=[volume(5)], interfaces=[port(5)])
    assert InstanceSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    driver.spawn(spec)
    info = driver.instance_info(spec.uuid)
    assert [(v["id"], v["device"]) for v in info["volumes"]] == [(volume(5)["id"], "sdb")]
    assert [n["id"] for n in info["interfaces"]] == [port(5)["id"]]
    json.dumps(info)
    with pytest.raises(ValueError):
        make_spec(volumes=[{"id": "v"}])


def test_a_volume_backed_guest_boots_from_its_root_volume(driver):
    root = {**volume(7, "/srv/volumes/root.qcow2"), "format": "qcow2"}
    spec = make_spec(root_volume=root, volumes=[volume(8), {**root, "device": "vda"}])
    assert InstanceSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    driver.spawn(spec)
    disks = {d["serial"]: (d["device"], d["bus"], d["path"]) for d in driver.instance_info(spec.uuid)["disks"]}
    # the root volume is the virtio vda, once (not again as a scsi volume); others are scsi
    assert disks == {root["id"]: ("vda", "virtio", root["path"]), volume(8)["id"]: ("sdb", "scsi", volume(8)["path"])}
    qemu = dxml.build_domain(spec, domain_type="qemu", disk_path=None)
    assert [d["device"] for d in dxml.disks(qemu)] == ["vda", "sdb"]
    with pytest.raises(ValueError):
        make_spec(root_volume={"id": "v"})


# -- inventory -------------------------------------------------------------------------------


def test_host_resources_libvirt_uri(tmp_path):
    plain = LibvirtDriver("test:///default", instances_dir=str(tmp_path / "p"))
    peer = LibvirtDriver(
        "test:///default", instances_dir=str(tmp_path / "q"), migration_uri="qemu+tcp://10.0.0.2/system"
    )
    try:
        assert plain.host_resources().libvirt_uri == "test:///default"
        assert peer.host_resources().to_dict()["libvirt_uri"] == "qemu+tcp://10.0.0.2/system"
    finally:
        plain.close()
        peer.close()


def test_instance_info_shape(driver, guest):
    info = driver.instance_info(guest.uuid)
    assert info == {
        "power_state": RUNNING,
        "vcpus": 1,
        "memory_mb": 128,
        "disks": [],
        "interfaces": [],
        "volumes": [],
        "rescued": False,
        "persistent": True,
    }


def test_interface_defaults_say_not_supported(tmp_path):
    class Minimal(ComputeDriver):
        """Only the abstract methods; none of them is called."""

        def host_resources(self) -> HostResources:
            raise AssertionError

        def power_state(self, uuid: str) -> int:
            raise AssertionError

        def list_instances(self) -> dict[str, int]:
            raise AssertionError

        def spawn(self, spec: InstanceSpec) -> int:
            raise AssertionError

        def destroy(self, uuid: str) -> None:
            raise AssertionError

        def close(self) -> None:
            raise AssertionError

    drv = Minimal("none:///", instances_dir=str(tmp_path))
    assert drv.capabilities == dict.fromkeys(ComputeDriver.CAPABILITIES, False)
    with pytest.raises(NotSupported, match="pause is not supported by Minimal"):
        drv.pause(str(uuidlib.uuid4()))
    # reports from before libvirt_uri existed still load
    old = {
        "vcpus": 1,
        "memory_mb": 1,
        "disk_gb": 1,
        "hypervisor_type": "QEMU",
        "hypervisor_version": 1,
        "hypervisor_hostname": "h",
        "cpu_info": "{}",
    }
    assert HostResources.from_dict(old).libvirt_uri == ""


def test_nic_type_is_checked(tmp_path):
    with pytest.raises(ValueError):
        LibvirtDriver("test:///default", instances_dir=str(tmp_path), nic_type="bridge")


# -- real-QEMU paths without a daemon ----------------------------------------------------------


def test_qemu_domain_has_scsi_volumes_and_nics(tmp_path):
    drv = LibvirtDriver("qemu:///system", instances_dir=str(tmp_path), nic_type="user")
    spec = make_spec(volumes=[volume(1), dict(volume(2), device="sdd")], interfaces=[port(1)])
    root = dxml.parse(drv.domain_xml(spec, "/i/disk", volumes=[volume(3)]))
    assert root.get("type") == "qemu"
    assert node(root, "devices/controller").attrib == {"type": "scsi", "index": "0", "model": "virtio-scsi"}
    assert [(d["device"], d["bus"], d["serial"]) for d in dxml.disks(root)] == [
        ("vda", "virtio", None),
        ("sdb", "scsi", volume(1)["id"]),
        ("sdd", "scsi", volume(2)["id"]),
        ("sdc", "scsi", volume(3)["id"]),
    ]
    nic = node(root, "devices/interface")
    assert nic.get("type") == "user"
    assert node(nic, "alias").get("name") == "ua-port-" + port(1)["id"]
    assert node(nic, "mac").get("address") == "fa:16:3e:00:00:01"
    assert dxml.root_disk_path(root) == "/i/disk"


def test_rescue_xml_boots_the_rescue_disk(tmp_path):
    drv = LibvirtDriver("qemu:///system", instances_dir=str(tmp_path))
    spec = make_spec(volumes=[volume()])
    original = dxml.parse(drv.domain_xml(spec, "/i/disk"))
    rescue = dxml.rescue_domain(original, "/i/disk.rescue")
    assert dxml.is_rescue(rescue) and not dxml.is_rescue(original)
    assert rescue.find("os/boot") is None
    devs = {d["device"]: d["path"] for d in dxml.disks(rescue)}
    assert devs["vda"] == "/i/disk.rescue" and devs["vdb"] == "/i/disk"
    assert node(rescue, "devices/disk/boot").get("order") == "1"
    assert dxml.root_disk_path(rescue) == "/i/disk"


@pytest.mark.skipif(shutil.which("qemu-img") is None, reason="qemu-img not installed")
def test_qemu_img_convert_grow_and_md5(tmp_path):
    """What snapshot and finish_migration do to a real qcow2 overlay, without libvirtd."""
    image = tmp_path / "image.qcow2"
    subprocess.run(["qemu-img", "create", "-f", "qcow2", str(image), "16M"], check=True, capture_output=True)
    mib = 1024**2
    overlay = disks.create_overlay(str(image), "qcow2", str(tmp_path / "i" / "disk"), 32 * mib)
    assert disks.info(overlay)["backing-filename"] == str(image)
    assert disks.virtual_size(overlay) == 32 * mib
    copy = disks.convert(overlay, str(tmp_path / "dest" / "disk"), "qcow2")
    info = disks.info(copy)
    assert "backing-filename" not in info and info["virtual-size"] == 32 * mib
    disks.grow(copy, 64 * mib)
    assert disks.virtual_size(copy) == 64 * mib
    disks.grow(copy, 64 * mib)  # already that big
    with pytest.raises(DriverError, match="cannot shrink"):
        disks.grow(copy, 32 * mib)
    raw = disks.convert(overlay, str(tmp_path / "snap.raw"), "raw")
    assert disks.md5(raw) == hashlib.md5(Path(raw).read_bytes()).hexdigest()
    assert not os.path.exists(raw + ".part")
    assert disks.is_shared_fs(str(tmp_path)) is False
    assert disks.in_use(str(image)) is False  # no QEMU holds it
    assert disks.root_disk_bytes(0, str(image), "qcow2") == 16 * mib
    assert disks.root_disk_bytes(1, None, "qcow2") == disks.GIB
