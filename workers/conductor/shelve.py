"""Shelve, offload and unshelve workflows. The states come from the rules in servers.states:
shelve ends SHELVED (SHELVED_OFFLOADED at once when SHELVED_OFFLOAD_TIME is 0, as
shelve_offload), unshelve ACTIVE; a failure rolls back (the vm_state stays)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from hosts.zones import zone_of_host
from images import store
from images.models import Image
from scheduling import claims
from scheduling.scheduler import NoValidHost
from servers import lifecycle
from servers.models import Server
from servers.services.shelving import shelved_image
from servers.states import PowerState, TaskState, VmState, get_rule

from .dispatch import compute_then, instance_payload, schedule_then
from .finish import Hook, failed, finish, succeeded
from .placement import claim_destination, server_spec

SHELVE = get_rule("shelve")
OFFLOAD = get_rule("shelve_offload")
UNSHELVE = get_rule("unshelve")
SHELVE_EVENT = "compute_shelve_instance"
UNSHELVE_EVENT = "compute_unshelve_instance"
UNSHELVE_SCHEDULE_EVENT = "conductor_unshelve_instance"


def _reported_power(outcome: dict) -> dict[str, Any]:
    """``{"power_state": ...}`` if the host reported one, else nothing."""
    return {"power_state": outcome["power_state"]} if "power_state" in outcome else {}


def _offloaded() -> dict[str, Any]:
    """Off the host: SHELVED_OFFLOADED, no host or node, no guest (the allocation is released
    with the same compare-and-swap, see :func:`_release_on_success`)."""
    return succeeded(OFFLOAD, PowerState.NOSTATE, power_state=PowerState.NOSTATE, host=None, node=None)


def _release_on_success(server_uuid: str) -> Hook:
    """After a won swap to SHELVED_OFFLOADED: free the host."""
    return lambda ok: claims.release(server_uuid) if ok else None


@shared_task(name="conductor.shelve_server")
def shelve_server(server_uuid: str, request_id: str, image_id: str) -> None:
    """Power off and snapshot on the host (and remove the guest when offloading at once)."""
    server = Server.objects.filter(uuid=server_uuid, deleted=False).first()
    if server is None or not lifecycle.compare_and_swap(
        server_uuid, SHELVE.next_task_state, task_state=TaskState.SHELVING_IMAGE_UPLOADING
    ):
        return
    if image_id:
        Image.objects.filter(id=image_id, status="queued").update(status="saving")
    # A volume-backed server (no image to take: its root volume stays) is offloaded at once.
    offload = settings.SHELVED_OFFLOAD_TIME == 0 or not image_id
    lifecycle.event_start(request_id, server_uuid, SHELVE_EVENT, host=server.host)
    compute_then(
        "compute.shelve_instance",
        server.host,
        [instance_payload(server), {"dest_path": store.image_path(image_id) if image_id else None, "offload": offload}],
        "conductor.shelve_finished",
        server_uuid=server_uuid,
        request_id=request_id,
        image_id=image_id,
        offload=offload,
    )


@shared_task(name="conductor.shelve_finished")
def shelve_finished(outcome: dict, server_uuid: str, request_id: str, image_id: str, offload: bool) -> None:
    ok = bool(outcome.get("ok"))
    host = outcome.get("host")
    # The event first, then the image (outside the offload's transaction: recording the
    # upload probes the file), then the server.
    lifecycle.event_finish(request_id, server_uuid, SHELVE_EVENT, ok=ok, traceback=outcome.get("traceback"), host=host)
    image = Image.objects.filter(id=image_id).first() if image_id else None
    if image is not None and ok:
        store.record_external_upload(
            image,
            size=outcome["size"],
            checksum=outcome["checksum"],
            disk_format=outcome.get("disk_format", "qcow2"),
        )
    elif image is not None:
        store.abort_upload(image)  # killed, partial bytes removed
    shelved = succeeded(SHELVE, PowerState.SHUTDOWN, power_state=outcome.get("power_state", PowerState.SHUTDOWN))
    finish(
        request_id,
        server_uuid,
        outcome,
        event=None,
        host=host,
        expected=TaskState.SHELVING_IMAGE_UPLOADING,
        success=_offloaded() if offload else shelved,
        failure=failed(SHELVE, TaskState.SHELVING_IMAGE_UPLOADING, **_reported_power(outcome)),
        fault=f"Shelve failed: {outcome.get('error')}",
        fault_host=host,
        after_swap=_release_on_success(server_uuid) if offload else None,
        atomic=offload and ok,
    )


@shared_task(name="conductor.shelve_offload_server")
def shelve_offload_server(server_uuid: str, request_id: str) -> None:
    server = Server.objects.filter(uuid=server_uuid, deleted=False, task_state=OFFLOAD.next_task_state).first()
    if server is None:
        return
    lifecycle.event_start(request_id, server_uuid, "compute_shelve_offload_instance", host=server.host)
    compute_then(
        "compute.terminate_instance",
        server.host,
        [instance_payload(server)],
        "conductor.shelve_offload_finished",
        server_uuid=server_uuid,
        request_id=request_id,
    )


@shared_task(name="conductor.shelve_offload_finished")
def shelve_offload_finished(outcome: dict, server_uuid: str, request_id: str) -> None:
    ok = bool(outcome.get("ok"))
    finish(
        request_id,
        server_uuid,
        outcome,
        event="compute_shelve_offload_instance",
        host=outcome.get("host"),
        expected=TaskState.SHELVING_OFFLOADING,
        success=_offloaded(),
        failure=failed(OFFLOAD),
        fault=f"Offload failed: {outcome.get('error')}",
        after_swap=_release_on_success(server_uuid),
        atomic=ok,
    )


@shared_task(name="conductor.unshelve_server")
def unshelve_server(server_uuid: str, request_id: str, host: str | None = None) -> None:
    """SHELVED: power the guest on where it is. SHELVED_OFFLOADED: schedule (or claim the
    named ``host``, 2.91), then spawn from the shelved image."""
    server = Server.objects.filter(uuid=server_uuid, deleted=False, task_state=UNSHELVE.next_task_state).first()
    if server is None:
        return
    if server.vm_state == VmState.SHELVED:
        lifecycle.event_start(request_id, server_uuid, UNSHELVE_EVENT, host=server.host)
        compute_then(
            "compute.start_instance",
            server.host,
            [instance_payload(server)],
            "conductor.unshelve_finished",
            server_uuid=server_uuid,
            request_id=request_id,
            host=server.host,
        )
        return
    if host:
        lifecycle.event_start(request_id, server_uuid, UNSHELVE_SCHEDULE_EVENT)
        unshelve_scheduled(_claim_named_host(server, host), server_uuid, request_id)
        return
    spec = server_spec(server, server.flavor)
    lifecycle.event_start(request_id, server_uuid, UNSHELVE_SCHEDULE_EVENT)
    schedule_then(spec.to_dict(), "conductor.unshelve_scheduled", server_uuid=server_uuid, request_id=request_id)


def _claim_named_host(server: Server, host: str) -> dict[str, Any]:
    """The scheduler's answer for an unshelve onto a named host: that host, claimed, or why
    not (the claim itself checks the room)."""
    try:
        chosen, node = claim_destination(server, server.flavor, requested_host=host, avoid=None)
    except NoValidHost as refused:
        return {"ok": False, "reason": str(refused)}
    return {"ok": True, "selections": [{"host": chosen, "node": node}]}


@shared_task(name="conductor.unshelve_scheduled")
def unshelve_scheduled(decision: dict, server_uuid: str, request_id: str) -> None:
    if not decision.get("ok"):
        finish(
            request_id,
            server_uuid,
            {"ok": False, "details": decision.get("reason")},
            event=UNSHELVE_SCHEDULE_EVENT,
            host=None,
            expected=TaskState.UNSHELVING,
            success=None,
            failure=failed(UNSHELVE, TaskState.UNSHELVING),
            fault=decision["reason"],
        )
        return
    lifecycle.event_finish(request_id, server_uuid, UNSHELVE_SCHEDULE_EVENT, ok=True, details=decision.get("reason"))
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
        "compute.build_and_run_instance",
        host,
        [payload],
        "conductor.unshelve_finished",
        server_uuid=server_uuid,
        request_id=request_id,
        host=host,
    )


@shared_task(name="conductor.unshelve_finished")
def unshelve_finished(outcome: dict, server_uuid: str, request_id: str, host: str) -> None:
    """Running again: ACTIVE, and the shelved image is deleted. A failed spawn of an
    offloaded server frees the host again and stays offloaded; a failed start stays SHELVED."""
    server = Server.objects.get(uuid=server_uuid)
    offloaded = server.vm_state == VmState.SHELVED_OFFLOADED
    if offloaded:
        failure = failed(UNSHELVE, TaskState.SPAWNING, host=None, node=None, power_state=PowerState.NOSTATE)
    else:
        failure = failed(UNSHELVE, TaskState.UNSHELVING, power_state=outcome.get("power_state", server.power_state))

    def free_host(ok: bool) -> None:
        if not ok and offloaded:
            claims.release(server_uuid, host=host)

    def delete_shelved_image(ok: bool) -> None:
        image = shelved_image(server) if ok else None
        if image is not None:
            store.delete_image(image)

    power = outcome.get("power_state", PowerState.RUNNING)
    finish(
        request_id,
        server_uuid,
        outcome,
        event=UNSHELVE_EVENT,
        host=host,
        expected=(TaskState.UNSHELVING, TaskState.SPAWNING),
        success=succeeded(UNSHELVE, power, power_state=power, launched_at=timezone.now()),
        failure=failure,
        fault=f"Unshelve failed on {host}: {outcome.get('error')}",
        fault_host=host,
        before_swap=free_host,
        after_swap=delete_shelved_image,
    )
