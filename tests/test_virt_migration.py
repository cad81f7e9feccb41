"""Moving guests with LibvirtDriver on libvirt's test driver (no mocks, no Django): the
export/import path the test driver uses instead of live migration, and cold migration /
resize with confirm and revert between two test hosts (two drivers, two node files, two
instances directories). The real-QEMU versions are in test_virt_qemu.py.

Run: .venv/bin/python -m pytest -q -p no:django --noconftest tests/test_virt_migration.py
"""

from __future__ import annotations

import json
import os

import pytest

pytest.importorskip("libvirt")

from tests.test_virt_lifecycle import host_driver, make_spec, port, volume
from workers.virt.driver import (
    NOSTATE,
    PAUSED,
    RUNNING,
    SHUTDOWN,
    SUSPENDED,
    DriverError,
    NotSupported,
)
from workers.virt.libvirt import xml as dxml


@pytest.fixture
def driver(tmp_path):
    drv = host_driver(tmp_path)
    yield drv
    drv.close()


@pytest.fixture
def two_hosts(tmp_path):
    a, b = host_driver(tmp_path, "a", vcpus=4), host_driver(tmp_path, "b", vcpus=6)
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def guest(driver):
    spec = make_spec()
    assert driver.spawn(spec) == RUNNING
    return spec


def test_live_migration_api_is_not_supported_on_the_test_driver(driver, guest):
    assert driver.capabilities["supports_migration"] is False
    assert driver.capabilities["supports_hotplug"] is False
    assert driver.capabilities["supports_export_import"] is True
    with pytest.raises(NotSupported):
        driver.live_migrate(guest.uuid, "test:///default", block_migration=False)
    with pytest.raises(NotSupported):
        driver.abort_live_migration(guest.uuid)
    with pytest.raises(NotSupported):
        driver.force_live_migration_complete(guest.uuid)
    assert driver.power_state(guest.uuid) == RUNNING


@pytest.mark.parametrize("state", [RUNNING, PAUSED, SUSPENDED, SHUTDOWN])
def test_export_and_import_move_a_guest(two_hosts, state):
    a, b = two_hosts
    spec = make_spec()
    a.spawn(spec)
    a.attach_volume(spec.uuid, volume())
    a.attach_interface(spec.uuid, port())
    {PAUSED: a.pause, SUSPENDED: a.suspend, SHUTDOWN: a.power_off}.get(state, a.power_on)(spec.uuid)
    assert b.prepare_live_migration_destination(spec) == {
        "disk_path": None,  # the test driver keeps no disk file
        "console_log": os.path.join(b.instance_dir(spec.uuid), "console.log"),
    }
    exported = a.export_guest(spec.uuid)
    assert exported["power_state"] == state
    json.dumps(exported)
    assert b.import_guest(exported["xml"], exported["power_state"]) == state
    assert b.import_guest(exported["xml"], exported["power_state"]) == state  # idempotent
    a.destroy(spec.uuid)
    assert a.list_instances() == {}
    assert b.list_instances() == {spec.uuid: state}
    info = b.instance_info(spec.uuid)
    assert len(info["volumes"]) == 1 and len(info["interfaces"]) == 1


def test_failed_import_is_cleaned_up(two_hosts, tmp_path):
    a, b = two_hosts
    spec = make_spec()
    a.spawn(spec)
    b.prepare_live_migration_destination(spec)
    assert os.path.isdir(b.instance_dir(spec.uuid))
    b.import_guest(a.export_guest(spec.uuid)["xml"], RUNNING)
    b.cleanup_live_migration_destination(spec.uuid)
    b.cleanup_live_migration_destination(spec.uuid)
    assert b.list_instances() == {}
    assert not os.path.exists(b.instance_dir(spec.uuid))
    assert a.power_state(spec.uuid) == RUNNING
    # a directory prepare did not make is left alone
    os.makedirs(a.instance_dir(spec.uuid))
    a.cleanup_live_migration_destination(spec.uuid)
    assert os.path.isdir(a.instance_dir(spec.uuid))


