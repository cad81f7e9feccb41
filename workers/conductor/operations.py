"""Single-step operations: one compute call and one end state (stop, start, reboot, pause,
unpause, suspend, resume, rescue, unrescue, changePassword, trigger_crash_dump). The table
says, per operation, which compute task does the work, which task_state the API set, and
the vm_state a success ends in. A failure clears the task_state, keeps what the hypervisor
reported, and records a fault and an Error event."""

from __future__ import annotations

import os
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings

from servers import lifecycle
from servers.models import Server
from servers.states import PowerState, vm_state_after_move
from servers.states import TaskState as T
from servers.states import VmState as V

from .dispatch import compute_then, instance_payload

BY_POWER = "by-power"  # end state ACTIVE if the guest runs, else STOPPED


@dataclass(frozen=True)
class Step:
    compute_task: str
    task_state: str | None  # what the API set; None: the operation sets none
    vm_state: str | None  # end state on success; None: unchanged; BY_POWER
    params: dict | None = None
    error_on_failure: bool = False  # Nova puts the server in ERROR when these fail


OPERATIONS: dict[str, Step] = {
    "stop": Step("compute.stop_instance", T.POWERING_OFF, V.STOPPED),
    "start": Step("compute.start_instance", T.POWERING_ON, V.ACTIVE),
    "reboot_soft": Step("compute.reboot_instance", T.REBOOTING, V.ACTIVE, {"hard": False}),
    "reboot_hard": Step("compute.reboot_instance", T.REBOOTING_HARD, V.ACTIVE, {"hard": True}, error_on_failure=True),
    "pause": Step("compute.pause_instance", T.PAUSING, V.PAUSED),
    "unpause": Step("compute.unpause_instance", T.UNPAUSING, V.ACTIVE),
    "suspend": Step("compute.suspend_instance", T.SUSPENDING, V.SUSPENDED),
    "resume": Step("compute.resume_instance", T.RESUMING, V.ACTIVE),
    "rescue": Step("compute.rescue_instance", T.RESCUING, V.RESCUED, error_on_failure=True),
    "unrescue": Step("compute.unrescue_instance", T.UNRESCUING, V.ACTIVE),
    "change_password": Step("compute.set_admin_password", T.UPDATING_PASSWORD, None),
    "trigger_crash_dump": Step("compute.trigger_crash_dump", None, None),
    # Soft delete (reclaim_instance_interval > 0) powers off and keeps everything for restore.
    "soft_delete": Step("compute.stop_instance", T.SOFT_DELETING, V.SOFT_DELETED),
    "restore": Step("compute.start_instance", T.RESTORING, V.ACTIVE),
    # Rebuild keeps a stopped server stopped (run_operation passes power_on).
    "rebuild": Step("compute.rebuild_instance", T.REBUILDING, BY_POWER, error_on_failure=True),
}


def event_name(step: Step) -> str:
    """Nova's event names are the compute manager's method: compute_<name>."""
    return "compute_" + step.compute_task.removeprefix("compute.")


@shared_task(name="conductor.run_operation")
def run_operation(server_uuid: str, request_id: str, operation: str, params: dict | None = None) -> None:
    """Send the operation's compute task to the server's host."""
    step = OPERATIONS[operation]
    server = Server.objects.filter(uuid=server_uuid, deleted=False).first()
    if server is None or server.task_state != step.task_state:
        return  # deleted, or a redelivery after the operation already finished
    payload = {**(step.params or {}), **(params or {})}
    if operation == "rebuild":
        payload["power_on"] = server.power_state == PowerState.RUNNING or server.vm_state != V.STOPPED
    if operation == "rescue":
        image = payload.pop("rescue_image_ref", None) or server.image_ref
        payload["rescue_image_path"] = os.path.join(settings.IMAGE_DIR, image) if image else None
    lifecycle.event_start(request_id, server_uuid, event_name(step), host=server.host)
    compute_then(
        step.compute_task,
        server.host,
        [instance_payload(server), payload],
        "conductor.operation_finished",
        server_uuid,
        request_id,
        operation,
    )


@shared_task(name="conductor.operation_finished")
def operation_finished(outcome: dict, server_uuid: str, request_id: str, operation: str) -> None:
    """Write the outcome: the end state on success; on failure a truthful state and a fault."""
    step = OPERATIONS[operation]
    ok = bool(outcome.get("ok"))
    host = outcome.get("host")
    lifecycle.event_finish(
        request_id, server_uuid, event_name(step), ok=ok, traceback=outcome.get("traceback"), host=host
    )
    changes: dict = {"task_state": None}
    if "power_state" in outcome:
        changes["power_state"] = outcome["power_state"]
    if ok and step.vm_state == BY_POWER:
        changes["vm_state"] = vm_state_after_move(outcome.get("power_state"))
    elif ok and step.vm_state:
        changes["vm_state"] = step.vm_state
    if not ok and step.error_on_failure:
        changes["vm_state"] = V.ERROR
    if lifecycle.compare_and_swap(server_uuid, step.task_state, **changes) and not ok:
        lifecycle.record_fault(
            server_uuid, f"{operation} failed: {outcome.get('error')}", details=outcome.get("traceback", ""), host=host
        )
    lifecycle.finish_action(request_id, server_uuid)
