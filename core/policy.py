"""The policy: every named rule of every service, and the one function that enforces them.

As in Nova's ``nova/policies/``, a rule has the name the service's own policy file uses
(``os_compute_api:os-evacuate``, ``identity:create_project``, ``create_network:shared``) and a
check string. The service layer enforces rules, so the API, the admin console and management
commands are refused alike; views only translate the refusal into the service's error body
(``core.errors``, which words it as that service does).

The checks are those Nova and Keystone defaults use here:

- ``ADMIN``: the caller holds the admin role;
- ``MEMBER``: any authenticated caller (what the token may then see is scoped by project);
- ``OWNER``: an admin, or a caller in the target's project;
- ``SELF``: an admin, or the target user itself (``SELF_ONLY``: not even an admin);
- ``SERVICE_OR_ADMIN``: an admin, or a caller holding the service role (another service);
- ``PROJECT_READER``, ``PROJECT_MEMBER``, ``PROJECT_MANAGER``: an admin, or a caller holding
  the reader (member, manager) role in the target's project: Nova's ``project_reader_api``
  and its siblings (nova/policies/base.py). A token's roles include the roles they imply
  (manager implies member, member implies reader), so a member passes PROJECT_READER; an
  unscoped token has no role and passes none of them;
- ``SERVICE``: the caller holds the service role (Nova's ``service_api``; admin does not
  imply it), the role other services' users hold when they call back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .exceptions import PolicyNotAuthorized
from .principal import Caller


@dataclass(frozen=True)
class Target:
    """What a rule is checked against: the project and user that own the resource."""

    project_id: str | None = None
    user_id: str | None = None


Check = Callable[[Caller, Target], bool]


def _admin(caller: Caller, target: Target) -> bool:
    return caller.is_admin


def _member(caller: Caller, target: Target) -> bool:
    return True


def _owner(caller: Caller, target: Target) -> bool:
    return caller.is_admin or target.project_id in (None, caller.project_id)


def _self(caller: Caller, target: Target) -> bool:
    return caller.is_admin or target.user_id in (None, caller.user_id)


def _self_only(caller: Caller, target: Target) -> bool:
    return target.user_id in (None, caller.user_id)


def _service_or_admin(caller: Caller, target: Target) -> bool:
    return caller.is_admin or "service" in caller.roles


def _service(caller: Caller, target: Target) -> bool:
    return "service" in caller.roles


def _role_in_project(role: str) -> Check:
    def check(caller: Caller, target: Target) -> bool:
        return caller.is_admin or (role in caller.roles and _owner(caller, target))

    return check


ADMIN, MEMBER, OWNER, SELF, SELF_ONLY = _admin, _member, _owner, _self, _self_only
SERVICE_OR_ADMIN = _service_or_admin
# Nova's service_api (nova/policies/base.py): the service role, which admin does not imply.
SERVICE = _service
PROJECT_READER, PROJECT_MEMBER, PROJECT_MANAGER = map(_role_in_project, ("reader", "member", "manager"))


@dataclass(frozen=True)
class Rule:
    """A named rule: its service's name for it, its check, and what it guards."""

    name: str
    check: Check
    description: str


def enforce(caller: Caller, rule: Rule, *, project_id: str | None = None, user_id: str | None = None) -> None:
    """Raise PolicyNotAuthorized (403) unless ``rule`` allows ``caller`` on the target."""
    if not rule.check(caller, Target(project_id, user_id)):
        raise PolicyNotAuthorized(rule.name)


def allows(caller: Caller, rule: Rule, *, project_id: str | None = None, user_id: str | None = None) -> bool:
    """Whether ``rule`` allows ``caller`` on the target (for what a page or list shows)."""
    return rule.check(caller, Target(project_id, user_id))


# --- Every API but Identity: the token's project ------------------------------------------------
# Nova's base rules (nova/policies/base.py), which Neutron, Glance and Cinder's new defaults
# share: reading a project's resources takes the reader role there, changing them the member
# role (core.views.ProjectRoles checks them on every request; the rules below are narrower).
PROJECT_READER_OR_ADMIN = Rule("project_reader_or_admin", PROJECT_READER, "Read the resources of the token's project")
PROJECT_MEMBER_OR_ADMIN = Rule(
    "project_member_or_admin", PROJECT_MEMBER, "Create, change or delete the resources of the token's project"
)

