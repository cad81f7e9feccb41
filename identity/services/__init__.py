"""The identity service layer (a Keystone v3 subset): projects, users, roles and grants.

Every write and lookup the identity API, the admin or a command makes starts here. Functions
take a ``core.principal.Caller`` and typed arguments (``changes``), enforce the identity rules
of ``core.policy`` (Keystone's names, ``identity:create_project`` ...), and raise
``core.exceptions``. Token rules live in ``identity.tokens``; the services call it when a
change ends sessions."""
