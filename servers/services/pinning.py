"""Unpinning and re-pinning a server's availability zone (PUT /servers/{id} from 2.104,
Nova's servers.py update): the zone a server was pinned to at boot (or unshelve) is the one
the scheduler keeps it in on every move; unpinning lets it move anywhere."""

from __future__ import annotations

from core.exceptions import Conflict
from hosts.zones import zone_of_host

from ..models import Server


def current_zone(server: Server) -> str | None:
    """The zone the server is in now: its host's, else the one it records (Nova's
    get_instance_availability_zone)."""
    return zone_of_host(server.host) if server.host else server.availability_zone


def pinned_zone_after(server: Server, requested: str | None) -> str | None:
    """The pinned zone once ``requested`` is applied: None unpins (unpinning an unpinned
    server changes nothing); a zone pins an unpinned server to the zone it is in now, and
    only to that one. Changing a pin in one step is refused: unpin first (409, as Nova)."""
    pinned = server.requested_availability_zone
    if requested is None:
        return None
    if pinned is not None:
        if requested != pinned:
            raise Conflict(
                "Cannot change pinned availability zone directly. Unpin first by setting "
                "pinned_availability_zone to null."
            )
        return pinned
    zone = current_zone(server)
    if requested != zone:
        raise Conflict(
            f"Server can only be pinned to its current availability zone '{zone}', but '{requested}' was requested."
        )
    return requested
