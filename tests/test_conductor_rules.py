"""The conductor's operations are tied to the state rules, so the two cannot drift apart.

If the task_state the API sets on accepting an action and the one the conductor compares
against ever differ, ``conductor.run_operation`` drops the operation without a word and the
server stays in its task_state until the timeout. So, without workers: every action the API
hands to ``conductor.run_operation`` is an operation the conductor knows, every operation the
conductor knows is reachable from the API, each one is run only from its rule's task_state,
and ends where its rule says, on success and on failure.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from hosts.heartbeats import record_compute_report
from novasite.demo import CIRROS_IMAGE_ID
from servers.models import Server
from servers.states import PowerState, TaskState, VmState, get_rule
from workers.conductor import operations

pytestmark = pytest.mark.django_db

LATEST = {"HTTP_OPENSTACK_API_VERSION": "compute latest"}
CAPS = {"supports_set_admin_password": True, "supports_nmi": True}

# operation -> (a request that starts it, the vm_state the server is in)
REQUESTS: dict[str, tuple[dict[str, Any], str]] = {
    "stop": ({"os-stop": None}, VmState.ACTIVE),
    "start": ({"os-start": None}, VmState.STOPPED),
    "reboot_soft": ({"reboot": {"type": "SOFT"}}, VmState.ACTIVE),
    "reboot_hard": ({"reboot": {"type": "HARD"}}, VmState.ACTIVE),
    "pause": ({"pause": None}, VmState.ACTIVE),
    "unpause": ({"unpause": None}, VmState.PAUSED),
    "suspend": ({"suspend": None}, VmState.ACTIVE),
    "resume": ({"resume": None}, VmState.SUSPENDED),
    "rescue": ({"rescue": None}, VmState.ACTIVE),
    "unrescue": ({"unrescue": None}, VmState.RESCUED),
    "change_password": ({"changePassword": {"adminPass": "s3cret"}}, VmState.ACTIVE),
    "trigger_crash_dump": ({"trigger_crash_dump": None}, VmState.ACTIVE),
    "restore": ({"restore": None}, VmState.SOFT_DELETED),
    "rebuild": ({"rebuild": {"imageRef": str(CIRROS_IMAGE_ID)}}, VmState.STOPPED),
    "soft_delete": ({}, VmState.ACTIVE),  # DELETE /servers/{id} with RECLAIM_INSTANCE_INTERVAL > 0
}


@pytest.fixture
def make_server(cloud):
    from identity.models import Project, User

    record_compute_report("c1", {"vcpus": 4, "memory_mb": 4096, "disk_gb": 40, "capabilities": CAPS})

    def make(vm_state: str, task_state: str | None = None) -> Server:
        return Server.objects.create(
            name="vm",
            project_id=Project.objects.get(name="demo").id,
            user_id=User.objects.get(name="demo").id,
            flavor={"flavorid": "42", "name": "cirros", "vcpus": 1, "memory_mb": 128, "root_gb": 1},
            image_ref=str(CIRROS_IMAGE_ID),
            vm_state=vm_state,
            task_state=task_state,
            power_state=PowerState.RUNNING,
            host="c1",
            node="c1",
            launched_at=timezone.now(),
        )

    return make


def start(api, server: Server, operation: str, settings, capture) -> dict[str, Any]:
    """Send the operation's request; return the keyword arguments of the conductor task it
    published (the server's uuid and the request id first, novasite.tracing)."""
    body, _ = REQUESTS[operation]
    with mock.patch("novasite.publishing.app") as celery_app, capture(execute=True):
        if operation == "soft_delete":
            settings.RECLAIM_INSTANCE_INTERVAL = 3600
            response = api.delete(f"/compute/v2.1/servers/{server.uuid}", **LATEST)
        else:
            response = api.post(f"/compute/v2.1/servers/{server.uuid}/action", body, format="json", **LATEST)
    assert response.status_code in (200, 202, 204), response.content  # rescue answers 200
    [call] = celery_app.send_task.call_args_list
    assert call.args == ("conductor.run_operation",)
    kwargs = call.kwargs["kwargs"]
    assert list(kwargs)[:2] == ["server_uuid", "request_id"]
    assert kwargs["server_uuid"] == str(server.uuid) and kwargs["request_id"].startswith("req-")
    return kwargs


def test_the_api_and_the_conductor_know_the_same_operations() -> None:
    assert set(REQUESTS) == set(operations.OPERATIONS)


@pytest.mark.parametrize("operation", sorted(REQUESTS))
def test_an_accepted_operation_is_run_and_ends_as_its_rule_says(
    operation, make_server, admin_api, settings, django_capture_on_commit_callbacks
):
    rule = get_rule(operation)
    server = make_server(REQUESTS[operation][1])
    kwargs = start(admin_api, server, operation, settings, django_capture_on_commit_callbacks)
    assert kwargs["operation"] == operation
    server.refresh_from_db()
    assert server.task_state == rule.next_task_state  # what the API set, from the rule

    with mock.patch.object(operations, "compute_then") as compute_then:
        operations.run_operation(**kwargs)
    compute_then.assert_called_once()
    assert compute_then.call_args.args[:2] == (operations.OPERATIONS[operation].compute_task, "c1")

    outcome = {"ok": True, "host": "c1", "power_state": PowerState.SHUTDOWN}
    operations.operation_finished(outcome, str(server.uuid), kwargs["request_id"], operation)
    server.refresh_from_db()
    assert server.task_state is None
    assert server.vm_state == (rule.vm_state_on_success(PowerState.SHUTDOWN) or REQUESTS[operation][1])
    assert server.power_state == PowerState.SHUTDOWN
    assert not server.faults.exists()


@pytest.mark.parametrize("operation", sorted(REQUESTS))
def test_a_failed_operation_ends_as_its_rule_says(operation, make_server):
    rule = get_rule(operation)
    vm_state = REQUESTS[operation][1]
    server = make_server(vm_state, rule.next_task_state)
    outcome = {"ok": False, "host": "c1", "error": "boom", "traceback": "tb", "power_state": PowerState.PAUSED}
    operations.operation_finished(outcome, str(server.uuid), "req-1", operation)
    server.refresh_from_db()
    expected = VmState.ERROR if operation in ("reboot_hard", "rescue", "rebuild") else vm_state
    assert (server.vm_state, server.task_state, server.power_state) == (expected, None, PowerState.PAUSED)
    fault = server.faults.get()
    assert (fault.message, fault.details, fault.host) == (f"{operation} failed: boom", "tb", "c1")


@pytest.mark.parametrize("operation", sorted(REQUESTS))
def test_an_operation_runs_only_from_its_rules_task_state(operation, make_server):
    rule = get_rule(operation)
    other = TaskState.MIGRATING if rule.next_task_state else TaskState.PAUSING
    server = make_server(REQUESTS[operation][1], other)
    with mock.patch.object(operations, "compute_then") as compute_then:
        operations.run_operation(str(server.uuid), "req-1", operation)
    compute_then.assert_not_called()  # a redelivery after the operation already ended
    outcome = {"ok": True, "host": "c1", "power_state": PowerState.RUNNING}
    operations.operation_finished(outcome, str(server.uuid), "req-1", operation)
    server.refresh_from_db()
    assert server.task_state == other  # another workflow's task_state is left alone
