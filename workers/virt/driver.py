"""The hypervisor driver interface used by compute workers.

Compute workers never touch the database: everything a driver needs arrives in a Celery
message and everything it reports goes back in one. So this module has no Django imports
and every input and output is a plain value that survives JSON:

* :class:`InstanceSpec` describes a guest to build (``from_dict`` / ``to_dict``),
* :class:`HostResources` describes the host's capacity (``to_dict``),
* power states are plain Nova ints (see ``NOSTATE`` ... ``SUSPENDED``),
* failures are :class:`DriverError` or one of its subclasses (:class:`HypervisorUnavailable`,
  :class:`InstanceNotFound`, :class:`NotSupported`, :class:`MigrationAborted`,
  :class:`ConsoleNotAvailable`), whose message is a plain string.

Device dicts, as taken and returned by drivers:

* a volume is ``{"id", "path", "format"}`` (a file in ``qcow2`` or ``raw`` made by the volumes
  app; ``instance_info`` adds ``"device"``);
* a port is ``{"id", "mac_address"}``.
"""

from __future__ import annotations

import abc
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from core import ids
from servers.states import PowerState

# Nova power states: servers.states is their one home (pure Python, no database).
NOSTATE = PowerState.NOSTATE
RUNNING = PowerState.RUNNING
PAUSED = PowerState.PAUSED
SHUTDOWN = PowerState.SHUTDOWN
CRASHED = PowerState.CRASHED
SUSPENDED = PowerState.SUSPENDED
POWER_STATE_NAMES: dict[int, str] = PowerState.NAMES

INSTANCE_NAME_PREFIX = "instance-"
#: How much of a console log get_console_output returns at most (Nova's MAX_CONSOLE_BYTES).
MAX_CONSOLE_BYTES = 100 * 1024


class DriverError(Exception):
    """A hypervisor operation failed. The message is meant for an instance fault."""


class HypervisorUnavailable(DriverError):
    """The hypervisor could not be reached (connection refused or lost)."""


class InstanceNotFound(DriverError):
    """The operation needs a guest that this host does not have."""


class NotSupported(DriverError):
    """The hypervisor (or this guest) cannot do the operation at all; retrying will not help.

    ``capabilities`` says beforehand which operations these are.
    """


class ConsoleNotAvailable(DriverError):
    """The guest has no console log to read (Nova's ConsoleNotAvailable)."""


class ConsoleTypeUnavailable(DriverError):
    """The guest has no console of the kind asked for (Nova's ConsoleTypeUnavailable)."""


class ConsoleNotReady(DriverError):
    """The guest has that console but does not serve it now: it is not running."""


class MigrationAborted(DriverError):
    """A live migration stopped because ``abort_live_migration`` was called."""


def canonical_uuid(value: str) -> str:
    """Return ``value`` as a lower-case, hyphenated UUID string or raise ``ValueError``.

    Drivers build file paths from instance UUIDs, so this also guards against path tricks.
    """
    return ids.canonical_uuid(value, ValueError(f"not a valid UUID: {value!r}"))