# --- Compute (nova/policies/) ---------------------------------------------------------------
# nova/policies/security_groups.py: the server's security groups (the proxy's own calls check
# the token's project only, which ProjectRoles does).
SERVER_SECURITY_GROUPS_ADD = Rule("os_compute_api:os-security-groups:add", PROJECT_MEMBER, "Add a group to a server")
SERVER_SECURITY_GROUPS_REMOVE = Rule(
    "os_compute_api:os-security-groups:remove", PROJECT_MEMBER, "Remove a group from a server"
)
SERVERS_CREATE_ON_HOST = Rule(
    "compute:servers:create:requested_destination", ADMIN, "Create a server on a named host or hypervisor (2.74)"
)
SERVERS_ALL_TENANTS = Rule("os_compute_api:servers:index:get_all_tenants", ADMIN, "List every project's servers")
SERVERS_ADMIN_FILTERS = Rule("os_compute_api:servers:allow_all_filters", ADMIN, "Filter and sort servers on any field")
SERVERS_RESET_STATE = Rule("os_compute_api:os-admin-actions:reset_state", ADMIN, "Force a server's state")
SERVERS_INJECT_NETWORK_INFO = Rule(
    "os_compute_api:os-admin-actions:inject_network_info", ADMIN, "Inject network information into a server"
)
# Moves with the 2024.2 "manager" defaults (nova/policies/migrate_server.py, migrations.py,
# servers_migrations.py): a project manager may move its project's servers and follow the
# moves, but naming a host, seeing hosts and other projects' migrations stay with admins.
SERVERS_MIGRATE = Rule("os_compute_api:os-migrate-server:migrate", PROJECT_MANAGER, "Cold-migrate a server")
SERVERS_MIGRATE_HOST = Rule(
    "os_compute_api:os-migrate-server:migrate:host", ADMIN, "Cold-migrate a server to a named host"
)
SERVERS_MIGRATE_LIVE = Rule("os_compute_api:os-migrate-server:migrate_live", PROJECT_MANAGER, "Live-migrate a server")
SERVERS_MIGRATE_LIVE_HOST = Rule(
    "os_compute_api:os-migrate-server:migrate_live:host", ADMIN, "Live-migrate a server to a named host"
)
SERVERS_UNSHELVE_TO_HOST = Rule(
    "os_compute_api:os-shelve:unshelve_to_host", ADMIN, "Unshelve a shelved offloaded server onto a named host"
)
SERVERS_EVACUATE = Rule("os_compute_api:os-evacuate", ADMIN, "Rebuild a server of a down host elsewhere")
SERVER_MIGRATIONS_INDEX = Rule(
    "os_compute_api:servers:migrations:index", PROJECT_MANAGER, "List a server's live migrations in progress"
)
SERVER_MIGRATIONS_INDEX_HOST = Rule(
    "os_compute_api:servers:migrations:index:host", ADMIN, "See the hosts of a server's live migrations"
)
SERVER_MIGRATIONS_SHOW = Rule("os_compute_api:servers:migrations:show", ADMIN, "Show a live migration in progress")
SERVER_MIGRATIONS_DELETE = Rule("os_compute_api:servers:migrations:delete", PROJECT_MANAGER, "Abort a live migration")
SERVER_MIGRATIONS_FORCE_COMPLETE = Rule(
    "os_compute_api:servers:migrations:force_complete", PROJECT_MANAGER, "Force a live migration to complete"
)
MIGRATIONS_INDEX = Rule("os_compute_api:os-migrations:index", PROJECT_MANAGER, "List migrations (without hosts)")
MIGRATIONS_INDEX_ALL_PROJECTS = Rule(
    "os_compute_api:os-migrations:index:all_projects",
    ADMIN,
    "List the migrations of every project, or of a project not the token's",
)
MIGRATIONS_INDEX_HOST = Rule("os_compute_api:os-migrations:index:host", ADMIN, "See the hosts of migrations")
INSTANCE_ACTION_EVENTS = Rule(
    "os_compute_api:os-instance-actions:events", ADMIN, "See the tracebacks and hosts of instance action events"
)
INSTANCE_ACTION_EVENT_DETAILS = Rule(
    "os_compute_api:os-instance-actions:events:details", ADMIN, "See the tracebacks of instance action events"
)
FLAVOR_CREATE = Rule("os_compute_api:os-flavor-manage:create", ADMIN, "Create a flavor")
FLAVOR_UPDATE = Rule("os_compute_api:os-flavor-manage:update", ADMIN, "Change a flavor's description")
FLAVOR_DELETE = Rule("os_compute_api:os-flavor-manage:delete", ADMIN, "Delete a flavor")
FLAVOR_ACCESS = Rule("os_compute_api:os-flavor-access", ADMIN, "List the projects a private flavor is shared with")
FLAVOR_ACCESS_ADD = Rule("os_compute_api:os-flavor-access:add_tenant_access", ADMIN, "Share a private flavor")
FLAVOR_ACCESS_REMOVE = Rule("os_compute_api:os-flavor-access:remove_tenant_access", ADMIN, "Unshare a flavor")
FLAVOR_EXTRA_SPECS_CREATE = Rule("os_compute_api:os-flavor-extra-specs:create", ADMIN, "Add flavor extra specs")
FLAVOR_EXTRA_SPECS_UPDATE = Rule("os_compute_api:os-flavor-extra-specs:update", ADMIN, "Change a flavor extra spec")
FLAVOR_EXTRA_SPECS_DELETE = Rule("os_compute_api:os-flavor-extra-specs:delete", ADMIN, "Remove a flavor extra spec")
KEYPAIRS_OF_USER = Rule("os_compute_api:os-keypairs", SELF, "Manage a keypair of a user (another user's: admins)")
SERVER_GROUPS_ALL_PROJECTS = Rule(
    "os_compute_api:os-server-groups:index:all_projects", ADMIN, "List every project's server groups"
)
# novasite's own (Nova adds members only at boot): an operator moving existing servers.
VOLUME_ATTACHMENT_SWAP = Rule(
    "os_compute_api:os-volumes-attachments:swap", SERVICE, "Swap a server's volume for another (Cinder calls it)"
)
SERVER_GROUPS_ADD_MEMBER = Rule("novasite:os-server-groups:add_member", ADMIN, "Put an existing server in a group")
SERVER_GROUPS_REMOVE_MEMBER = Rule("novasite:os-server-groups:remove_member", ADMIN, "Take a server out of its group")
QUOTAS_SHOW = Rule("os_compute_api:os-quota-sets:show", OWNER, "Show a project's quotas")
QUOTAS_DETAIL = Rule("os_compute_api:os-quota-sets:detail", OWNER, "Show a project's quotas with their usage")
QUOTAS_DEFAULTS = Rule("os_compute_api:os-quota-sets:defaults", MEMBER, "Show the default quotas")
QUOTAS_UPDATE = Rule("os_compute_api:os-quota-sets:update", ADMIN, "Change a project's quotas")
QUOTA_CLASSES_SHOW = Rule("os_compute_api:os-quota-class-sets:show", ADMIN, "Show a quota class's limits")
QUOTA_CLASSES_UPDATE = Rule(
    "os_compute_api:os-quota-class-sets:update", ADMIN, "Change a quota class's limits (class default: the defaults)"
)
QUOTAS_DELETE = Rule("os_compute_api:os-quota-sets:delete", ADMIN, "Revert a project's quotas to the defaults")
LIMITS_OTHER_PROJECT = Rule("os_compute_api:limits:other_project", ADMIN, "Show another project's limits")
# Secondary server resources (nova/policies/server_tags.py, ips.py, server_password.py,
# server_diagnostics.py, console_output.py, simple_tenant_usage.py, instance_usage_audit_log.py).
SERVER_TAGS_INDEX = Rule("os_compute_api:os-server-tags:index", PROJECT_READER, "List a server's tags")
SERVER_TAGS_SHOW = Rule("os_compute_api:os-server-tags:show", PROJECT_READER, "Check that a server has a tag")
SERVER_TAGS_UPDATE = Rule("os_compute_api:os-server-tags:update", PROJECT_MEMBER, "Add one tag to a server")
SERVER_TAGS_UPDATE_ALL = Rule("os_compute_api:os-server-tags:update_all", PROJECT_MEMBER, "Replace a server's tags")
SERVER_TAGS_DELETE = Rule("os_compute_api:os-server-tags:delete", PROJECT_MEMBER, "Remove one tag from a server")
SERVER_TAGS_DELETE_ALL = Rule("os_compute_api:os-server-tags:delete_all", PROJECT_MEMBER, "Remove a server's tags")
SERVER_IPS_INDEX = Rule("os_compute_api:ips:index", PROJECT_READER, "List a server's addresses")
SERVER_IPS_SHOW = Rule("os_compute_api:ips:show", PROJECT_READER, "List a server's addresses on one network")
SERVER_PASSWORD_SHOW = Rule("os_compute_api:os-server-password:show", PROJECT_READER, "Show a server's password")
SERVER_PASSWORD_CLEAR = Rule("os_compute_api:os-server-password:clear", PROJECT_MEMBER, "Clear a server's password")
SERVER_DIAGNOSTICS = Rule("os_compute_api:os-server-diagnostics", ADMIN, "Show what the hypervisor sees of a server")
CONSOLE_OUTPUT = Rule("os_compute_api:os-console-output", PROJECT_MEMBER, "Show a server's console log")
REMOTE_CONSOLES = Rule("os_compute_api:os-remote-consoles", PROJECT_MEMBER, "Get a URL to a server's console")
CONSOLE_AUTH_TOKENS = Rule("os_compute_api:os-console-auth-tokens", ADMIN, "Show what a console token connects to")
USAGE_SHOW = Rule("os_compute_api:os-simple-tenant-usage:show", PROJECT_READER, "Show a project's usage")
USAGE_LIST = Rule("os_compute_api:os-simple-tenant-usage:list", ADMIN, "List every project's usage")
USAGE_AUDIT_LOG_LIST = Rule("os_compute_api:os-instance-usage-audit-log:list", ADMIN, "List the usage audit task logs")
USAGE_AUDIT_LOG_SHOW = Rule(
    "os_compute_api:os-instance-usage-audit-log:show", ADMIN, "Show the usage audit task logs before a time"
)
# Nova's service_or_admin: other services (Neutron, Cinder) tell Nova about events.
SERVER_EXTERNAL_EVENTS = Rule(
    "os_compute_api:os-server-external-events:create", SERVICE_OR_ADMIN, "Tell Nova about events of its servers"
)
# Hosts and scheduling (nova/policies/aggregates.py, services.py, hypervisors.py, availability_zone.py)
AGGREGATES_INDEX = Rule("os_compute_api:os-aggregates:index", ADMIN, "List host aggregates")
AGGREGATES_SHOW = Rule("os_compute_api:os-aggregates:show", ADMIN, "Show a host aggregate")
AGGREGATES_CREATE = Rule("os_compute_api:os-aggregates:create", ADMIN, "Create a host aggregate")
AGGREGATES_UPDATE = Rule("os_compute_api:os-aggregates:update", ADMIN, "Rename or rezone a host aggregate")
AGGREGATES_DELETE = Rule("os_compute_api:os-aggregates:delete", ADMIN, "Delete a host aggregate")
AGGREGATES_ADD_HOST = Rule("os_compute_api:os-aggregates:add_host", ADMIN, "Add a host to an aggregate")
AGGREGATES_REMOVE_HOST = Rule("os_compute_api:os-aggregates:remove_host", ADMIN, "Remove a host from an aggregate")
AGGREGATES_SET_METADATA = Rule("os_compute_api:os-aggregates:set_metadata", ADMIN, "Set an aggregate's metadata")
SERVICES_LIST = Rule("os_compute_api:os-services:list", ADMIN, "List compute services")
SERVICES_UPDATE = Rule("os_compute_api:os-services:update", ADMIN, "Enable, disable or force down a compute service")
SERVICES_DELETE = Rule("os_compute_api:os-services:delete", ADMIN, "Delete a compute service")
HYPERVISORS_LIST = Rule("os_compute_api:os-hypervisors:list", ADMIN, "List hypervisors")
HYPERVISORS_LIST_DETAIL = Rule("os_compute_api:os-hypervisors:list-detail", ADMIN, "List hypervisors with details")
HYPERVISORS_STATISTICS = Rule("os_compute_api:os-hypervisors:statistics", ADMIN, "Sum up every hypervisor's usage")
HYPERVISORS_SHOW = Rule("os_compute_api:os-hypervisors:show", ADMIN, "Show a hypervisor")
HYPERVISORS_UPTIME = Rule("os_compute_api:os-hypervisors:uptime", ADMIN, "Show a hypervisor's uptime")
HYPERVISORS_SEARCH = Rule("os_compute_api:os-hypervisors:search", ADMIN, "Search hypervisors by hostname")
HYPERVISORS_SERVERS = Rule(
    "os_compute_api:os-hypervisors:servers", ADMIN, "List the servers of hypervisors matching a hostname"
)
# os-hosts, deprecated (nova/policies/hosts.py): served until 2.42.
HOSTS_LIST = Rule("os_compute_api:os-hosts:list", ADMIN, "List physical hosts")
HOSTS_SHOW = Rule("os_compute_api:os-hosts:show", ADMIN, "Show a physical host's resources")
HOSTS_UPDATE = Rule("os_compute_api:os-hosts:update", ADMIN, "Update a physical host")
HOSTS_REBOOT = Rule("os_compute_api:os-hosts:reboot", ADMIN, "Reboot a physical host")
HOSTS_SHUTDOWN = Rule("os_compute_api:os-hosts:shutdown", ADMIN, "Shut a physical host down")
HOSTS_START = Rule("os_compute_api:os-hosts:start", ADMIN, "Start a physical host up")
# The v2.1 extension list anyone may read (nova/policies/extensions.py).
EXTENSIONS = Rule("os_compute_api:extensions", MEMBER, "List the API extensions and show one by alias")
AVAILABILITY_ZONE_LIST = Rule("os_compute_api:os-availability-zone:list", MEMBER, "List availability zones")
AVAILABILITY_ZONE_DETAIL = Rule(
    "os_compute_api:os-availability-zone:detail", ADMIN, "List availability zones with their hosts"
)
# novasite's own (no upstream counterpart): the scheduler's why-not explanation.
SCHEDULER_EXPLAIN = Rule("novasite:scheduler:why_not", ADMIN, "Explain why a host would not be chosen")
# novasite's own: nova-manage placement audit's counterpart (workers/conductor/audit.py).
PLACEMENT_AUDIT = Rule(
    "novasite:placement:audit", ADMIN, "Find, and heal, allocations, ports, volumes and guests nobody owns"
)
# A compute node's allocation ratios and reserved amounts are its inventory in Placement
# (placement/policies/inventory.py).
NODE_INVENTORY_UPDATE = Rule(
    "placement:resource_providers:inventories:update", ADMIN, "Change a compute node's allocation ratios and reserves"
)

