"""ResourceFitFilter: only hosts with room for the flavor's vCPUs, RAM and disk, counting the
effective allocation ratios (an aggregate's cpu/ram/disk_allocation_ratio override, else the
host's) and reserved resources: the very rule, and SQL, the claim enforces."""

from __future__ import annotations

from scheduling.capacity import fits_sql, lacks_room_sql
from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseFilter, Sql


class ResourceFitFilter(BaseFilter):
    name = "ResourceFitFilter"

    def sql(self, decision: Decision) -> Sql:
        res = decision.resources
        return Sql(fits_sql("n"), (res.vcpus, res.memory_mb, res.disk_gb))

    def rejection_sql(self, decision: Decision) -> Sql:
        res = decision.resources
        return Sql(lacks_room_sql("n"), (res.vcpus, res.memory_mb, res.disk_gb))

    def runs_in_python(self, decision: Decision) -> bool:
        # A multi-create consumes room as it goes: re-check on the in-memory view.
        return len(decision.spec.instance_uuids) > 1

    def host_passes(self, host: HostState, decision: Decision) -> bool:
        return host.fits(decision.resources)

    def why(self, host: HostState, decision: Decision) -> str:
        res = decision.resources
        short = []
        for label, wanted, free, total, ratio, reserved, used in (
            (
                "vCPUs",
                res.vcpus,
                host.free_vcpus,
                host.vcpus,
                host.cpu_allocation_ratio,
                host.reserved_host_cpus,
                host.vcpus_used,
            ),
            (
                "MB RAM",
                res.memory_mb,
                host.free_ram_mb,
                host.memory_mb,
                host.ram_allocation_ratio,
                host.reserved_host_memory_mb,
                host.memory_mb_used,
            ),
            (
                "GB disk",
                res.disk_gb,
                host.free_disk_gb,
                host.local_gb,
                host.disk_allocation_ratio,
                host.reserved_host_disk_mb / 1024,
                host.local_gb_used,
            ),
        ):
            if free < wanted:
                short.append(
                    f"needs {wanted} {label}, {free:g} free"
                    f" ({total} x ratio {ratio:g} - {reserved:g} reserved - {used} used)"
                )
        return "; ".join(short) or "fits"
