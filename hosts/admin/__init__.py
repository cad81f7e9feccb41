"""Admin for hosts, one module per family. Every write is a hosts.services call
(novasite.admin_support); the rules a row must satisfy are its model's clean(), which the
forms run first.

- ``aggregates``: aggregates (zone, metadata) and their host membership;
- ``service_records``: Nova's Service records, with the os-services actions (enable, disable
  with a reason, force down and up) as bulk actions;
- ``compute_nodes``: compute nodes with their usage bars, state and heartbeat (operators set
  ratios and reserves), and the read-only allocations;
- ``why_not``: the "why not this host?" page over scheduling.why_not.
"""

from . import aggregates, compute_nodes, service_records

__all__ = ["aggregates", "compute_nodes", "service_records"]