@dataclass(frozen=True)
class HostResources:
    """What a hypervisor host offers, as reported to the conductor.

    ``cpu_info`` is a JSON string (as in Nova's ``ComputeNode.cpu_info``): arch, model,
    vendor, topology and features. ``libvirt_uri`` is the URI other hosts use to reach this
    one's hypervisor (the ``dest_uri`` of a live migration to it).
    """

    vcpus: int
    memory_mb: int
    disk_gb: int
    hypervisor_type: str
    hypervisor_version: int
    hypervisor_hostname: str
    cpu_info: str
    libvirt_uri: str = ""

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
    volumes: list[dict[str, Any]] = field(default_factory=list, hash=False)
    interfaces: list[dict[str, Any]] = field(default_factory=list, hash=False)
    #: The root disk of a volume-backed guest: ``{"id", "path", "format"}`` of its volume
    #: (then ``image_path`` is None); None for an image-backed guest.
    root_volume: dict[str, Any] | None = field(default=None, hash=False)

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
        for attr, keys in (("volumes", ("id", "path")), ("interfaces", ("id", "mac_address"))):
            items = getattr(self, attr)
            if not isinstance(items, list) or not all(
                isinstance(item, dict) and all(item.get(k) for k in keys) for item in items
            ):
                raise ValueError(f"{attr} must be a list of dicts with {', '.join(keys)}")
        if self.root_volume is not None and not (
            isinstance(self.root_volume, dict) and self.root_volume.get("id") and self.root_volume.get("path")
        ):
            raise ValueError("root_volume must be a dict with id, path")

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
    existing guest starts it if needed, ``destroy`` of a missing guest does nothing, ``pause``
    of a paused guest reports PAUSED. Operations on one guest are serialised per UUID. Methods
    that return an ``int`` return the guest's Nova power state afterwards. A guest the
    operation needs but that does not exist raises :class:`InstanceNotFound`; an operation the
    hypervisor cannot do raises :class:`NotSupported` (the defaults below do).

    ``capabilities`` says what the hypervisor behind this driver can do (see CAPABILITIES).
    """

    #: Every capability key, with what ``True`` means.
    CAPABILITIES: dict[str, str] = {
        "supports_migration": "live_migrate / abort / force-complete work (hypervisor migration)",
        "supports_hotplug": "attach/detach change the running guest, not only its definition",
        "supports_disks": "guests have real disk files (snapshot, resize and rescue copy data)",
        "supports_export_import": "export_guest / import_guest move a guest between hosts",
        "supports_set_admin_password": "set_admin_password reaches the guest",
        "supports_nmi": "inject_nmi reaches the guest",
    }
    capabilities: dict[str, bool] = dict.fromkeys(CAPABILITIES, False)

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

    def _unsupported(self, what: str) -> NotSupported:
        return NotSupported(f"{what} is not supported by {type(self).__name__} at {self.uri}")

    # -- host and inventory -------------------------------------------------------------

    @abc.abstractmethod
    def host_resources(self) -> HostResources:
        """Return the host's capacity and identity."""

    @abc.abstractmethod
    def power_state(self, uuid: str) -> int:
        """Return the guest's Nova power state; ``NOSTATE`` (0) if it does not exist."""

    @abc.abstractmethod
    def list_instances(self) -> dict[str, int]:
        """Return ``{uuid: power_state}`` for every guest this service manages."""

    def instance_info(self, uuid: str) -> dict[str, Any]:
        """What the hypervisor really has: ``{"power_state", "vcpus", "memory_mb", "disks",
        "interfaces", "volumes"}`` (lists of dicts)."""
        raise self._unsupported("instance_info")

    def get_diagnostics(self, uuid: str) -> dict[str, Any]:
        """What the hypervisor measures of the guest, in Nova's standard form (2.48):
        ``{"state"`` (a power state name, lower case), ``"driver", "hypervisor",
        "hypervisor_os", "num_cpus", "num_nics", "num_disks", "cpu_details"`` (``[{"id",
        "time", "utilisation"}]``), ``"nic_details"`` (``[{"name", "mac_address", "rx_octets",
        "rx_errors", "rx_drop", "rx_packets", "rx_rate", "tx_octets", "tx_errors", "tx_drop",
        "tx_packets", "tx_rate"}]``), ``"disk_details"`` (``[{"name", "read_bytes",
        "read_requests", "write_bytes", "write_requests", "errors_count"}]``),
        ``"memory_details"`` (``{"maximum", "used"}`` in MiB)``}``; a value the hypervisor does
        not report is None. Read-only."""
        raise self._unsupported("get_diagnostics")

    def get_console_output(self, uuid: str) -> str:
        """The end of the guest's console log (at most ``MAX_CONSOLE_BYTES``); "" when the
        guest has written nothing yet; :class:`ConsoleNotAvailable` when it has no log."""
        raise self._unsupported("get_console_output")

    def get_vnc_console(self, uuid: str) -> dict[str, Any]:
        """``{"host", "port"}`` where the running guest's VNC server listens (what a console
        proxy connects to); :class:`ConsoleTypeUnavailable` when the guest has no VNC
        graphics, :class:`ConsoleNotReady` when it is not running. Read-only."""
        raise self._unsupported("get_vnc_console")

    # -- build and delete ------------------------------------------------------------------

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

    def rebuild(self, spec: InstanceSpec, power_on: bool) -> int:
        """Give the guest a new root disk from ``spec.image_path``, same UUID; start it only
        if ``power_on``. Volumes and ports are kept. A missing guest is built (evacuate)."""
        raise self._unsupported("rebuild")

    def redefine(self, spec: InstanceSpec, power_on: bool) -> int:
        """Same-host resize: new vCPUs/memory from ``spec``, the disk kept and grown to
        ``spec.root_gb``; start only if ``power_on``."""
        raise self._unsupported("redefine")

    # -- power -------------------------------------------------------------------------------

    def power_off(self, uuid: str, clean_shutdown: bool = True, timeout: float | None = None) -> int:
        """Stop the guest: ACPI shutdown and wait up to ``timeout`` s, then force it off."""
        raise self._unsupported("power_off")

    def power_on(self, uuid: str) -> int:
        """Start the guest (restoring a saved state if there is one)."""
        raise self._unsupported("power_on")

    def reboot(self, uuid: str, hard: bool, timeout: float | None = None) -> int:
        """Soft: ask the guest, falling back to hard after ``timeout`` s. Hard: off and on."""
        raise self._unsupported("reboot")

    def pause(self, uuid: str) -> int:
        """Freeze the guest's vCPUs in memory (PAUSED)."""
        raise self._unsupported("pause")

    def unpause(self, uuid: str) -> int:
        """Undo ``pause`` (RUNNING)."""
        raise self._unsupported("unpause")

    def suspend(self, uuid: str) -> int:
        """Save the guest's memory to disk and stop it (SUSPENDED)."""
        raise self._unsupported("suspend")

    def resume(self, uuid: str) -> int:
        """Undo ``suspend`` (RUNNING)."""
        raise self._unsupported("resume")

    def rescue(self, spec: InstanceSpec, rescue_image_path: str | None) -> int:
        """Boot from a rescue disk with the original disk attached second."""
        raise self._unsupported("rescue")

    def unrescue(self, uuid: str) -> int:
        """Restore the definition saved by ``rescue`` and boot it."""
        raise self._unsupported("unrescue")

    def set_admin_password(self, uuid: str, password: str) -> None:
        """Set the guest's administrator password (needs a guest agent)."""
        raise self._unsupported("set_admin_password")

    def inject_nmi(self, uuid: str) -> None:
        """Send a non-maskable interrupt (trigger_crash_dump)."""
        raise self._unsupported("inject_nmi")

    def snapshot(self, uuid: str, dest_path: str, disk_format: str = "qcow2") -> dict[str, Any]:
        """Write the root disk to ``dest_path``; return ``{"size", "checksum", "disk_format"}``
        (``checksum`` is the md5 hex digest of the file)."""
        raise self._unsupported("snapshot")

    # -- cold migration and resize -----------------------------------------------------------

    def migrate_disk_and_power_off(self, uuid: str) -> dict[str, Any]:
        """Source side: power off, set the disk aside, undefine; return ``{"disk_path"}``."""
        raise self._unsupported("migrate_disk_and_power_off")

    def finish_migration(self, spec: InstanceSpec, source_disk_path: str | None, power_on: bool) -> int:
        """Destination side: copy the disk, define with ``spec``'s flavor, start if asked."""
        raise self._unsupported("finish_migration")

    def confirm_migration(self, uuid: str) -> None:
        """Source side: delete what ``migrate_disk_and_power_off`` set aside."""
        raise self._unsupported("confirm_migration")

    def finish_revert_migration(self, spec: InstanceSpec, power_on: bool) -> int:
        """Source side: restore the set-aside disk, define with ``spec`` (the old flavor)."""
        raise self._unsupported("finish_revert_migration")

    # -- live migration ------------------------------------------------------------------------

    def live_migrate(
        self,
        uuid: str,
        dest_uri: str,
        block_migration: bool,
        timeout: float = 800,
        *,
        dest_disk_path: str | None = None,
        dest_console_log: str | None = None,
        migrate_uri: str | None = None,
        bandwidth_mib: int | None = None,
    ) -> None:
        """Move the running guest to ``dest_uri`` (needs ``supports_migration``): its disk to
        ``dest_disk_path`` for a block migration, its console log to ``dest_console_log``
        (both from the destination's ``prepare_live_migration_destination``), the data over
        ``migrate_uri``, at most
        ``bandwidth_mib`` MiB/s."""
        raise self._unsupported("live_migrate")

    def abort_live_migration(self, uuid: str) -> None:
        """Stop a running ``live_migrate`` of ``uuid`` (called from another thread)."""
        raise self._unsupported("abort_live_migration")

    def force_live_migration_complete(self, uuid: str) -> None:
        """Make a running ``live_migrate`` converge (pauses the guest)."""
        raise self._unsupported("force_live_migration_complete")

    def prepare_live_migration_destination(self, spec: InstanceSpec) -> dict[str, Any] | None:
        """Destination side, before a migration: make the instance directory (and disk);
        returns ``{"disk_path", "console_log"}``, the paths the guest will use here."""
        raise self._unsupported("prepare_live_migration_destination")

    def cleanup_live_migration_destination(self, uuid: str) -> None:
        """Destination side, after a failed migration: remove what prepare/import made."""
        raise self._unsupported("cleanup_live_migration_destination")

    def export_guest(self, uuid: str) -> dict[str, Any]:
        """Source side of a move without hypervisor migration: ``{"xml", "power_state"}``."""
        raise self._unsupported("export_guest")

    def import_guest(self, xml: str, power_state: int) -> int:
        """Destination side: define from ``xml`` and bring it to ``power_state``."""
        raise self._unsupported("import_guest")

    # -- devices -------------------------------------------------------------------------------

    def attach_volume(self, uuid: str, volume: dict[str, Any], device: str | None = None) -> str:
        """Attach a volume dict; return the device name the guest got (e.g. ``"sdb"``)."""
        raise self._unsupported("attach_volume")

    def detach_volume(self, uuid: str, volume_id: str) -> None:
        """Detach the volume ``volume_id`` (a missing one is fine)."""
        raise self._unsupported("detach_volume")

    def attach_interface(self, uuid: str, port: dict[str, Any]) -> None:
        """Plug a NIC for a port dict."""
        raise self._unsupported("attach_interface")

    def detach_interface(self, uuid: str, port_id: str) -> None:
        """Unplug the NIC of ``port_id`` (a missing one is fine)."""
        raise self._unsupported("detach_interface")

    @abc.abstractmethod
    def close(self) -> None:
        """Release the hypervisor connection. The driver may be used again afterwards."""

    def __enter__(self) -> ComputeDriver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
