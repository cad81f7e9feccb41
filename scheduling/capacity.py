"""The capacity rule, written once for SQL: free = total x effective ratio - reserved - used.

The candidate query, its expression indexes (hosts migration 0002) and the atomic claim all
use these exact expressions. PostgreSQL only uses an expression index when the query repeats
the indexed expression, so they must not be rewritten elsewhere: format them with the table
alias and use them as they are.

The capacity alone (total x effective ratio - reserved, what the operator's bars show as the
total) is the same expression without the usage: each FREE_* below is its CAPACITY_* with the
usage subtracted, so the text of the indexed expressions is unchanged.
"""

from __future__ import annotations

# {n} is the alias (or table name) of hosts_computenode in the statement.
_VCPUS = "{n}.vcpus * COALESCE({n}.aggregate_cpu_allocation_ratio, {n}.cpu_allocation_ratio) - {n}.reserved_host_cpus"
_RAM_MB = (
    "{n}.memory_mb * COALESCE({n}.aggregate_ram_allocation_ratio, {n}.ram_allocation_ratio)"
    " - {n}.reserved_host_memory_mb"
)
_DISK_GB = (
    "{n}.local_gb * COALESCE({n}.aggregate_disk_allocation_ratio, {n}.disk_allocation_ratio)"
    " - {n}.reserved_host_disk_mb / 1024.0"
)

CAPACITY_VCPUS = f"({_VCPUS})"
CAPACITY_RAM_MB = f"({_RAM_MB})"
CAPACITY_DISK_GB = f"({_DISK_GB})"

FREE_VCPUS = f"({_VCPUS} - {{n}}.vcpus_used)"
FREE_RAM_MB = f"({_RAM_MB} - {{n}}.memory_mb_used)"
FREE_DISK_GB = f"({_DISK_GB} - {{n}}.local_gb_used)"

#: Each resource's capacity expression and the column counting its usage.
CAPACITY = {
    "vcpus": (CAPACITY_VCPUS, "vcpus_used"),
    "memory_mb": (CAPACITY_RAM_MB, "memory_mb_used"),
    "disk_gb": (CAPACITY_DISK_GB, "local_gb_used"),
}

# Names of the expression indexes over the three expressions (hosts migration 0002).
INDEXES = {
    "hosts_computenode_free_vcpus": FREE_VCPUS,
    "hosts_computenode_free_ram_mb": FREE_RAM_MB,
    "hosts_computenode_free_disk_gb": FREE_DISK_GB,
}


def free(expression: str, alias: str = "n") -> str:
    """One of the expressions above for the given table alias."""
    return expression.format(n=alias)


def fits_sql(alias: str = "n") -> str:
    """SQL condition: the node has room for (vcpus, memory_mb, disk_gb), passed as three params
    in that order. Exactly the rule the claim's conditional UPDATE enforces."""
    return f"{free(FREE_VCPUS, alias)} >= %s AND {free(FREE_RAM_MB, alias)} >= %s AND {free(FREE_DISK_GB, alias)} >= %s"


def lacks_room_sql(alias: str = "n") -> str:
    """SQL condition: exactly the nodes ``fits_sql`` refuses, with the same three params. The
    columns are NOT NULL, so the negation is the three comparisons reversed, each served by
    its free-resource index."""
    return f"{free(FREE_VCPUS, alias)} < %s OR {free(FREE_RAM_MB, alias)} < %s OR {free(FREE_DISK_GB, alias)} < %s"
