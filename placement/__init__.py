"""A read-only Placement API (/placement): the scheduler's own compute nodes, their capacity
and the allocations its claims hold, shown as Placement's resource providers, inventories,
usages and allocations. Nothing is stored here: every answer is read from ``hosts.models``."""
