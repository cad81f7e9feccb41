"""What block storage offers besides volumes and snapshots, as Horizon's volume pages read it
(Cinder's api-ref): the volume types (one, Cinder's ``__DEFAULT__``, the type every volume
here has), a project's absolute limits, the block storage services, and volume transfers
(none: transfers are not offered).

The services are what does the block storage work: here the API process itself writes the
volume files (``volumes.store``), so there is one ``cinder-volume`` on its host's ``file``
backend, up whenever the API answers; no scheduler chooses among backends."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from core import policy
from core.exceptions import NotFound
from core.ids import constant_uuid
from core.principal import Caller

from . import quotas
from .models import Volume
from .services import project_scope

#: The zone of every volume (Volume.availability_zone's default).
ZONE = "nova"


@dataclass(frozen=True)
class VolumeType:
    """A volume type: its id, name, description, whether every project may use it, and its
    extra specs (what a backend must offer)."""

    id: uuid.UUID
    name: str
    description: str
    is_public: bool = True
    extra_specs: dict[str, str] = field(default_factory=dict)


#: Cinder's default type, as its database migration creates it (a fixed id here, so it is the
#: same on every installation and in every answer).
DEFAULT_TYPE = VolumeType(
    constant_uuid("5a7a2f6e-4c53-4a36-9a38-7d3b2b8d0c11"), Volume.DEFAULT_TYPE, "Default Volume Type"
)
TYPES = (DEFAULT_TYPE,)


def list_types(caller: Caller, project_id: str) -> tuple[VolumeType, ...]:
    """Every volume type the caller may use (all are public)."""
    project_scope(caller, project_id)
    return TYPES


def default_type(caller: Caller, project_id: str) -> VolumeType:
    """The type a volume created without one gets (GET /types/default)."""
    project_scope(caller, project_id)
    return DEFAULT_TYPE


def get_type(caller: Caller, project_id: str, type_id: str) -> VolumeType:
    """One volume type, by id (or, as Cinder also accepts, by name); Cinder's 404 otherwise."""
    project_scope(caller, project_id)
    for volume_type in TYPES:
        if type_id in (str(volume_type.id), volume_type.name):
            return volume_type
    raise NotFound(f"Volume type {type_id} could not be found.")


@dataclass(frozen=True)
class AbsoluteLimits:
    """A project's limits and what it uses (GET /limits), in Cinder's names."""

    limits: dict[str, int]
    used: dict[str, int]


def absolute_limits(caller: Caller, project_id: str) -> AbsoluteLimits:
    """The limits of the token's project (or, for an admin, of the project in the URL), with
    its usage counted from the volume and snapshot rows."""
    project = project_scope(caller, project_id)
    return AbsoluteLimits(quotas.limits(project), quotas.usage(project))


@dataclass(frozen=True)
class BlockStorageService:
    """One block storage service, as os-services lists it."""

    binary: str
    host: str
    zone: str
    enabled: bool
    up: bool
    updated_at: datetime


def list_services(
    caller: Caller, project_id: str, *, binary: str | None = None, host: str | None = None
) -> list[BlockStorageService]:
    """The block storage services (volume_extension:services:index, an admin's), narrowed
    to a binary or a host: the one ``cinder-volume`` the API process is."""
    project_scope(caller, project_id)
    policy.enforce(caller, policy.VOLUME_SERVICES_LIST)
    found = [
        BlockStorageService(
            "cinder-volume", f"{socket.gethostname()}@file", ZONE, enabled=True, up=True, updated_at=timezone.now()
        )
    ]
    return [row for row in found if binary in (None, row.binary) and host in (None, row.host)]


def list_transfers(caller: Caller, project_id: str) -> list[dict[str, str]]:
    """The project's volume transfers: none, as transfers are not offered."""
    project_scope(caller, project_id)
    return []
