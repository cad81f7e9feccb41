"""Starting a build: the placement request of servers created together, their schedule event,
and the message conductor.schedule_and_build_instances that places them and sends each to its
host.

The API publishes it itself once its transaction commits (no conductor hop whose only job
would be to publish it); conductor.build_servers publishes the same for a build message sent
before that change, or a build driven again from the database."""

from __future__ import annotations

from typing import Any

from celery import signature

from novasite.tracing import servers_kwargs
from scheduling.request import RequestSpec

from .. import lifecycle
from ..models import InstanceAction, InstanceActionEvent, Server

#: The instance action event of the scheduling step (Nova's conductor names it so).
EVENT_SCHEDULE = "conductor_schedule_and_build_instances"


def request_spec(
    servers: list[Server],
    destination: dict[str, str] | None = None,
    *,
    is_bfv: bool | None = None,
    image_properties: dict[str, Any] | None = None,
) -> RequestSpec:
    """The placement request for servers created together; ``destination`` is what the create
    named (2.74: "host" and/or "node"); ``is_bfv`` when the caller already knows whether they
    boot from a volume (else the first server's mappings say, one query);
    ``image_properties``, the image's properties when the caller read them (they travel in the
    spec, as in Nova's, and the scheduler's image filter need not read them again)."""
    from .volume_backed import is_volume_backed

    first = servers[0]
    return RequestSpec(
        instance_uuids=lifecycle.server_uuids(servers),
        project_id=first.project_id,
        user_id=first.user_id,
        flavor=first.flavor,
        availability_zone=first.requested_availability_zone,
        image={"id": first.image_ref, **({} if image_properties is None else {"properties": image_properties})},
        scheduler_hints=first.scheduler_hints,
        requested_host=(destination or {}).get("host"),
        requested_node=(destination or {}).get("node"),
        # Servers created together share their mappings: the first says for all.
        is_bfv=is_volume_backed(first) if is_bfv is None else is_bfv,
    )


def record_schedule_events(actions: list[InstanceAction]) -> None:
    """The schedule step of each create action begins (one INSERT for all of them)."""
    InstanceActionEvent.objects.bulk_create(
        [InstanceActionEvent(action=action, event=EVENT_SCHEDULE) for action in actions]
    )


def publish_build(spec: RequestSpec, request_id: str, admin_password: str | None = None, **options: Any) -> None:
    """Send the spec's servers to conductor.schedule_and_build_instances, which places them
    and sends each to its host. The admin password travels in the messages (masked in task
    events) down to the compute host; it is never written to the database. ``options`` are
    Celery's publish options (retries)."""
    signature(
        "conductor.schedule_and_build_instances",
        args=[spec.to_dict()],
        kwargs=servers_kwargs(spec.instance_uuids, request_id, admin_password=admin_password),
        queue="conductor",
    ).apply_async(**options)
