"""The network service layer (a Neutron v2.0 subset). Every function takes a
``core.principal.Caller`` and typed arguments (``arguments``), enforces the policy
(``core.policy``), and raises typed errors (``networks.exceptions``, ``core.exceptions``):

- ``access``: what a caller sees (networks, subnets, ports) and who owns a new resource;
- ``networks``, ``subnets``, ``ports``: the writes, with their rules;
- ``security_groups``, ``security_group_rules``: groups, their rules, and the groups of ports;
- ``routers``, ``router_interfaces``, ``floating_ips``: the L3 API (records and addresses only);
- ``quotas``: limits, usage and the check made before a create.

Addresses and MACs are handed out by ``networks.ipam``, which the compute side calls too."""
