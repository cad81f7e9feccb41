"""Server actions (POST /servers/{id}/action and friends), as one service layer for the API,
the admin and management commands. Every action goes the same way: check the rule in
servers.states, set its task_state by compare-and-swap on the state that was checked, record
the InstanceAction, and publish the conductor workflow after commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from core import policy
from core.exceptions import BadRequest, Conflict
from core.principal import Caller
from hosts.heartbeats import host_capabilities, host_is_up
from novasite.publishing import send_after_commit
from novasite.tracing import server_kwargs

from .. import lifecycle
from ..models import Keypair, Server
from ..states import TaskState, VmState, check_action, get_rule
from . import volume_backed
from .lookup import resolve_image


@dataclass
class Operation:
    """What an accepted action starts: a conductor task (by name) and its arguments beyond the
    server's uuid and the request id, by name (novasite.tracing)."""

    rule: str
    conductor_task: str | None
    kwargs: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)


def check(caller: Caller, server: Server, rule_name: str, *, host_up: bool | None = None) -> None:
    """Raise the state error that forbids `rule_name` now, if any."""
    rule = get_rule(rule_name)
    if host_up is None and (rule.check_host_up or rule.requires_host_down) and server.host:
        host_up = host_is_up(server.host)
    check_action(
        rule_name,
        uuid=str(server.uuid),
        vm_state=server.vm_state,
        task_state=server.task_state,
        locked=server.locked,
        launched=server.launched_at is not None,
        host=server.host,
        host_up=host_up,
        is_admin=caller.is_admin,
    )


def begin(caller: Caller, server: Server, operation: Operation, *, host_up: bool | None = None) -> str:
    """Check, claim the task_state, record the action and publish; returns the request id.
    A lost compare-and-swap (another request changed the task_state since it was read) is a
    409 like any wrong state."""
    check(caller, server, operation.rule, host_up=host_up)
    rule = get_rule(operation.rule)
    with transaction.atomic():
        changes = dict(operation.changes)
        if rule.next_task_state is not None:
            changes["task_state"] = rule.next_task_state
        if changes and not lifecycle.compare_and_swap(str(server.uuid), server.task_state, **changes):
            raise Conflict(f"Cannot '{rule.api_name}' instance {server.uuid}: another operation is in progress.")
        lifecycle.start_action(
            server,
            rule.instance_action,
            request_id=caller.request_id,
            user_id=caller.user_id,
            project_id=caller.project_id,
        )
        if operation.conductor_task:
            send_after_commit(
                operation.conductor_task, server_kwargs(server.uuid, caller.request_id, **operation.kwargs)
            )
    return caller.request_id


def delete_server(caller: Caller, server: Server) -> None:
    """Start deleting a server in any state: task_state becomes `deleting` (compare-and-swap on
    whatever it was) and the conductor tears it down. With RECLAIM_INSTANCE_INTERVAL > 0 a
    launched server is soft-deleted instead: powered off, restorable until reclaimed."""
    if server.task_state == TaskState.DELETING:
        return  # already on its way out; deleting twice is not an error
    if (
        settings.RECLAIM_INSTANCE_INTERVAL > 0
        and server.launched_at is not None
        and server.vm_state != VmState.SOFT_DELETED
    ):
        begin(caller, server, Operation("soft_delete", "conductor.run_operation", {"operation": "soft_delete"}))
        return
    check(caller, server, "delete")
    with transaction.atomic():
        if not lifecycle.compare_and_swap(str(server.uuid), server.task_state, task_state=TaskState.DELETING):
            server.refresh_from_db()
            return delete_server(caller, server)
        lifecycle.start_action(
            server, "delete", request_id=caller.request_id, user_id=caller.user_id, project_id=caller.project_id
        )
        send_after_commit("conductor.delete_server", server_kwargs(server.uuid, caller.request_id))


# --- simple operations: one compute call, one end state ---------------------------------


def simple(caller: Caller, server: Server, rule_name: str) -> str:
    """stop, start, pause, unpause, suspend, resume, unrescue, trigger_crash_dump."""
    if rule_name == "trigger_crash_dump":
        check(caller, server, rule_name)
        if not host_capabilities(server.host).get("supports_nmi"):
            raise BadRequest("Triggering a crash dump is not supported by the hypervisor of this server's host.")
    return begin(caller, server, Operation(rule_name, "conductor.run_operation", {"operation": rule_name}))


def reboot(caller: Caller, server: Server, reboot_type: str) -> str:
    if reboot_type not in ("SOFT", "HARD"):
        raise BadRequest("Argument 'type' for reboot must be a string with value 'SOFT' or 'HARD'.")
    rule_name = "reboot_soft" if reboot_type == "SOFT" else "reboot_hard"
    return begin(caller, server, Operation(rule_name, "conductor.run_operation", {"operation": rule_name}))


def rescue(
    caller: Caller, server: Server, rescue_image_ref: str | None = None, admin_password: str | None = None
) -> str:
    """Boot the server from a rescue image; ``admin_password`` goes (in the message only) to
    the host, which sets it in the rescued guest where it can."""
    params = {"rescue_image_ref": rescue_image_ref, "admin_password": admin_password}
    return begin(
        caller, server, Operation("rescue", "conductor.run_operation", {"operation": "rescue", "params": params})
    )


def change_password(caller: Caller, server: Server, password: str) -> str:
    """Set the guest's admin password (needs a hypervisor that can reach the guest)."""
    if not password:
        raise BadRequest("adminPass must be a non-empty string.")
    check(caller, server, "change_password")
    if not host_capabilities(server.host).get("supports_set_admin_password"):
        raise Conflict(
            "Unable to set password on instance: the hypervisor of its host cannot reach the guest "
            "(QEMU needs a guest agent, which novasite does not configure)."
        )
    return begin(
        caller,
        server,
        Operation(
            "change_password",
            "conductor.run_operation",
            {"operation": "change_password", "params": {"password": password}},
        ),
    )


