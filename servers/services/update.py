"""PUT /servers/{id}: the few columns a server's owner may change at any time (name,
description, hostname, access IPs). A running workflow owns every other column, so this is
a plain UPDATE of these only, never a save of the whole row."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from core.principal import Caller

from ..models import Server
from .lookup import get_server
from .pinning import pinned_zone_after

#: The columns an update may change (requested_availability_zone: the pinned zone, whose
#: rules are pinning.pinned_zone_after).
UPDATABLE = frozenset(
    {
        "name",
        "description",
        "hostname",
        "access_ip_v4",
        "access_ip_v6",
        "requested_availability_zone",
        "auto_disk_config",
    }
)


def update_server(caller: Caller, server_id: str, changes: Mapping[str, str | bool | None]) -> Server:
    """Write ``changes`` (column -> value, columns of UPDATABLE only) to the caller's server
    and return it as it is now."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")  # a caller's bug, not a client's
    server = get_server(caller, server_id)
    changes = dict(changes)
    guard = {}
    if "requested_availability_zone" in changes:
        zone = changes["requested_availability_zone"]
        changes["requested_availability_zone"] = pinned_zone_after(server, zone if isinstance(zone, str) else None)
        # The pin is decided from the row as read: a concurrent re-pin makes this a no-op.
        guard["requested_availability_zone"] = server.requested_availability_zone
    if changes:
        Server.objects.filter(pk=server.pk, deleted=False, **guard).update(**changes, updated_at=timezone.now())
        server.refresh_from_db()
    return server
