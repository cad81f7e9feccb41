"""Small helpers shared by the end-to-end tests."""

from __future__ import annotations

from hosts.models import Allocation
from novasite.celery import app, compute_queue
from novasite.demo import CIRROS_IMAGE_ID
from servers.models import InstanceAction

LATEST = {"OpenStack-API-Version": "compute 2.96"}


def boot(api, name="vm1", flavor="42", **extra) -> str:
    body = {"server": {"name": name, "imageRef": str(CIRROS_IMAGE_ID), "flavorRef": flavor, "networks": [], **extra}}
    response = api.post("/compute/v2.1/servers", body)
    assert response.status_code == 202, response.text
    return response.json()["server"]["id"]


def boot_active(api, name="vm1", **extra) -> dict:
    server_id = boot(api, name, **extra)
    server = api.wait_until_settled(server_id)
    assert server["status"] == "ACTIVE", server
    return server


def act(api, server_id: str, body: dict, expect: int = 202, headers: dict | None = None):
    response = api.post(f"/compute/v2.1/servers/{server_id}/action", body, headers=headers or LATEST)
    assert response.status_code == expect, response.text
    return response


def allocations(server_id: str) -> dict[str, tuple[int, int]]:
    """host -> (vcpus, memory_mb) held by the server itself."""
    return {
        a.compute_node.host: (a.vcpus, a.memory_mb)
        for a in Allocation.objects.filter(consumer=server_id).select_related("compute_node")
    }


def events(server_id: str, action: str) -> dict[str, str | None]:
    """event name -> result of the newest action of that name."""
    row = InstanceAction.objects.filter(server__uuid=server_id, action=action).order_by("-start_time").first()
    assert row is not None, f"no {action} action recorded"
    return {event.event: event.result for event in row.events.all()}


def state(server: dict) -> tuple:
    return (
        server["status"],
        server["OS-EXT-STS:vm_state"],
        server["OS-EXT-STS:task_state"],
        server["OS-EXT-STS:power_state"],
    )


def guests_on(host: str) -> dict[str, int]:
    """What the host's own hypervisor runs (asked through its queue, as the API asks it)."""
    pending = app.send_task("compute.list_guests", queue=compute_queue(host), ignore_result=False)
    try:
        answer = pending.get(timeout=30)
    finally:
        pending.forget()
    assert answer["ok"], answer
    return answer["guests"]


def boot_on(api, host: str, name: str) -> str:
    """2.74: boot on the named host."""
    body = {
        "server": {"name": name, "imageRef": str(CIRROS_IMAGE_ID), "flavorRef": "42", "networks": "none", "host": host}
    }
    response = api.post("/compute/v2.1/servers", body, headers={"OpenStack-API-Version": "compute 2.74"})
    assert response.status_code == 202, response.text
    return response.json()["server"]["id"]
