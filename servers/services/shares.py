"""Share attachments of a server (/servers/{id}/shares, 2.97): Nova mounts Manila shares
into guests over virtiofs. novasite has no Manila and its hosts offer no virtiofs, so a
server never has a share: the list is empty, a named share is unknown, and attaching is
refused as Nova refuses it on hosts that lack the COMPUTE_STORAGE_VIRTIO_FS trait (after
the same state check)."""

from __future__ import annotations

from typing import Any

from core.exceptions import Conflict, NotFound
from core.principal import Caller

from ..models import Server
from ..states import VmState
from ..states.errors import InstanceInvalidState


class SharesNotConfigured(Conflict):
    """Nova's ForbiddenSharesNotConfiguredCorrectly (409)."""

    def __init__(self) -> None:
        super().__init__("Feature not supported because either compute or instance are not configured correctly.")


def list_shares(caller: Caller, server: Server) -> list[dict[str, Any]]:
    """The server's share attachments: none here."""
    return []


def get_share(caller: Caller, server: Server, share_id: str) -> dict[str, Any]:
    """One share attachment: there is none to show (404, Nova's ShareNotFound)."""
    raise NotFound(f"Share {share_id} could not be found.")


def attach_share(caller: Caller, server: Server, share_id: str, tag: str | None) -> dict[str, Any]:
    """Attach a share to a stopped server: 409 for a server that is not stopped, then 409
    because no host here can mount one."""
    if server.vm_state != VmState.STOPPED:
        raise InstanceInvalidState("create share", str(server.uuid), "vm_state", server.vm_state)
    raise SharesNotConfigured()


def detach_share(caller: Caller, server: Server, share_id: str) -> None:
    """Detach a share from a stopped (or errored) server: none is attached (404)."""
    if server.vm_state not in (VmState.STOPPED, VmState.ERROR):
        raise InstanceInvalidState("delete share", str(server.uuid), "vm_state", server.vm_state)
    raise NotFound(f"Share {share_id} could not be found.")
