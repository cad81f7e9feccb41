"""The hypervisor driver interface used by compute workers.

Compute workers never touch the database: everything a driver needs arrives in a Celery
message and everything it reports goes back in one. So this module has no Django imports
and every input and output is a plain value that survives JSON:

* :class:`InstanceSpec` describes a guest to build (``from_dict`` / ``to_dict``),
* :class:`HostResources` describes the host's capacity (``to_dict``),
* power states are plain Nova ints (see ``NOSTATE`` ... ``SUSPENDED``),
* failures are :class:`DriverError` (or its subclass :class:`HypervisorUnavailable`), whose
  message is a plain string.
"""
from __future__ import annotations

import abc
import uuid as uuidlib
from dataclasses import asdict, dataclass, field, fields
from typing import Any

# Nova power states (nova.compute.power_state). 2 (BLOCKED) and 5 (FAILED) are not used
# by Nova any more and never returned by the drivers here.
NOSTATE = 0
RUNNING = 1
PAUSED = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED = 7

POWER_STATE_NAMES: dict[int, str] = {
    NOSTATE: "NOSTATE",
    RUNNING: "RUNNING",
    PAUSED: "PAUSED",
    SHUTDOWN: "SHUTDOWN",
    CRASHED: "CRASHED",
    SUSPENDED: "SUSPENDED",
}

INSTANCE_NAME_PREFIX = "instance-"


class DriverError(Exception):
    """A hypervisor operation failed. The message is meant for an instance fault."""


class HypervisorUnavailable(DriverError):
    """The hypervisor could not be reached (connection refused or lost)."""


def canonical_uuid(value: str) -> str:
    """Return ``value`` as a lower-case, hyphenated UUID string or raise ``ValueError``.

    Drivers build file paths from instance UUIDs, so this also guards against path tricks.
    """
    try:
        return str(uuidlib.UUID(str(value)))
    except (ValueError, AttributeError, TypeError) as exc:
        raise ValueError(f"not a valid UUID: {value!r}") from exc


@dataclass(frozen=True)
class HostResources:
    """What a hypervisor host offers, as reported to the conductor.

    ``cpu_info`` is a JSON string (as in Nova's ``ComputeNode.cpu_info``): arch, model,
    vendor, topology and features.
    """

    vcpus: int
    memory_mb: int
    disk_gb: int
    hypervisor_type: str
    hypervisor_version: int
    hypervisor_hostname: str
    cpu_info: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of all fields."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HostResources:
        """Build from a dict such as ``to_dict()`` returns (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class InstanceSpec:
    """What a driver needs to build one guest.

    ``name`` is the hypervisor-level name (for libvirt the domain name, e.g.
    ``"instance-0000002a"``); ``uuid`` is the server's UUID and the identity drivers use.
    ``image_path`` is a local image file on the compute host (or ``None``), in format
    ``image_format``. ``metadata`` is free-form, JSON-serialisable data that drivers record
    with the guest (e.g. ``display_name``, ``flavor_name``, ``project_id``).
    """

    uuid: str
    name: str
    vcpus: int
    memory_mb: int
    root_gb: int
    image_path: str | None = None
    image_format: str = "qcow2"
    metadata: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "uuid", canonical_uuid(self.uuid))
        if not isinstance(self.name, str) or not self.name or "/" in self.name:
            raise ValueError(f"invalid instance name: {self.name!r}")
        for attr, minimum in (("vcpus", 1), ("memory_mb", 1), ("root_gb", 0)):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ValueError(f"{attr} must be an integer >= {minimum}, got {value!r}")
        if not isinstance(self.metadata, dict):
            raise ValueError("metadata must be a dict")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of all fields."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InstanceSpec:
        """Build from a dict such as ``to_dict()`` returns.

        Unknown keys are ignored so that messages may carry more than the driver needs.
        Missing required keys raise ``ValueError``.
        """
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        try:
            spec = cls(**kwargs)
        except TypeError as exc:
            raise ValueError(f"incomplete instance spec: {exc}") from exc
        return spec


class ComputeDriver(abc.ABC):
    """A hypervisor driver: one object per compute worker process, shared by its threads.

    Every method must be idempotent, because Celery may redeliver a task: ``spawn`` of an
    existing guest starts it if needed, ``destroy`` of a missing guest does nothing.

    ``capabilities`` says what the hypervisor behind this driver can do; the keys are
    ``supports_migration``, ``supports_hotplug`` and ``supports_disks``.
    """

    capabilities: dict[str, bool] = {
        "supports_migration": False,
        "supports_hotplug": False,
        "supports_disks": False,
    }

    def __init__(
        self,
        uri: str,
        *,
        instances_dir: str,
        node_vcpus: int | None = None,
        node_memory_mb: int | None = None,
        node_disk_gb: int | None = None,
    ) -> None:
        """Remember the settings; no connection is opened here.

        ``node_*`` override what the hypervisor reports about the host's size.
        """
        self.uri = uri
        self.instances_dir = instances_dir
        self.node_vcpus = node_vcpus
        self.node_memory_mb = node_memory_mb
        self.node_disk_gb = node_disk_gb
        self.capabilities = dict(type(self).capabilities)

    @abc.abstractmethod
    def host_resources(self) -> HostResources:
        """Return the host's capacity and identity."""

    @abc.abstractmethod
    def spawn(self, spec: InstanceSpec) -> int:
        """Define and start the guest; return its Nova power state.

        Idempotent: if a guest with ``spec.uuid`` exists, start it if it is not running and
        return its state. Never creates a second guest for the same UUID.
        """

    @abc.abstractmethod
    def destroy(self, uuid: str) -> None:
        """Stop the guest, delete its definition and its local disk files.

        Idempotent: an unknown ``uuid`` is not an error.
        """

    @abc.abstractmethod
    def power_state(self, uuid: str) -> int:
        """Return the guest's Nova power state; ``NOSTATE`` (0) if it does not exist."""

    @abc.abstractmethod
    def list_instances(self) -> dict[str, int]:
        """Return ``{uuid: power_state}`` for every guest this service manages."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the hypervisor connection. The driver may be used again afterwards."""

    def __enter__(self) -> ComputeDriver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
