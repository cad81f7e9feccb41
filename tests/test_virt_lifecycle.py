"""The server lifecycle in LibvirtDriver, against libvirt's real in-process test driver (no
mocks, no Django), plus what the real-QEMU paths do without a daemon (domain XML, qemu-img).
Moving guests is in test_virt_migration.py; tests that need a libvirtd (qemu:///system) are
in test_virt_qemu.py.

Run: .venv/bin/python -m pytest -q -p no:django --noconftest tests/test_virt_lifecycle.py
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
import uuid as uuidlib
from pathlib import Path

import pytest

libvirt = pytest.importorskip("libvirt")

from workers.virt.driver import (  # noqa: E402
    PAUSED,
    RUNNING,
    SHUTDOWN,
    SUSPENDED,
    ComputeDriver,
    DriverError,
    HostResources,
    InstanceNotFound,
    InstanceSpec,
    NotSupported,
)
from workers.virt.libvirt import (  # noqa: E402
    LibvirtDriver,
    disks,
)
from workers.virt.libvirt import xml as dxml  # noqa: E402

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
    return {"id": str(uuidlib.UUID(int=n)), "path": path, "format": "raw"}


def port(n: int = 1) -> dict:
    return {"id": str(uuidlib.UUID(int=1000 + n)), "mac_address": f"FA:16:3E:00:00:{n:02X}"}


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
        def host_resources(self):
            raise AssertionError

        spawn = destroy = power_state = list_instances = close = host_resources

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
    assert root.find("devices/controller").attrib == {"type": "scsi", "index": "0", "model": "virtio-scsi"}
    assert [(d["device"], d["bus"], d["serial"]) for d in dxml.disks(root)] == [
        ("vda", "virtio", None),
        ("sdb", "scsi", volume(1)["id"]),
        ("sdd", "scsi", volume(2)["id"]),
        ("sdc", "scsi", volume(3)["id"]),
    ]
    nic = root.find("devices/interface")
    assert nic.get("type") == "user"
    assert nic.find("alias").get("name") == "ua-port-" + port(1)["id"]
    assert nic.find("mac").get("address") == "fa:16:3e:00:00:01"
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
    assert rescue.find("devices/disk/boot").get("order") == "1"
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
