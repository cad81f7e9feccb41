"""Single-step operations: one compute call and one end state (stop, start, reboot, pause,
unpause, suspend, resume, rescue, unrescue, changePassword, trigger_crash_dump, soft delete,
restore, rebuild). The table says, per operation, which compute task does the work and with
which parameters; the states come from the operation's rule in servers.states (the
task_state the API set, the vm_state a success ends in, and whether a failure leaves ERROR
or keeps the vm_state). A failure clears the task_state, keeps what the hypervisor
reported, and records a fault and an Error event."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from celery import shared_task
from django.conf import settings

from servers import lifecycle
from servers.models import Server
from servers.states import PowerState, get_rule
from servers.states import VmState as V

from . import block_devices
from .dispatch import compute_then, instance_payload
from .finish import failed, finish, succeeded


@dataclass(frozen=True)
class Step:
    """The compute side of an operation: the task that does the work, and fixed parameters."""

    compute_task: str
    params: dict[str, Any] = field(default_factory=dict)


#: Operation (its rule's name) -> its compute step.
OPERATIONS: dict[str, Step] = {
    "stop": Step("compute.stop_instance"),
    "start": Step("compute.start_instance"),
    "reboot_soft": Step("compute.reboot_instance", {"hard": False}),
    "reboot_hard": Step("compute.reboot_instance", {"hard": True}),
    "pause": Step("compute.pause_instance"),
    "unpause": Step("compute.unpause_instance"),
    "suspend": Step("compute.suspend_instance"),
    "resume": Step("compute.resume_instance"),
    "rescue": Step("compute.rescue_instance"),
    "unrescue": Step("compute.unrescue_instance"),
    "change_password": Step("compute.set_admin_password"),
    "trigger_crash_dump": Step("compute.trigger_crash_dump"),
    "soft_delete": Step("compute.stop_instance"),
    "restore": Step("compute.start_instance"),
    "rebuild": Step("compute.rebuild_instance"),  # run_operation passes power_on
}


def event_name(step: Step) -> str:
    """Nova's event names are the compute manager's method: compute_<name>."""
    return "compute_" + step.compute_task.removeprefix("compute.")


@shared_task(name="conductor.run_operation")
def run_operation(server_uuid: str, request_id: str, operation: str, params: dict | None = None) -> None:
    """Send the operation's compute task to the server's host."""
    step = OPERATIONS[operation]
    server = Server.objects.filter(uuid=server_uuid, deleted=False).first()
    if server is None or server.task_state != get_rule(operation).next_task_state:
        return  # deleted, or a redelivery after the operation already finished
    payload = {**step.params, **(params or {})}
    if operation == "rebuild":
        # Rebuild keeps a stopped server stopped.
        payload["power_on"] = server.power_state == PowerState.RUNNING or server.vm_state != V.STOPPED
    if operation == "rescue":
        image = payload.pop("rescue_image_ref", None) or server.image_ref
        payload["rescue_image_path"] = os.path.join(settings.IMAGE_DIR, image) if image else None
    lifecycle.event_start(request_id, server_uuid, event_name(step), host=server.host)
    reimage = payload.pop("reimage_image_id", None)
    if reimage:
        try:
            block_devices.reimage_root(server, reimage)
        except block_devices.BuildVolumeError as exc:
            operation_finished(
                {"ok": False, "error": str(exc), "details": str(exc)}, server_uuid, request_id, operation
            )
            return
    compute_then(
        step.compute_task,
        server.host,
        [instance_payload(server), payload],
        "conductor.operation_finished",
        server_uuid=server_uuid,
        request_id=request_id,
        operation=operation,
    )


@shared_task(name="conductor.operation_finished")
def operation_finished(outcome: dict, server_uuid: str, request_id: str, operation: str) -> None:
    """Write the outcome: the end state on success; on failure a truthful state and a fault."""
    rule = get_rule(operation)
    host = outcome.get("host")
    power = {"power_state": outcome["power_state"]} if "power_state" in outcome else {}
    finish(
        request_id,
        server_uuid,
        outcome,
        event=event_name(OPERATIONS[operation]),
        host=host,
        expected=rule.next_task_state,
        success=succeeded(rule, outcome.get("power_state", PowerState.NOSTATE), **power),
        failure=failed(rule, **power),
        fault=f"{operation} failed: {outcome.get('error')}",
        fault_host=host,
    )
