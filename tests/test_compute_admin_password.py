"""The admin password of a create, rebuild or rescue on the compute host: the tasks set it in
the guest after the operation where the driver's capabilities say it can
(supports_set_admin_password), and carry on without it where it cannot. Runs the compute
tasks in process against libvirt's test driver, as a compute worker would."""

from __future__ import annotations

import pytest

pytest.importorskip("libvirt")

from novasite.celery import app
from workers.compute import context, tasks
from workers.virt.libvirt import LibvirtDriver

from .test_virt_lifecycle import host_driver, make_spec


@pytest.fixture
def driver(tmp_path, monkeypatch):
    monkeypatch.setattr(context, "_context", None)  # restored after the test
    drv = host_driver(tmp_path)
    context.configure("c1", drv)
    yield drv
    drv.close()


def run(task: str, *args):
    """Run a compute task in this process, as the worker consuming compute.c1 would."""
    return app.tasks[task](*args)


def payload(n: int = 1) -> dict:
    return make_spec(n).to_dict()


def test_build_sets_the_password_where_the_hypervisor_can(driver: LibvirtDriver):
    outcome = tasks.build_and_run_instance(payload(1), {"admin_password": "Chosen-1"})
    assert outcome["ok"] and outcome["password_set"] is True
    assert tasks.build_and_run_instance(payload(2), {"admin_password": None})["password_set"] is False
    assert tasks.build_and_run_instance(payload(3))["password_set"] is False  # an older message


def test_without_the_capability_the_build_succeeds_without_the_password(driver: LibvirtDriver):
    driver.capabilities["supports_set_admin_password"] = False
    outcome = tasks.build_and_run_instance(payload(1), {"admin_password": "Chosen-1"})
    assert outcome["ok"] and outcome["password_set"] is False and outcome["power_state"] == 1


def test_rebuild_and_rescue_set_the_password_of_a_running_guest(driver: LibvirtDriver):
    instance = payload(1)
    assert tasks.build_and_run_instance(instance)["ok"]
    rebuilt = run("compute.rebuild_instance", instance, {"power_on": True, "admin_password": "Rebuilt-1"})
    assert rebuilt["ok"] and rebuilt["password_set"] is True
    stopped = run("compute.rebuild_instance", instance, {"power_on": False, "admin_password": "Rebuilt-2"})
    assert stopped["ok"] and stopped["password_set"] is False  # a stopped guest cannot take it
    run("compute.start_instance", instance)
    rescued = run("compute.rescue_instance", instance, {"rescue_image_path": None, "admin_password": "Rescue-1"})
    assert rescued["ok"] and rescued["password_set"] is True