# --- Identity (keystone/common/policies/) ---------------------------------------------------
# Keystone's defaults, as this cloud serves them: members may read their own project, user,
# grants and the roles; everything else is for admins.
IDENTITY_LIST_PROJECTS = Rule(
    "identity:list_projects", ADMIN, "List every project (others list the projects they hold a role on)"
)
IDENTITY_GET_PROJECT = Rule("identity:get_project", OWNER, "Show a project (a member: its token's project)")
IDENTITY_CREATE_PROJECT = Rule("identity:create_project", ADMIN, "Create a project")
IDENTITY_UPDATE_PROJECT = Rule("identity:update_project", ADMIN, "Rename, describe, enable or disable a project")
IDENTITY_DELETE_PROJECT = Rule("identity:delete_project", ADMIN, "Delete a project, its grants and tokens")
IDENTITY_LIST_USER_PROJECTS = Rule("identity:list_user_projects", SELF, "List the projects a user holds a role on")
IDENTITY_LIST_USERS = Rule("identity:list_users", ADMIN, "List users")
IDENTITY_GET_USER = Rule("identity:get_user", SELF, "Show a user (a member: itself)")
IDENTITY_CREATE_USER = Rule("identity:create_user", ADMIN, "Create a user")
IDENTITY_UPDATE_USER = Rule("identity:update_user", ADMIN, "Change a user (its password ends its sessions)")
IDENTITY_DELETE_USER = Rule("identity:delete_user", ADMIN, "Delete a user and its tokens")
IDENTITY_CHANGE_PASSWORD = Rule("identity:change_password", SELF_ONLY, "Change one's own password")
IDENTITY_LIST_ROLES = Rule("identity:list_roles", MEMBER, "List roles")
IDENTITY_GET_ROLE = Rule("identity:get_role", MEMBER, "Show a role")
IDENTITY_CREATE_ROLE = Rule("identity:create_role", ADMIN, "Create a role")
IDENTITY_DELETE_ROLE = Rule("identity:delete_role", ADMIN, "Delete a role, its grants and the tokens carrying it")
IDENTITY_CREATE_GRANT = Rule("identity:create_grant", ADMIN, "Grant a user a role on a project")
IDENTITY_CHECK_GRANT = Rule("identity:check_grant", SELF, "Check a user's role on a project (a member: its own)")
IDENTITY_LIST_GRANTS = Rule("identity:list_grants", SELF, "List a user's roles on a project (a member: its own)")
IDENTITY_REVOKE_GRANT = Rule("identity:revoke_grant", ADMIN, "Revoke a user's role on a project")
IDENTITY_LIST_ROLE_ASSIGNMENTS = Rule("identity:list_role_assignments", ADMIN, "List every role assignment")
# keystone/common/policies/token.py: an admin, or the user the subject token was issued to.
IDENTITY_CHECK_TOKEN = Rule("identity:check_token", SELF, "Check a token (HEAD /v3/auth/tokens)")
IDENTITY_VALIDATE_TOKEN = Rule("identity:validate_token", SELF, "Validate a token (GET /v3/auth/tokens)")
IDENTITY_REVOKE_TOKEN = Rule("identity:revoke_token", SELF, "Revoke a token (DELETE /v3/auth/tokens)")
# keystone/common/policies/auth.py: any token, an unscoped one included.
IDENTITY_GET_AUTH_PROJECTS = Rule("identity:get_auth_projects", MEMBER, "List the projects a token may be scoped to")
IDENTITY_GET_AUTH_DOMAINS = Rule("identity:get_auth_domains", MEMBER, "List the domains a token may be scoped to")
IDENTITY_GET_AUTH_SYSTEM = Rule("identity:get_auth_system", MEMBER, "Whether a token may be scoped to the system")
IDENTITY_GET_AUTH_CATALOG = Rule("identity:get_auth_catalog", MEMBER, "The service catalog of a token's project")
# keystone/common/policies/region.py, service.py, endpoint.py: any token reads regions; only
# an admin reads services and endpoints (or a system reader: no system scope here) or writes.
IDENTITY_LIST_REGIONS = Rule("identity:list_regions", MEMBER, "List regions")
IDENTITY_GET_REGION = Rule("identity:get_region", MEMBER, "Show a region")
IDENTITY_CREATE_REGION = Rule("identity:create_region", ADMIN, "Create a region")
IDENTITY_UPDATE_REGION = Rule("identity:update_region", ADMIN, "Describe or re-parent a region")
IDENTITY_DELETE_REGION = Rule("identity:delete_region", ADMIN, "Delete a region and its child regions")
IDENTITY_LIST_SERVICES = Rule("identity:list_services", ADMIN, "List the catalog's services")
IDENTITY_GET_SERVICE = Rule("identity:get_service", ADMIN, "Show a catalog service")
IDENTITY_CREATE_SERVICE = Rule("identity:create_service", ADMIN, "Create a catalog service")
IDENTITY_UPDATE_SERVICE = Rule("identity:update_service", ADMIN, "Update a catalog service")
IDENTITY_DELETE_SERVICE = Rule("identity:delete_service", ADMIN, "Delete a catalog service and its endpoints")
IDENTITY_LIST_ENDPOINTS = Rule("identity:list_endpoints", ADMIN, "List the catalog's endpoints")
IDENTITY_GET_ENDPOINT = Rule("identity:get_endpoint", ADMIN, "Show an endpoint")
IDENTITY_CREATE_ENDPOINT = Rule("identity:create_endpoint", ADMIN, "Create an endpoint")
IDENTITY_UPDATE_ENDPOINT = Rule("identity:update_endpoint", ADMIN, "Update an endpoint")
IDENTITY_DELETE_ENDPOINT = Rule("identity:delete_endpoint", ADMIN, "Delete an endpoint")