def test_import_refuses_foreign_names(driver):
    xml = dxml.tostring(dxml.build_domain(make_spec(), domain_type="test"))
    with pytest.raises(ValueError):
        driver.import_guest(xml.replace("instance-00000001", "myvm"), RUNNING)


def test_cold_migration_then_confirm(two_hosts):
    a, b = two_hosts
    old = make_spec(volumes=[volume()])
    a.spawn(old)
    a.attach_interface(old.uuid, port())
    handed = a.migrate_disk_and_power_off(old.uuid)
    assert handed["disk_path"] is None  # the test driver has no disk
    assert [v["id"] for v in handed["volumes"]] == [volume()["id"]]
    assert [p["id"] for p in handed["interfaces"]] == [port()["id"]]
    assert a.migrate_disk_and_power_off(old.uuid) == handed  # idempotent
    assert a.power_state(old.uuid) == NOSTATE
    assert os.path.isdir(a.instance_dir(old.uuid) + "_resize")
    new = make_spec(uuid=old.uuid, vcpus=2, memory_mb=512, volumes=handed["volumes"], interfaces=handed["interfaces"])
    assert b.finish_migration(new, handed["disk_path"], power_on=True) == RUNNING
    assert b.finish_migration(new, handed["disk_path"], power_on=True) == RUNNING
    info = b.instance_info(old.uuid)
    assert (info["vcpus"], info["memory_mb"]) == (2, 512)
    assert len(info["volumes"]) == 1 and len(info["interfaces"]) == 1
    a.confirm_migration(old.uuid)
    a.confirm_migration(old.uuid)
    assert not os.path.exists(a.instance_dir(old.uuid) + "_resize")


def test_cold_migration_of_a_stopped_guest_stays_stopped(two_hosts):
    a, b = two_hosts
    spec = make_spec()
    a.spawn(spec)
    a.power_off(spec.uuid)
    handed = a.migrate_disk_and_power_off(spec.uuid)
    assert b.finish_migration(spec, handed["disk_path"], power_on=False) == SHUTDOWN


def test_revert_restores_the_old_flavor(two_hosts):
    a, b = two_hosts
    old = make_spec()
    a.spawn(old)
    a.attach_volume(old.uuid, volume())
    handed = a.migrate_disk_and_power_off(old.uuid)
    new = make_spec(uuid=old.uuid, vcpus=4, memory_mb=1024, volumes=handed["volumes"])
    b.finish_migration(new, handed["disk_path"], power_on=True)
    b.destroy(old.uuid)
    assert a.finish_revert_migration(old, power_on=True) == RUNNING
    assert a.finish_revert_migration(old, power_on=True) == RUNNING  # idempotent
    info = a.instance_info(old.uuid)
    assert (info["vcpus"], info["memory_mb"]) == (1, 128)
    assert [v["id"] for v in info["volumes"]] == [volume()["id"]]
    assert not os.path.exists(a.instance_dir(old.uuid) + "_resize")
    assert b.list_instances() == {}


def test_resize_to_the_same_host_and_revert(driver, guest):
    handed = driver.migrate_disk_and_power_off(guest.uuid)
    bigger = make_spec(uuid=guest.uuid, vcpus=2, memory_mb=256)
    assert driver.finish_migration(bigger, handed["disk_path"], power_on=True) == RUNNING
    assert driver.instance_info(guest.uuid)["vcpus"] == 2
    # revert without destroying the resized guest first: revert does it
    assert driver.finish_revert_migration(guest, power_on=False) == SHUTDOWN
    assert driver.instance_info(guest.uuid)["vcpus"] == 1
    driver.destroy(guest.uuid)
    with pytest.raises(DriverError, match="nothing to revert"):
        driver.finish_revert_migration(guest, power_on=True)


def test_migrate_refuses_a_stale_resize_directory(driver, guest):
    os.makedirs(driver.instance_dir(guest.uuid) + "_resize")
    os.makedirs(driver.instance_dir(guest.uuid), exist_ok=True)
    with pytest.raises(DriverError, match="neither confirmed nor reverted"):
        driver.migrate_disk_and_power_off(guest.uuid)
    assert driver.power_state(guest.uuid) == RUNNING
