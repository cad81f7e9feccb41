"""``check_action``: may this action start now? Nova's decorator checks, in Nova's order.

It takes plain values rather than a model, so the API layer, a worker or a test can call it
without a database. Pure Python; no Django.
"""

from __future__ import annotations

from .action_rule import ActionRule
from .errors import ComputeServiceInUse, InstanceInvalidState, InstanceIsLocked, InstanceNotReady, ServiceUnavailable
from .rules import get_rule


def check_action(
    action: str,
    *,
    uuid: str,
    vm_state: str,
    task_state: str | None,
    locked: bool,
    launched: bool,
    host: str | None,
    host_up: bool | None,
    is_admin: bool,
) -> None:
    """Raise a :class:`StateError` if ``action`` is not allowed right now.

    The checks run in Nova's decorator order:

    1. lock (when the rule checks it, the instance is locked and the caller is not admin);
    2. host set / host up, here only for rules with ``host_before_state``;
    3. vm_state, then task_state, then launched;
    4. otherwise the host set / host up checks come here;
    5. for evacuate, the source host must be down.

    ``launched`` is ``launched_at is not None``. ``host_up`` is the liveness
    of the compute service concerned, meaning the migration's source compute
    for ``confirm_resize``. None means "not looked up". A rule that needs the
    service up treats None as down. Evacuate treats it as not up, and so does
    not refuse.
    """
    rule = get_rule(action)
    if rule.check_lock and locked and not is_admin:
        raise InstanceIsLocked(uuid)
    if rule.host_before_state:
        _check_host(rule, uuid, host, host_up)
    if not rule.allows_vm_state(vm_state):
        raise InstanceInvalidState(rule.api_name, uuid, "vm_state", vm_state)
    if not rule.allows_task_state(task_state):
        raise InstanceInvalidState(rule.api_name, uuid, "task_state", task_state)
    if rule.must_have_launched and not launched:
        # Nova reports this as attr launched_at with value None, so the
        # message uses the "invalid state for" fallback wording.
        raise InstanceInvalidState(rule.api_name, uuid, "launched_at", None)
    if not rule.host_before_state:
        _check_host(rule, uuid, host, host_up)
    if rule.requires_host_down and host_up:
        raise ComputeServiceInUse(host)


def _check_host(rule: ActionRule, uuid: str, host: str | None, host_up: bool | None) -> None:
    """Nova's ``check_instance_host(check_is_up=...)``: is the host set, then is it up."""
    if rule.check_host and not host:
        raise InstanceNotReady(uuid)
    if rule.check_host_up and host_up is not True:
        raise ServiceUnavailable(host)