# --- Image (glance/policies/image.py) ---------------------------------------------------------
# The target's project is the image's owner; an image without one is nobody's (only admins
# change it), as glance/api/v2/policy.py check_is_image_mutable has it.
IMAGE_ADD = Rule("add_image", OWNER, "Create an image (owned by another project: admins)")
IMAGE_MODIFY = Rule("modify_image", OWNER, "Change an image's attributes and properties")
IMAGE_DELETE = Rule("delete_image", OWNER, "Delete an image")
IMAGE_UPLOAD = Rule("upload_image", OWNER, "Upload an image's data")
IMAGE_PUBLICIZE = Rule("publicize_image", ADMIN, "Make an image public")
# Glance checks context.is_admin outright for these (glance/api/v2/images.py: "Owner can't be
# updated by non admin."; glance/api/v2/image_data.py: a deactivated image's data), and
# context_is_admin is the rule that decides is_admin (glance/policies/base.py).
IMAGE_CONTEXT_IS_ADMIN = Rule(
    "context_is_admin", ADMIN, "Give an image to another project; download a deactivated image's data"
)

# --- Network (neutron/conf/policies/) -------------------------------------------------------
# OWNER rules are checked against the resource's project (for a create: the project asked
# for, so only admins create for another project). Provider attributes are accepted, not stored.
NETWORK_CREATE = Rule("create_network", OWNER, "Create a network (for another project: admins)")
NETWORK_CREATE_SHARED = Rule("create_network:shared", ADMIN, "Create a network shared with every project")
NETWORK_CREATE_EXTERNAL = Rule("create_network:router:external", ADMIN, "Create an external network")
NETWORK_CREATE_PROVIDER = Rule("create_network:provider:network_type", ADMIN, "Set provider attributes on create")
NETWORK_UPDATE = Rule("update_network", OWNER, "Change a project's network")
NETWORK_UPDATE_SHARED = Rule("update_network:shared", ADMIN, "Share or unshare a network")
NETWORK_UPDATE_EXTERNAL = Rule("update_network:router:external", ADMIN, "Make a network external or not")
NETWORK_UPDATE_PROVIDER = Rule("update_network:provider:network_type", ADMIN, "Change provider attributes")
NETWORK_DELETE = Rule("delete_network", OWNER, "Delete a project's network")
SUBNET_CREATE = Rule("create_subnet", OWNER, "Create a subnet on a network of the project")
SUBNET_UPDATE = Rule("update_subnet", OWNER, "Change a subnet of a network of the project")
SUBNET_DELETE = Rule("delete_subnet", OWNER, "Delete a subnet of a network of the project")
PORT_CREATE = Rule("create_port", OWNER, "Create a port (for another project: admins)")
PORT_CREATE_DEVICE_OWNER = Rule("create_port:device_owner", ADMIN, "Create a port bound to a device")
PORT_CREATE_MAC_ADDRESS = Rule("create_port:mac_address", ADMIN, "Choose a new port's MAC address")
PORT_UPDATE = Rule("update_port", OWNER, "Change a project's port")
PORT_UPDATE_DEVICE_OWNER = Rule("update_port:device_owner", ADMIN, "Bind a port to a device or unbind it")
PORT_DELETE = Rule("delete_port", OWNER, "Delete a project's port")
SECURITY_GROUP_CREATE = Rule("create_security_group", OWNER, "Create a security group (for another project: admins)")
SECURITY_GROUP_UPDATE = Rule("update_security_group", OWNER, "Rename or describe a project's security group")
SECURITY_GROUP_DELETE = Rule("delete_security_group", OWNER, "Delete a project's security group")
SECURITY_GROUP_RULE_CREATE = Rule("create_security_group_rule", OWNER, "Add a rule to a project's security group")
SECURITY_GROUP_RULE_DELETE = Rule("delete_security_group_rule", OWNER, "Remove a rule from a project's security group")
PORT_UPDATE_SECURITY_GROUPS = Rule("update_port:security_groups", OWNER, "Change the security groups of a port")
ROUTER_CREATE = Rule("create_router", OWNER, "Create a router (for another project: admins)")
ROUTER_UPDATE = Rule("update_router", OWNER, "Change a project's router, its gateway and interfaces")
ROUTER_DELETE = Rule("delete_router", OWNER, "Delete a project's router")
ROUTER_GATEWAY_FIXED_IPS = Rule(
    "create_router:external_gateway_info:external_fixed_ips", ADMIN, "Choose a router gateway's address"
)
ROUTER_GATEWAY_SNAT = Rule("create_router:external_gateway_info:enable_snat", ADMIN, "Turn a router gateway's SNAT off")
FLOATINGIP_CREATE = Rule("create_floatingip", OWNER, "Allocate a floating IP (for another project: admins)")
FLOATINGIP_CREATE_ADDRESS = Rule("create_floatingip:floating_ip_address", ADMIN, "Allocate a chosen floating address")
FLOATINGIP_UPDATE = Rule("update_floatingip", OWNER, "Associate or disassociate a project's floating IP")
FLOATINGIP_DELETE = Rule("delete_floatingip", OWNER, "Release a project's floating IP")
# Neutron checks get_quota only for another project's quotas (neutron/extensions/quotasv2.py).
NETWORK_QUOTA_SHOW = Rule("get_quota", ADMIN, "Show another project's network quotas, or list them all")
NETWORK_QUOTA_UPDATE = Rule("update_quota", ADMIN, "Change a project's network quotas")
NETWORK_QUOTA_DELETE = Rule("delete_quota", ADMIN, "Revert a project's network quotas to the defaults")

