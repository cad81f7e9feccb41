"""The policy: every named rule of every service, and the one function that enforces them.

As in Nova's ``nova/policies/``, a rule has the name the service's own policy file uses
(``os_compute_api:os-evacuate``, ``identity:create_project``, ``create_network:shared``) and a
check string. The service layer enforces rules, so the API, the admin console and management
commands are refused alike; views only translate the refusal into the service's error body
(``core.errors``, which words it as that service does).

The checks are the four Nova and Keystone defaults use here:

- ``ADMIN``: the caller holds the admin role;
- ``MEMBER``: any authenticated caller (what the token may then see is scoped by project);
- ``OWNER``: an admin, or a caller in the target's project;
- ``SELF``: an admin, or the target user itself (``SELF_ONLY``: not even an admin).
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


ADMIN, MEMBER, OWNER, SELF, SELF_ONLY = _admin, _member, _owner, _self, _self_only


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


# --- Compute (nova/policies/) ---------------------------------------------------------------
SERVERS_ALL_TENANTS = Rule("os_compute_api:servers:index:get_all_tenants", ADMIN, "List every project's servers")
SERVERS_ADMIN_FILTERS = Rule("os_compute_api:servers:allow_all_filters", ADMIN, "Filter and sort servers on any field")
SERVERS_RESET_STATE = Rule("os_compute_api:os-admin-actions:reset_state", ADMIN, "Force a server's state")
SERVERS_MIGRATE = Rule("os_compute_api:os-migrate-server:migrate", ADMIN, "Cold-migrate a server")
SERVERS_MIGRATE_LIVE = Rule("os_compute_api:os-migrate-server:migrate_live", ADMIN, "Live-migrate a server")
SERVERS_EVACUATE = Rule("os_compute_api:os-evacuate", ADMIN, "Rebuild a server of a down host elsewhere")
SERVER_MIGRATIONS_INDEX = Rule(
    "os_compute_api:servers:migrations:index", ADMIN, "List a server's live migrations in progress"
)
SERVER_MIGRATIONS_SHOW = Rule("os_compute_api:servers:migrations:show", ADMIN, "Show a live migration in progress")
SERVER_MIGRATIONS_DELETE = Rule("os_compute_api:servers:migrations:delete", ADMIN, "Abort a live migration")
SERVER_MIGRATIONS_FORCE_COMPLETE = Rule(
    "os_compute_api:servers:migrations:force_complete", ADMIN, "Force a live migration to complete"
)
MIGRATIONS_INDEX = Rule("os_compute_api:os-migrations:index", ADMIN, "List every migration")
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
QUOTAS_SHOW = Rule("os_compute_api:os-quota-sets:show", OWNER, "Show a project's quotas")
QUOTAS_UPDATE = Rule("os_compute_api:os-quota-sets:update", ADMIN, "Change a project's quotas")
QUOTAS_DELETE = Rule("os_compute_api:os-quota-sets:delete", ADMIN, "Revert a project's quotas to the defaults")
LIMITS_OTHER_PROJECT = Rule("os_compute_api:limits:other_project", ADMIN, "Show another project's limits")
AGGREGATES = Rule("os_compute_api:os-aggregates", ADMIN, "Manage host aggregates")
SERVICES = Rule("os_compute_api:os-services", ADMIN, "List, enable, disable or force down compute services")
HYPERVISORS = Rule("os_compute_api:os-hypervisors", ADMIN, "List hypervisors and their usage")
AVAILABILITY_ZONE_DETAIL = Rule(
    "os_compute_api:os-availability-zone:detail", ADMIN, "List availability zones with their hosts"
)
SCHEDULER_EXPLAIN = Rule("novasite:scheduler:why_not", ADMIN, "Explain why a host would not be chosen")

# --- Identity (keystone/common/policies/) ---------------------------------------------------
IDENTITY_ADMIN = Rule("identity:admin_required", ADMIN, "Manage projects, users, roles and assignments")
IDENTITY_PROJECT = Rule("identity:get_project", OWNER, "Show a project the caller belongs to")
IDENTITY_USER = Rule("identity:get_user", SELF, "Show a user, or one's own user")
IDENTITY_USER_PROJECTS = Rule("identity:list_user_projects", SELF, "List a user's projects")
IDENTITY_CHANGE_PASSWORD = Rule("identity:change_password", SELF_ONLY, "Change one's own password")

# --- Image (glance/policies/) ---------------------------------------------------------------
IMAGE_PUBLICIZE = Rule("publicize_image", ADMIN, "Make an image public")
IMAGE_OF_PROJECT = Rule("modify_image", OWNER, "Change or delete an image owned by a project")
IMAGE_SET_OWNER = Rule("image:set_owner", ADMIN, "Create or give an image to another project")
IMAGE_DOWNLOAD_DEACTIVATED = Rule("download_image:deactivated", ADMIN, "Download a deactivated image")

# --- Network (neutron/conf/policies/) -------------------------------------------------------
NETWORK_OF_PROJECT = Rule("network:owner", OWNER, "Change or delete a project's network resources")
NETWORK_FOR_OTHER_PROJECT = Rule("network:project_id", ADMIN, "Create network resources for another project")
NETWORK_SHARED = Rule("network:shared", ADMIN, "Share a network with every project")
NETWORK_PROVIDER = Rule("network:provider:network_type", ADMIN, "Set a network's provider attributes")
PORT_DEVICE_OWNER = Rule("port:device_owner", ADMIN, "Set a port's device_owner")
PORT_MAC_ADDRESS = Rule("create_port:mac_address", ADMIN, "Choose a port's MAC address")
NETWORK_QUOTA_SHOW = Rule("get_quota", OWNER, "Show a project's network quotas")
NETWORK_QUOTA_UPDATE = Rule("update_quota", ADMIN, "Change a project's network quotas")
NETWORK_QUOTA_DELETE = Rule("delete_quota", ADMIN, "Revert a project's network quotas")

# --- Volume (cinder/policies/) --------------------------------------------------------------
VOLUME_ALL_TENANTS = Rule("volume:get_all_tenants", ADMIN, "List every project's volumes")
VOLUME_QUOTAS_SHOW = Rule("volume_extension:quotas:show", OWNER, "Show a project's volume quotas")
VOLUME_QUOTAS_UPDATE = Rule("volume_extension:quotas:update", ADMIN, "Change a project's volume quotas")
VOLUME_FORCE_DELETE = Rule("volume_extension:volume_admin_actions:force_delete", ADMIN, "Delete a volume in use")
