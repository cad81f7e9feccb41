"""The compute API's volume proxy (os-volumes, Nova's volumes.py, removed at 2.36): the
block storage service's volumes of the caller's project, created, shown and deleted through
``volumes.services`` (so Cinder's rules and quota apply), and the device each attached one
has on its server (``VolumeAttachment``, which this app keeps). Cinder's over-quota 413 is
Nova's 403 here, as Nova translates it."""

from __future__ import annotations

from collections.abc import Iterable

from core.exceptions import OverLimit, QuotaExceeded
from core.principal import Caller
from volumes import services as volumes
from volumes.models import Volume

from ..models import VolumeAttachment


def list_volumes(caller: Caller, *, offset: int, limit: int) -> list[Volume]:
    """The caller's project's volumes, newest first: ``limit`` of them after ``offset``."""
    query = volumes.VolumeQuery(limit=offset + limit)
    return volumes.list_volumes(caller, caller.project_id, query).volumes[offset:]


def get_volume(caller: Caller, volume_id: str) -> Volume:
    """A volume the caller may see (404 otherwise)."""
    return volumes.get_volume(caller, caller.project_id, volume_id)


def create_volume(caller: Caller, spec: volumes.NewVolume) -> Volume:
    """A new volume in the caller's project (403 over its volume quota)."""
    try:
        return volumes.create_volume(caller, caller.project_id, spec)
    except OverLimit as exc:
        raise QuotaExceeded(str(exc)) from exc


def delete_volume(caller: Caller, volume_id: str) -> None:
    """Delete a volume (404 unknown, 400 while attached or busy)."""
    volumes.delete_volume(caller, get_volume(caller, volume_id))


def devices(rows: Iterable[Volume]) -> dict[str, str | None]:
    """The device each attached volume of ``rows`` has on its server, by volume id."""
    attached = {row.id: row.attached_server_uuid for row in rows if row.attached_server_uuid is not None}
    found: dict[str, str | None] = {}
    for attachment in VolumeAttachment.objects.filter(volume_id__in=attached).select_related("server"):
        if attachment.server.uuid == attached[attachment.volume_id]:
            found[str(attachment.volume_id)] = attachment.device
    return found