# --- Placement (placement/policies/): a read-only view; readers are admins and other services.
PLACEMENT_PROVIDERS_LIST = Rule("placement:resource_providers:list", SERVICE_OR_ADMIN, "List resource providers")
PLACEMENT_PROVIDERS_SHOW = Rule("placement:resource_providers:show", SERVICE_OR_ADMIN, "Show a resource provider")
PLACEMENT_INVENTORIES_LIST = Rule(
    "placement:resource_providers:inventories:list", SERVICE_OR_ADMIN, "List a resource provider's inventories"
)
PLACEMENT_USAGES = Rule("placement:resource_providers:usages", SERVICE_OR_ADMIN, "Show a resource provider's usages")
PLACEMENT_ALLOCATIONS_LIST = Rule("placement:allocations:list", SERVICE_OR_ADMIN, "Show a consumer's allocations")
PLACEMENT_PROVIDER_ALLOCATIONS = Rule(
    "placement:resource_providers:allocations:list", SERVICE_OR_ADMIN, "List the allocations against a provider"
)
PLACEMENT_PROVIDER_AGGREGATES = Rule(
    "placement:resource_providers:aggregates:list", SERVICE_OR_ADMIN, "List the aggregates of a provider"
)
PLACEMENT_PROVIDER_TRAITS = Rule(
    "placement:resource_providers:traits:list", SERVICE_OR_ADMIN, "List a provider's traits"
)

# --- Volume (cinder/policies/) --------------------------------------------------------------
# Cinder itself checks context.is_admin for all_tenants (cinder/volume/api.py, get_all).
VOLUME_ALL_TENANTS = Rule("volume:get_all_tenants", ADMIN, "List every project's volumes")
VOLUME_HOST_ATTRIBUTE = Rule(
    "volume_extension:volume_host_attribute", ADMIN, "See a volume's host, migration status and error message"
)
VOLUME_RESET_STATUS = Rule(
    "volume_extension:volume_admin_actions:reset_status", ADMIN, "Force a volume's status (os-reset_status)"
)
VOLUME_QUOTAS_SHOW = Rule("volume_extension:quotas:show", OWNER, "Show a project's volume quotas")
VOLUME_SERVICES_LIST = Rule("volume_extension:services:index", ADMIN, "List the block storage services")
SNAPSHOT_RESET_STATUS = Rule(
    "volume_extension:snapshot_admin_actions:reset_status", ADMIN, "Force a snapshot's status (os-reset_status)"
)
SNAPSHOT_FORCE_DELETE = Rule(
    "volume_extension:snapshot_admin_actions:force_delete", ADMIN, "Delete a snapshot whatever its status"
)
