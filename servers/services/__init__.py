"""The servers service layer: every change a user, an operator or a command asks of servers,
flavors, keypairs, server groups, metadata and quotas starts here, whether it comes from the
REST API, the Django admin or a management command. Functions take a ``core.principal.Caller``
and plain typed arguments (never a request body or a microversion), enforce ``core.policy``,
check the state rules (``servers.states``), write, and hand workflows to the conductor.

- ``lookup``: a caller's server, the flavors and images it may boot, availability zones;
- ``create``, ``update``, ``listing``: creating, editing and listing servers;
- ``operations``, ``moves``, ``shelving``, ``snapshots``, ``attachments``: server actions;
- ``instance_actions``, ``migrations``: the audit trail and os-migrations;
- ``flavors``, ``keypairs``, ``groups``, ``metadata``, ``quotas``: the other compute resources.
"""
