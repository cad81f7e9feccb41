"""Shelve, offload and unshelve workflows."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hosts.zones import zone_of_host
from images import store
from images.models import Image
from scheduling import claims
from scheduling.request import RequestSpec
from servers import lifecycle
from servers.models import Server
from servers.services.shelving import shelved_image
from servers.states import PowerState, TaskState, VmState

from .dispatch import compute_then, instance_payload, schedule_then

SHELVE_EVENT = "compute_shelve_instance"
UNSHELVE_EVENT = "compute_unshelve_instance"


@shared_task(name="conductor.shelve_server")
def shelve_server(server_uuid: str, request_id: str, image_id: str) -> None:
    """Power off and snapshot on the host (and remove the guest when offloading at once)."""
    server = Server.objects.filter(uuid=server_uuid, deleted=False).first()
    if server is None or not lifecycle.compare_and_swap(
        server_uuid, TaskState.SHELVING, task_state=TaskState.SHELVING_IMAGE_UPLOADING
    ):
        return
    Image.objects.filter(id=image_id, status="queued").update(status="saving")
    offload = settings.SHELVED_OFFLOAD_TIME == 0
    lifecycle.event_start(request_id, server_uuid, SHELVE_EVENT, host=server.host)
    compute_then(
        "compute.shelve_instance",
        server.host,
        [instance_payload(server), {"dest_path": store.image_path(image_id), "offload": offload}],
        "conductor.shelve_finished",
        server_uuid,
        request_id,
        image_id,
        offload,
    )


def _offloaded(server_uuid: str, expected: str) -> bool:
    """Free the host: allocation released, host and node cleared, SHELVED_OFFLOADED."""
    with transaction.atomic():
        done = lifecycle.compare_and_swap(
            server_uuid,
            expected,
            vm_state=VmState.SHELVED_OFFLOADED,
            task_state=None,
            power_state=PowerState.NOSTATE,
            host=None,
            node=None,
        )
        if done:
            claims.release(server_uuid)
    return done


@shared_task(name="conductor.shelve_finished")
def shelve_finished(outcome: dict, server_uuid: str, request_id: str, image_id: str, offload: bool) -> None:
    ok = bool(outcome.get("ok"))
    lifecycle.event_finish(
        request_id, server_uuid, SHELVE_EVENT, ok=ok, traceback=outcome.get("traceback"), host=outcome.get("host")
    )
    image = Image.objects.filter(id=image_id).first()
    if ok:
        if image is not None:
            store.record_external_upload(
                image,
                size=outcome["size"],
                checksum=outcome["checksum"],
                disk_format=outcome.get("disk_format", "qcow2"),
            )
        if offload:
            _offloaded(server_uuid, TaskState.SHELVING_IMAGE_UPLOADING)
        else:
            lifecycle.compare_and_swap(
                server_uuid,
                TaskState.SHELVING_IMAGE_UPLOADING,
                vm_state=VmState.SHELVED,
                task_state=None,
                power_state=outcome.get("power_state", PowerState.SHUTDOWN),
            )
    else:
        if image is not None:
            store.abort_upload(image)  # killed, partial bytes removed
        changes = {"task_state": None, **({"power_state": outcome["power_state"]} if "power_state" in outcome else {})}
        if lifecycle.compare_and_swap(server_uuid, TaskState.SHELVING_IMAGE_UPLOADING, **changes):
            lifecycle.record_fault(
                server_uuid,
                f"Shelve failed: {outcome.get('error')}",
                details=outcome.get("traceback", ""),
                host=outcome.get("host"),
            )
    lifecycle.finish_action(request_id, server_uuid)


@shared_task(name="conductor.shelve_offload_server")
def shelve_offload_server(server_uuid: str, request_id: str) -> None:
    server = Server.objects.filter(uuid=server_uuid, deleted=False, task_state=TaskState.SHELVING_OFFLOADING).first()
    if server is None:
        return
    lifecycle.event_start(request_id, server_uuid, "compute_shelve_offload_instance", host=server.host)
    compute_then(
        "compute.terminate_instance",
        server.host,
        [instance_payload(server)],
        "conductor.shelve_offload_finished",
        server_uuid,
        request_id,
    )


@shared_task(name="conductor.shelve_offload_finished")
def shelve_offload_finished(outcome: dict, server_uuid: str, request_id: str) -> None:
    ok = bool(outcome.get("ok"))
    lifecycle.event_finish(
        request_id,
        server_uuid,
        "compute_shelve_offload_instance",
        ok=ok,
        traceback=outcome.get("traceback"),
        host=outcome.get("host"),
    )
    if ok:
        _offloaded(server_uuid, TaskState.SHELVING_OFFLOADING)
    elif lifecycle.compare_and_swap(server_uuid, TaskState.SHELVING_OFFLOADING, task_state=None):
        lifecycle.record_fault(
            server_uuid, f"Offload failed: {outcome.get('error')}", details=outcome.get("traceback", "")
        )
    lifecycle.finish_action(request_id, server_uuid)


@shared_task(name="conductor.unshelve_server")
def unshelve_server(server_uuid: str, request_id: str) -> None:
    """SHELVED: power the guest on where it is. SHELVED_OFFLOADED: schedule, then spawn from
    the shelved image."""
    server = Server.objects.filter(uuid=server_uuid, deleted=False, task_state=TaskState.UNSHELVING).first()
    if server is None:
        return
    if server.vm_state == VmState.SHELVED:
        lifecycle.event_start(request_id, server_uuid, UNSHELVE_EVENT, host=server.host)
        compute_then(
            "compute.start_instance",
            server.host,
            [instance_payload(server)],
            "conductor.unshelve_finished",
            server_uuid,
            request_id,
            server.host,
        )
        return
    spec = RequestSpec(
        instance_uuids=[server_uuid],
        project_id=server.project_id,
        user_id=server.user_id,
        flavor=server.flavor,
        availability_zone=server.requested_availability_zone,
        image={"id": server.image_ref},
        scheduler_hints=server.scheduler_hints,
    )
    lifecycle.event_start(request_id, server_uuid, "conductor_unshelve_instance")
    schedule_then(spec.to_dict(), "conductor.unshelve_scheduled", server_uuid, request_id)


@shared_task(name="conductor.unshelve_scheduled")
def unshelve_scheduled(decision: dict, server_uuid: str, request_id: str) -> None:
    lifecycle.event_finish(
        request_id,
        server_uuid,
        "conductor_unshelve_instance",
        ok=decision.get("ok", False),
        details=decision.get("reason"),
    )
    if not decision.get("ok"):
        if lifecycle.compare_and_swap(server_uuid, TaskState.UNSHELVING, task_state=None):
            lifecycle.record_fault(server_uuid, decision["reason"])
        lifecycle.finish_action(request_id, server_uuid)
        return
    [selection] = decision["selections"]
    host = selection["host"]
    if not lifecycle.compare_and_swap(
        server_uuid,
        TaskState.UNSHELVING,
        task_state=TaskState.SPAWNING,
        host=host,
        node=selection["node"],
        availability_zone=zone_of_host(host),
    ):
        claims.release(server_uuid, host=host)
        return
    server = Server.objects.get(uuid=server_uuid)
    payload = instance_payload(server)
    image = shelved_image(server)
    if image is not None:
        payload["image_path"] = store.image_path(str(image.id))
    lifecycle.event_start(request_id, server_uuid, UNSHELVE_EVENT, host=host)
    compute_then(
        "compute.build_and_run_instance", host, [payload], "conductor.unshelve_finished", server_uuid, request_id, host
    )


@shared_task(name="conductor.unshelve_finished")
def unshelve_finished(outcome: dict, server_uuid: str, request_id: str, host: str) -> None:
    ok = bool(outcome.get("ok"))
    lifecycle.event_finish(
        request_id, server_uuid, UNSHELVE_EVENT, ok=ok, traceback=outcome.get("traceback"), host=host
    )
    server = Server.objects.get(uuid=server_uuid)
    expected = (TaskState.UNSHELVING, TaskState.SPAWNING)
    if ok:
        if lifecycle.compare_and_swap(
            server_uuid,
            expected,
            vm_state=VmState.ACTIVE,
            task_state=None,
            power_state=outcome.get("power_state", PowerState.RUNNING),
            launched_at=timezone.now(),
        ):
            image = shelved_image(server)
            if image is not None:
                store.delete_image(image)
    elif server.vm_state == VmState.SHELVED_OFFLOADED:
        # The spawn failed: free the host again and stay offloaded.
        claims.release(server_uuid, host=host)
        if lifecycle.compare_and_swap(
            server_uuid, expected, task_state=None, host=None, node=None, power_state=PowerState.NOSTATE
        ):
            lifecycle.record_fault(
                server_uuid,
                f"Unshelve failed on {host}: {outcome.get('error')}",
                details=outcome.get("traceback", ""),
                host=host,
            )
    elif lifecycle.compare_and_swap(
        server_uuid, expected, task_state=None, power_state=outcome.get("power_state", server.power_state)
    ):
        lifecycle.record_fault(
            server_uuid,
            f"Unshelve failed on {host}: {outcome.get('error')}",
            details=outcome.get("traceback", ""),
            host=host,
        )
    lifecycle.finish_action(request_id, server_uuid)
