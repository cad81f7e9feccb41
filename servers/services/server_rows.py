"""The columns a server list reads, as plain tuples rather than models.

A page of 1,000 detailed servers spent about a third of its time in Django's Model.__init__
and in decoding JSON columns the documents never show (requested_networks). A list reads the
columns its representation needs with ``values_list`` and wraps each row in one of these
named tuples, which the representation reads by the same attribute names as a ``Server`` (``uuid`` is
text here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from ..models.server import instance_name_for


class ServerBrief(NamedTuple):
    """What GET /servers shows of a server: its id, name and links."""

    pk: int
    uuid: str
    name: str


class ServerRow(NamedTuple):
    """What GET /servers/detail shows of a server (servers.api.representation.server_detail)."""

    pk: int
    uuid: str
    name: str
    description: str | None
    hostname: str
    project_id: str
    user_id: str
    flavor: dict[str, Any]
    image_ref: str
    host: str | None
    node: str | None
    availability_zone: str | None
    requested_availability_zone: str | None
    vm_state: str
    task_state: str | None
    power_state: int
    locked: bool
    locked_reason: str | None
    key_name: str | None
    user_data: str | None
    config_drive: str
    auto_disk_config: bool
    access_ip_v4: str | None
    access_ip_v6: str | None
    metadata: dict[str, Any]
    reservation_id: str
    launch_index: int
    scheduler_hints: dict[str, Any]
    launched_at: datetime | None
    terminated_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def instance_name(self) -> str:
        """The hypervisor's name for this guest (Server.instance_name)."""
        return instance_name_for(self.pk)
