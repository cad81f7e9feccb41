"""What a server's admin page shows besides its form: the state badges, its instance actions
with their events (tracebacks included), its faults, the allocations it holds (itself, and
through its moves in flight), its volumes and ports, and the link to its tasks in Flower.
Read-only, in a fixed number of queries (one per kind of record)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q
from django.utils.safestring import SafeString

from hosts.models import Allocation
from networks.models import Port
from novasite.flower import tasks_of_server_url
from volumes.models import Volume

from ..models import InstanceAction, InstanceActionEvent, Migration, Server, VolumeAttachment
from .badges import power_state_badge, status_badge, task_state_badge, vm_state_badge
from .server_action_views import ACTION_FIELD, compute_hosts
from .server_actions import BUTTONS, ActionParameters, ServerAction

#: The newest instance actions the page shows (the rest: the instance action changelist).
SHOWN_ACTIONS = 50
#: The CSS class of the element whose text is the server's status (browser tests read it).
STATUS_CLASS = "server-status"


@dataclass(frozen=True)
class AttachedVolume:
    """An attachment and the volume it names (None when the volume is gone)."""

    attachment: VolumeAttachment
    volume: Volume | None


@dataclass(frozen=True)
class HeldAllocation:
    """An allocation and what holds it: the server itself, or one of its migrations."""

    allocation: Allocation
    holder: str


@dataclass(frozen=True)
class ButtonGroup:
    """The buttons of one group, with the parameter fields they read."""

    name: str
    buttons: list[ServerAction]
    fields: list[Any]


def state_badges(server: Server) -> dict[str, SafeString]:
    return {
        "status": status_badge(server, STATUS_CLASS),
        "vm_state": vm_state_badge(server),
        "task_state": task_state_badge(server),
        "power_state": power_state_badge(server),
    }


def instance_actions(server: Server) -> list[InstanceAction]:
    """The newest actions, each with its events (two queries)."""
    events = Prefetch("events", queryset=InstanceActionEvent.objects.order_by("start_time", "id"))
    return list(server.actions.order_by("-start_time", "-id").prefetch_related(events)[:SHOWN_ACTIONS])


def held_allocations(server: Server) -> list[HeldAllocation]:
    """What the server holds on compute nodes, directly or as the consumer of a move's
    source allocation (the migration's uuid)."""
    moves = {m.uuid: m for m in Migration.objects.filter(server=server).only("uuid", "migration_type", "status")}
    allocations = (
        Allocation.objects.filter(Q(consumer=server.uuid) | Q(consumer__in=list(moves)))
        .select_related("compute_node")
        .order_by("created_at", "id")
    )
    held = []
    for allocation in allocations:
        move = moves.get(allocation.consumer)
        holder = "server" if move is None else f"{move.migration_type} {move.uuid} ({move.status})"
        held.append(HeldAllocation(allocation, holder))
    return held


def attached_volumes(server: Server) -> list[AttachedVolume]:
    attachments = list(server.volume_attachments.order_by("created_at", "id"))
    volumes = Volume.objects.in_bulk([attachment.volume_id for attachment in attachments])
    return [AttachedVolume(attachment, volumes.get(attachment.volume_id)) for attachment in attachments]


def ports(server: Server) -> list[Port]:
    return list(Port.objects.filter(device_id=str(server.uuid)).select_related("network").order_by("created_at", "id"))


def button_groups() -> list[ButtonGroup]:
    """The page's buttons by group, in the table's order, each group with its fields."""
    form = ActionParameters()
    groups: dict[str, ButtonGroup] = {}
    for action in BUTTONS:
        group = groups.setdefault(action.group, ButtonGroup(action.group, [], []))
        group.buttons.append(action)
        for name in action.params:
            if all(bound.name != name for bound in group.fields):
                group.fields.append(form[name])
    return list(groups.values())


def server_page_context(server: Server) -> dict[str, Any]:
    """The template context of a server's page (novasite/templates/admin/servers/server/)."""
    return {
        "server_console": True,
        "server_badges": state_badges(server),
        "server_action_field": ACTION_FIELD,
        "server_button_groups": button_groups(),
        "server_hosts": compute_hosts(),
        "server_actions": instance_actions(server),
        "server_shown_actions": SHOWN_ACTIONS,
        "server_faults": list(server.faults.order_by("-created_at", "-id")),
        "server_allocations": held_allocations(server),
        "server_volumes": attached_volumes(server),
        "server_ports": ports(server),
        "server_flower_url": tasks_of_server_url(str(server.uuid)),
    }