#: The columns a rebuild may change besides the image.
REBUILDABLE = frozenset(
    {
        "name",
        "metadata",
        "description",
        "access_ip_v4",
        "access_ip_v6",
        "auto_disk_config",
        "user_data",
        "hostname",
        "key_name",
    }
)


def rebuild(
    caller: Caller,
    server: Server,
    image_ref: str,
    changes: Mapping[str, object] | None = None,
    *,
    admin_password: str | None = None,
    reimage_volume: bool = False,
) -> str:
    """Rebuild from a new image, writing ``changes`` (columns of REBUILDABLE; a key_name is
    resolved to the caller's keypair, None removes it); a stopped server stays stopped.
    ``admin_password`` goes (in the message only) to the host, which sets it in the guest
    where it can. A volume-backed server keeps its root volume: with ``reimage_volume``
    (2.93 and later) the conductor writes the image over it, else only the image it holds
    is accepted."""
    image = resolve_image(caller, image_ref, _FlavorShape(server.flavor))
    columns: dict = dict(changes or {})
    unknown = set(columns) - REBUILDABLE
    if unknown:
        raise ValueError(f"not rebuildable: {sorted(unknown)}")  # a caller's bug, not a client's
    if "key_name" in columns:
        columns["key_data"] = _key_data(caller, columns["key_name"])
    params: dict[str, object] = {"admin_password": admin_password}
    if not volume_backed.is_volume_backed(server):
        columns["image_ref"] = str(image.id)
    elif reimage_volume:
        params["reimage_image_id"] = str(image.id)  # the root volume stays; no image_ref
    else:
        volume_backed.check_rebuild_image(server, str(image.id))
    return begin(
        caller,
        server,
        Operation("rebuild", "conductor.run_operation", {"operation": "rebuild", "params": params}, changes=columns),
    )


def _key_data(caller: Caller, key_name: object) -> str | None:
    """The public key of the caller's keypair ``key_name`` (None for None), else 400."""
    if key_name is None:
        return None
    keypair = Keypair.objects.filter(user_id=caller.user_id, name=key_name).first()
    if keypair is None:
        raise BadRequest("Invalid key_name provided.")
    return keypair.public_key


class _FlavorShape:
    """The sizes image validation checks, taken from the server's own flavor snapshot."""

    def __init__(self, snapshot: dict) -> None:
        self.memory_mb = snapshot["memory_mb"]
        self.root_gb = snapshot.get("root_gb", 0)


# --- API-only operations ----------------------------------------------------------------


#: The longest locked_reason Nova stores (its column is a String(255)).
MAX_LOCKED_REASON = 255


def check_locked_reason(reason: object) -> str | None:
    """A lock's reason: None or a string of at most MAX_LOCKED_REASON characters, else 400 in
    the API's words."""
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_LOCKED_REASON):
        raise BadRequest("Invalid input for field/attribute lock: locked_reason.")
    return reason


def lock(caller: Caller, server: Server, reason: str | None = None) -> None:
    """Lock (no task_state) with an optional ``reason`` (2.73): only its owner or an admin
    can act on a locked server after."""
    check_locked_reason(reason)
    begin(caller, server, Operation("lock", None))
    Server.objects.filter(pk=server.pk).update(
        locked=True, locked_by="admin" if caller.is_admin else "owner", locked_reason=reason
    )


def unlock(caller: Caller, server: Server) -> None:
    if server.locked and server.locked_by == "admin" and not caller.is_admin:
        raise Conflict(f"Instance {server.uuid} is locked by an administrator.")
    begin(caller, server, Operation("unlock", None))
    Server.objects.filter(pk=server.pk).update(locked=False, locked_by=None, locked_reason=None)


#: The states os-resetState may force.
RESET_STATES = (VmState.ACTIVE, VmState.ERROR)


def check_reset_state(state: object) -> str:
    """One of RESET_STATES, else 400."""
    if state not in RESET_STATES:
        raise BadRequest("Invalid input for field/attribute state. Value must be one of 'active', 'error'.")
    return str(state)


def reset_state(caller: Caller, server: Server, state: str) -> None:
    """Force vm_state active|error and clear the task_state, recording `resetState` (policy
    os_compute_api:os-admin-actions:reset_state)."""
    policy.enforce(caller, policy.SERVERS_RESET_STATE, project_id=server.project_id)
    state = check_reset_state(state)
    begin(caller, server, Operation("reset_state", None))
    Server.objects.filter(pk=server.pk).update(vm_state=state, task_state=None)


def inject_network_info(caller: Caller, server: Server) -> None:
    """Nova's injectNetworkInfo (policy os_compute_api:os-admin-actions:inject_network_info;
    a locked server refuses it). Nothing to do on libvirt, whose guests get their network from
    DHCP, as Nova's own libvirt driver does nothing either; so no workflow starts."""
    policy.enforce(caller, policy.SERVERS_INJECT_NETWORK_INFO, project_id=server.project_id)
    if server.locked and not caller.is_admin:
        raise Conflict(f"Instance {server.uuid} is locked")


def restore(caller: Caller, server: Server) -> str:
    """Bring a soft-deleted server back (powered on)."""
    return begin(caller, server, Operation("restore", "conductor.run_operation", {"operation": "restore"}))


def force_delete(caller: Caller, server: Server) -> None:
    """Delete now, whatever the state (Nova's forceDelete, used on soft-deleted servers)."""
    if server.task_state == TaskState.DELETING:
        return
    begin(caller, server, Operation("force_delete", "conductor.delete_server"))
