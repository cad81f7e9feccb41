"""The servers service layer: every change a user, an operator or a command asks of servers,
flavors, keypairs, server groups, metadata and quotas starts here, whether it comes from the
REST API, the Django admin or a management command. Functions take a ``core.principal.Caller``
and plain typed arguments (never a request body or a microversion), enforce ``core.policy``,
check the state rules (``servers.states``), write, and hand workflows to the conductor."""
