"""A server's state as small coloured badges (the changelist's columns, the server page's
summary): green when all is well, red on error, grey when off, amber while a task runs.
Each badge is a ``<span class="state-badge state-<tone>">`` whose text is the state itself;
the colours are in servers/static/servers/admin/servers.css."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..models import Server
from ..states import PowerState, VmState, status_for

OK, ERROR, OFF, BUSY, OTHER = "ok", "error", "off", "busy", "other"

#: Statuses of a server that is not running and not failing (Nova's "stopped" family).
OFF_STATUSES = frozenset({"SHUTOFF", "SUSPENDED", "PAUSED", "SHELVED", "SHELVED_OFFLOADED", "SOFT_DELETED", "DELETED"})
VM_STATE_TONES = {
    VmState.ACTIVE: OK,
    VmState.ERROR: ERROR,
    VmState.BUILDING: BUSY,
    VmState.RESIZED: BUSY,
    VmState.RESCUED: BUSY,
    **dict.fromkeys(
        (
            VmState.STOPPED,
            VmState.PAUSED,
            VmState.SUSPENDED,
            VmState.SHELVED,
            VmState.SHELVED_OFFLOADED,
            VmState.SOFT_DELETED,
            VmState.DELETED,
        ),
        OFF,
    ),
}
POWER_TONES = {PowerState.RUNNING: OK, PowerState.CRASHED: ERROR}


def badge(text: str, tone: str, extra_class: str = "") -> SafeString:
    """``text`` in a badge of ``tone`` (one of OK, ERROR, OFF, BUSY, OTHER)."""
    classes = f"state-badge state-{tone} {extra_class}".strip()
    return format_html('<span class="{}">{}</span>', classes, text)


def status_tone(status: str, task_state: str | None) -> str:
    """ERROR is red whatever runs; any task in progress is amber; otherwise by the status."""
    if status == "ERROR":
        return ERROR
    if task_state:
        return BUSY
    if status == "ACTIVE":
        return OK
    return OFF if status in OFF_STATUSES else BUSY


def status_badge(server: Server, extra_class: str = "") -> SafeString:
    """The API status (derived from vm_state and task_state, servers.states)."""
    status = status_for(server.vm_state, server.task_state)
    return badge(status, status_tone(status, server.task_state), extra_class)


def vm_state_badge(server: Server) -> SafeString:
    return badge(server.vm_state, VM_STATE_TONES.get(server.vm_state, OTHER))


def task_state_badge(server: Server) -> SafeString:
    """Amber when a task runs; a quiet dash when none does."""
    if not server.task_state:
        return format_html('<span class="state-none">{}</span>', "—")
    return badge(server.task_state, BUSY)


def power_state_badge(server: Server) -> SafeString:
    name = PowerState.NAMES.get(server.power_state, str(server.power_state))
    return badge(name, POWER_TONES.get(server.power_state, OFF))
