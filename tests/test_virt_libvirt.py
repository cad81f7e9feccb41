"""LibvirtDriver against libvirt's real in-process test driver (no mocks, no Django).

Run: .venv/bin/python -m pytest -q -p no:django tests/test_virt_libvirt.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid as uuidlib
import xml.etree.ElementTree as ET

import pytest

libvirt = pytest.importorskip("libvirt")

from tests.test_virt_lifecycle import node  # noqa: E402
from workers.virt.driver import (  # noqa: E402
    NOSTATE,
    PAUSED,
    RUNNING,
    SHUTDOWN,
    ComputeDriver,
    DriverError,
    HostResources,
    InstanceSpec,
)
from workers.virt.libvirt import NOVASITE_NS, LibvirtDriver  # noqa: E402


def make_spec(n: int = 1, **extra) -> InstanceSpec:
    data = {
        "uuid": str(uuidlib.uuid4()),
        "name": f"instance-{n:08x}",
        "vcpus": 1,
        "memory_mb": 128,
        "root_gb": 1,
        "metadata": {"display_name": f"vm <{n}> & co", "flavor_name": "m1.tiny"},
    }
    data.update(extra)
    return InstanceSpec.from_dict(data)


@pytest.fixture
def driver(tmp_path):
    drv = LibvirtDriver(
        "test:///default",
        instances_dir=str(tmp_path / "instances"),
        node_vcpus=8,
        node_memory_mb=16384,
        node_disk_gb=100,
    )
    yield drv
    drv.close()


def test_compute_side_never_imports_the_database():
    """Compute workers run without database settings: their tasks, the driver and what they
    import must not load Django's ORM or any app's models."""
    code = (
        "import sys, workers.compute.tasks, workers.virt.libvirt; "
        "bad = [m for m in sys.modules if m.startswith('django.db') or m.endswith('.models')]; "
        "assert not bad, bad"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], cwd=root, env=env, check=True)


def test_is_a_compute_driver(driver, tmp_path):
    assert isinstance(driver, ComputeDriver)
    assert driver.capabilities == {
        "supports_migration": False,
        "supports_hotplug": False,
        "supports_disks": False,
        "supports_export_import": True,
        "supports_set_admin_password": True,
        "supports_nmi": True,
    }
    assert set(driver.capabilities) == set(ComputeDriver.CAPABILITIES)
    real = LibvirtDriver("qemu:///system", instances_dir=str(tmp_path / "q"))
    assert real.capabilities == {
        "supports_migration": True,
        "supports_hotplug": True,
        "supports_disks": True,
        "supports_export_import": True,
        "supports_set_admin_password": False,
        "supports_nmi": True,
    }


def test_host_resources_reflect_node_sizes(driver, tmp_path):
    res = driver.host_resources()
    assert isinstance(res, HostResources)
    assert (res.vcpus, res.memory_mb, res.disk_gb) == (8, 16384, 100)
    assert res.hypervisor_type == "TEST"
    assert isinstance(res.hypervisor_version, int)
    assert res.hypervisor_hostname
    cpu = json.loads(res.cpu_info)
    assert cpu["topology"]["cores"] == 8
    as_dict = res.to_dict()
    json.dumps(as_dict)
    assert HostResources.from_dict(as_dict) == res
    # getInfo() itself reports the configured sizes (node file, not test:///default).
    info = driver._get_conn().getInfo()
    assert (info[1], info[2]) == (16384, 8)
    assert (tmp_path / "instances" / "libvirt-test-node.xml").is_file()


def test_host_resources_odd_sizes_and_statvfs_disk(tmp_path):
    drv = LibvirtDriver("test:///default", instances_dir=str(tmp_path), node_vcpus=3, node_memory_mb=1000)
    try:
        res = drv.host_resources()
        assert (res.vcpus, res.memory_mb) == (3, 1000)
        assert res.disk_gb > 0  # statvfs of instances_dir
    finally:
        drv.close()


def test_spawn_runs_and_lists(driver):
    spec = make_spec()
    assert driver.spawn(spec) == RUNNING
    assert driver.power_state(spec.uuid) == RUNNING
    listed = driver.list_instances()
    assert listed == {spec.uuid: RUNNING}


def test_shipped_test_domain_is_not_listed(tmp_path):
    drv = LibvirtDriver("test:///default", instances_dir=str(tmp_path))
    try:
        shipped = drv._get_conn().lookupByName("test")  # plain test:///default ships it
        assert shipped.UUIDString() not in drv.list_instances()
        assert drv.host_resources().hypervisor_type == "TEST"
    finally:
        drv.close()


def test_spawn_accepts_dict(driver):
    spec = make_spec(7)
    assert driver.spawn(spec.to_dict()) == RUNNING
    assert spec.uuid in driver.list_instances()


def test_spawn_is_idempotent(driver):
    spec = make_spec()
    assert driver.spawn(spec) == RUNNING
    assert driver.spawn(spec) == RUNNING
    conn = driver._get_conn()
    assert [d.UUIDString() for d in conn.listAllDomains()] == [spec.uuid]
    # A stopped domain is started again, still without a second definition.
    conn.lookupByUUIDString(spec.uuid).destroy()
    assert driver.power_state(spec.uuid) == SHUTDOWN
    assert driver.spawn(spec) == RUNNING
    assert len(conn.listAllDomains()) == 1


def test_power_state_mapping(driver):
    spec = make_spec()
    driver.spawn(spec)
    dom = driver._get_conn().lookupByUUIDString(spec.uuid)
    dom.suspend()
    assert driver.power_state(spec.uuid) == PAUSED
    assert driver.list_instances() == {spec.uuid: PAUSED}
    # spawn of an existing (paused, i.e. active) domain just reports it.
    assert driver.spawn(spec) == PAUSED


def test_destroy(driver):
    spec = make_spec()
    driver.spawn(spec)
    os.makedirs(driver.instance_dir(spec.uuid))  # stands in for disk files
    driver.destroy(spec.uuid)
    assert driver.power_state(spec.uuid) == NOSTATE
    assert spec.uuid not in driver.list_instances()
    assert not os.path.exists(driver.instance_dir(spec.uuid))
    # destroy again, and of a stopped domain, are fine
    driver.destroy(spec.uuid)
    other = make_spec(2)
    driver.spawn(other)
    driver._get_conn().lookupByUUIDString(other.uuid).destroy()
    driver.destroy(other.uuid)
    assert driver.list_instances() == {}


def test_reconnects_when_connection_is_dead(driver):
    driver._get_conn().close()  # the driver's handle is now an invalid connection
    assert driver.list_instances() == {}  # reopened (a test driver restarts empty)
    spec = make_spec()
    assert driver.spawn(spec) == RUNNING
    assert driver.power_state(spec.uuid) == RUNNING


def test_destroy_unknown_uuid_is_fine(driver):
    driver.destroy(str(uuidlib.uuid4()))
    assert driver.power_state(str(uuidlib.uuid4())) == NOSTATE


def test_bad_uuid_rejected(driver):
    with pytest.raises(ValueError):
        driver.destroy("../../etc")
    with pytest.raises(ValueError):
        make_spec(uuid="not-a-uuid")


def test_two_drivers_do_not_share_domains(tmp_path):
    a = LibvirtDriver("test:///default", instances_dir=str(tmp_path / "a"), node_vcpus=4)
    b = LibvirtDriver("test:///default", instances_dir=str(tmp_path / "b"), node_vcpus=2)
    try:
        sa, sb = make_spec(1), make_spec(2)
        a.spawn(sa)
        b.spawn(sb)
        assert a.list_instances() == {sa.uuid: RUNNING}
        assert b.list_instances() == {sb.uuid: RUNNING}
        assert b.power_state(sa.uuid) == NOSTATE
        assert a.host_resources().vcpus == 4
        assert b.host_resources().vcpus == 2
    finally:
        a.close()
        b.close()


def test_domain_xml_has_uuid_and_metadata(driver):
    spec = make_spec(
        0x2A,
        metadata={"display_name": 'web <1> & "x"', "flavor_name": "m1.small", "project_id": "p1", "tags": ["a", "b"]},
    )
    driver.spawn(spec)
    dom = driver._get_conn().lookupByUUIDString(spec.uuid)
    root = ET.fromstring(dom.XMLDesc(0))
    assert root.get("type") == "test"
    assert root.findtext("uuid") == spec.uuid
    assert root.findtext("name") == "instance-0000002a"
    assert root.find("devices/disk") is None  # the test driver gets no disks
    inst = root.find(f"metadata/{{{NOVASITE_NS}}}instance")
    assert inst is not None
    ns = {"n": NOVASITE_NS}
    assert inst.findtext("n:uuid", namespaces=ns) == spec.uuid
    assert inst.findtext("n:name", namespaces=ns) == 'web <1> & "x"'
    flavor = inst.find("n:flavor", ns)
    assert flavor is not None
    assert flavor.get("name") == "m1.small" and flavor.get("memory_mb") == "128"
    meta = {m.get("key"): m.text or "" for m in inst.findall("n:meta", ns)}
    assert meta["project_id"] == "p1" and json.loads(meta["tags"]) == ["a", "b"]
    # libvirt's own metadata API finds it by namespace too.
    assert spec.uuid in dom.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, NOVASITE_NS)


def test_qemu_domain_xml_shape(tmp_path):
    """The real-daemon XML is built without connecting (no libvirtd needed)."""
    drv = LibvirtDriver("qemu:///system", instances_dir=str(tmp_path))
    spec = make_spec(3)
    root = ET.fromstring(drv.domain_xml(spec, str(tmp_path / spec.uuid / "disk")))
    assert root.get("type") == "qemu"
    assert root.findtext("on_crash") == "destroy"
    assert node(root, "memory").get("unit") == "MiB" and root.findtext("memory") == "128"
    disk = node(root, "devices/disk")
    assert node(disk, "driver").attrib == {"name": "qemu", "type": "qcow2"}
    assert node(disk, "target").attrib == {"dev": "vda", "bus": "virtio"}
    assert node(root, "devices/serial").get("type") == "pty"
    assert node(root, "devices/console").get("type") == "pty"
    assert node(root, "devices/memballoon").get("model") == "virtio"
    assert root.find("devices/interface") is None


def test_spawn_rejects_names_without_prefix(driver):
    with pytest.raises(ValueError):
        driver.spawn(make_spec(name="myvm"))


@pytest.mark.skipif(shutil.which("qemu-img") is None, reason="qemu-img not installed")
def test_qemu_root_disk_is_overlay(tmp_path):
    """The real-daemon disk path, exercised without libvirtd: qcow2 overlay on the image."""
    image = tmp_path / "images" / "cirros.raw"
    image.parent.mkdir()
    subprocess.run(["qemu-img", "create", "-f", "raw", str(image), "16M"], check=True, capture_output=True)
    drv = LibvirtDriver("qemu:///system", instances_dir=str(tmp_path / "instances"))
    spec = make_spec(4, image_path=str(image), image_format="raw", root_gb=1)
    disk = drv._prepare_disk(spec)
    assert disk == os.path.join(drv.instance_dir(spec.uuid), "disk")
    info = json.loads(
        subprocess.run(["qemu-img", "info", "--output=json", disk], check=True, capture_output=True, text=True).stdout
    )
    assert info["format"] == "qcow2" and info["virtual-size"] == 1024**3
    assert info["backing-filename"] == str(image)
    assert info["backing-filename-format"] == "raw"
    assert drv._prepare_disk(spec) == disk  # idempotent
    # A missing image means no disk; a flavor smaller than the image is refused.
    assert drv._prepare_disk(make_spec(5, image_path=str(tmp_path / "nope"))) is None
    big = tmp_path / "images" / "big.qcow2"
    subprocess.run(["qemu-img", "create", "-f", "qcow2", str(big), "2G"], check=True, capture_output=True)
    with pytest.raises(DriverError):
        drv._prepare_disk(make_spec(6, image_path=str(big), root_gb=1))
    drv._remove_files(spec.uuid)
    assert not os.path.exists(drv.instance_dir(spec.uuid))
