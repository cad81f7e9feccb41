"""Admin for the servers app, one module per family: ``servers`` (servers and their audit
records), ``flavors`` (flavors and their access), ``tenancy`` (keypairs, server groups and
quota limits). Every write goes through servers.services (novasite.admin_support)."""

from . import flavors, servers, tenancy

__all__ = ["flavors", "servers", "tenancy"]
