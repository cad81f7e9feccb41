"""HostState: what the Python filters and weighers know about one candidate host.

Built from one row of the candidate query (never an ORM object: the query may return
thousands), and updated in memory as a multi-create places its instances (`consume`), so
later picks of the same decision see the earlier ones before they are read back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .capacity import FREE_DISK_GB, FREE_RAM_MB, FREE_VCPUS, free
from .claims import Resources

# The candidate query's SELECT list (alias n = hosts_computenode) and HostState's matching
# attributes, in order. Effective ratios are computed by SQL exactly as the claim does.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "n.id"),
    ("host", "n.host"),
    ("hypervisor_hostname", "n.hypervisor_hostname"),
    ("hypervisor_type", "n.hypervisor_type"),
    ("hypervisor_version", "n.hypervisor_version"),
    ("availability_zone", "n.availability_zone"),
    ("vcpus", "n.vcpus"),
    ("vcpus_used", "n.vcpus_used"),
    ("memory_mb", "n.memory_mb"),
    ("memory_mb_used", "n.memory_mb_used"),
    ("local_gb", "n.local_gb"),
    ("local_gb_used", "n.local_gb_used"),
    ("running_vms", "n.running_vms"),
    ("cpu_allocation_ratio", "COALESCE(n.aggregate_cpu_allocation_ratio, n.cpu_allocation_ratio)"),
    ("ram_allocation_ratio", "COALESCE(n.aggregate_ram_allocation_ratio, n.ram_allocation_ratio)"),
    ("disk_allocation_ratio", "COALESCE(n.aggregate_disk_allocation_ratio, n.disk_allocation_ratio)"),
    ("reserved_host_cpus", "n.reserved_host_cpus"),
    ("reserved_host_memory_mb", "n.reserved_host_memory_mb"),
    ("reserved_host_disk_mb", "n.reserved_host_disk_mb"),
    ("failed_builds", "n.failed_builds"),
    ("last_build_failure_at", "n.last_build_failure_at"),
    # Free amounts as the database computes them: the claim's own arithmetic, so a host the
    # Python view thinks fits is one the claim agrees on (until someone else claims it).
    ("free_vcpus", free(FREE_VCPUS)),
    ("free_ram_mb", free(FREE_RAM_MB)),
    ("free_disk_gb", free(FREE_DISK_GB)),
)
SELECT_LIST = ", ".join(f"{sql} AS {name}" for name, sql in COLUMNS)


def _aware(value: datetime | str | None) -> datetime | None:
    """A time column as the ORM would give it: SQLite hands a raw query its UTC text, or a
    naive datetime, where PostgreSQL gives an aware one."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


class HostState:
    """One candidate host. Attribute names follow ComputeNode's, so filters read alike."""

    __slots__ = (*tuple(name for name, _ in COLUMNS), "cpu_info", "extras")

    id: int
    host: str
    hypervisor_hostname: str
    hypervisor_type: str
    hypervisor_version: int
    availability_zone: str | None
    vcpus: int
    vcpus_used: int
    memory_mb: int
    memory_mb_used: int
    local_gb: int
    local_gb_used: int
    running_vms: int
    cpu_allocation_ratio: float
    ram_allocation_ratio: float
    disk_allocation_ratio: float
    reserved_host_cpus: int
    reserved_host_memory_mb: int
    reserved_host_disk_mb: int
    failed_builds: int
    last_build_failure_at: datetime | None
    free_vcpus: float
    free_ram_mb: float
    free_disk_gb: float
    cpu_info: str | None
    extras: dict[str, Any]  # the query's extra columns, as the database returns them

    def __init__(self, row: Sequence[Any], extra_names: tuple[str, ...] = ()) -> None:
        for (name, _), value in zip(COLUMNS, row, strict=False):
            setattr(self, name, value)
        self.last_build_failure_at = _aware(self.last_build_failure_at)
        self.cpu_info = None  # loaded on demand (Decision.cpu_info), it can be large
        # Columns weighers added to the candidate query (BaseWeigher.column_sql), by name.
        self.extras = dict(zip(extra_names, row[len(COLUMNS) :], strict=True))

    def __repr__(self) -> str:
        return f"<HostState {self.host}>"

    @property
    def vcpus_capacity(self) -> float:
        return self.vcpus * self.cpu_allocation_ratio - self.reserved_host_cpus

    @property
    def memory_mb_capacity(self) -> float:
        return self.memory_mb * self.ram_allocation_ratio - self.reserved_host_memory_mb

    @property
    def local_gb_capacity(self) -> float:
        return self.local_gb * self.disk_allocation_ratio - self.reserved_host_disk_mb / 1024.0

    def fits(self, res: Resources) -> bool:
        """Room for `res` by the claim's rule, on the in-memory view."""
        return self.free_vcpus >= res.vcpus and self.free_ram_mb >= res.memory_mb and self.free_disk_gb >= res.disk_gb

    def consume(self, res: Resources) -> None:
        """Account for a claim this decision just made."""
        self.vcpus_used += res.vcpus
        self.memory_mb_used += res.memory_mb
        self.local_gb_used += res.disk_gb
        self.free_vcpus -= res.vcpus
        self.free_ram_mb -= res.memory_mb
        self.free_disk_gb -= res.disk_gb
        self.running_vms += 1
