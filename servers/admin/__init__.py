"""Admin for the servers app, one module per family: ``servers`` (servers and their audit
records), ``flavors`` (flavors and their access), ``tenancy`` (keypairs and server groups),
``quotas`` (quota limits, and a project's quota set). Every write goes through
servers.services (novasite.admin_support)."""

from . import flavors, quotas, servers, tenancy

__all__ = ["flavors", "quotas", "servers", "tenancy"]
