"""Admin for the servers app, one module per family: ``servers`` (the server admin, with its
list in ``server_list``, its page's records in ``server_detail`` and its actions in
``server_actions`` and ``server_action_views``), ``records`` (faults, instance actions,
migrations and the other records workflows write), ``flavors`` (flavors and their access),
``tenancy`` (keypairs and server groups), ``quotas`` (quota limits, and a project's quota
set), ``block_devices`` (the mappings a server was created with, read only). Every write
goes through servers.services (novasite.admin_support)."""

from . import block_devices, flavors, quotas, records, servers, tenancy

__all__ = ["block_devices", "flavors", "quotas", "records", "servers", "tenancy"]
