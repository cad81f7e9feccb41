"""The errors an action's state check raises. They are ``core.exceptions`` errors (409 unless
said otherwise), so the API, the admin and commands report them like any service refusal.

The messages are Nova's (``nova/exception.py``, and the API's
``common.raise_http_conflict_for_instance_invalid_state``).
"""

from __future__ import annotations

from core.exceptions import Conflict


class StateError(Conflict):
    """Base class: the instance's state does not allow the action."""

    http_status: int = 409


class InstanceInvalidState(StateError):
    """The vm_state, task_state or launched_at check failed (HTTP 409).

    The message is the one Nova's API layer builds, in
    ``common.raise_http_conflict_for_instance_invalid_state``. When the
    offending value is None (never launched, or a NULL task_state that the
    rule does not allow), Nova falls back to the "invalid state for" wording.
    """

    http_status = 409

    def __init__(self, action: str, uuid: str, attr: str, state: object) -> None:
        self.action, self.uuid, self.attr, self.state = action, uuid, attr, state
        if state is None:
            msg = f"Instance {uuid} is in an invalid state for '{action}'"
        else:
            msg = f"Cannot '{action}' instance {uuid} while it is in {attr} {state}"
        super().__init__(msg)


class InstanceIsLocked(StateError):
    """A non-admin caller tried a lock-checked action on a locked instance (409)."""

    http_status = 409

    def __init__(self, uuid: str) -> None:
        self.uuid = uuid
        super().__init__(f"Instance {uuid} is locked")


class InstanceNotReady(StateError):
    """The action needs ``instance.host``, and the instance has none (409).

    For example it is still scheduling, or it is shelved-offloaded.
    """

    http_status = 409

    def __init__(self, uuid: str) -> None:
        self.uuid = uuid
        super().__init__(f"Instance {uuid} is not ready")


class ServiceUnavailable(StateError):
    """The compute service the action depends on is down.

    The message leaves out the host name on purpose, as Nova's does ("we do
    not want to leak hostnames to end users"). The host is kept on the
    exception for logs. Nova's API handlers (resize, migrate, confirmResize)
    turn this into HTTP **409**, not 503.
    """

    http_status = 409

    def __init__(self, host: str | None = None) -> None:
        self.host = host
        super().__init__("Service is unavailable at this time.")


class ComputeServiceInUse(StateError):
    """Evacuate was asked for, but the source compute is still up.

    Evacuating from a live host would run the guest twice. Nova's evacuate
    handler turns this into HTTP **400** (``evacuate.py``), not 409.
    """

    http_status = 400

    def __init__(self, host: str | None) -> None:
        self.host = host
        super().__init__(f"Compute service of {host} is still in use.")
