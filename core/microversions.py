"""The compute API's microversions, by name. A view compares the request's version with a
name from this table (``request.api_version >= mv.SERVER_DESCRIPTION``) and hands the service
layer plain arguments; nothing else in the code spells a version as numbers.

Each name says what the version changed (Nova's REST API version history,
https://docs.openstack.org/nova/latest/reference/api-microversion-history.html)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from .exceptions import BadRequest, ServiceError


class Microversion(NamedTuple):
    """A (major, minor) pair; compares as a tuple."""

    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    @classmethod
    def parse(cls, text: str) -> Microversion:
        """``"2.47"`` as a Microversion; BadRequest when it is not ``X.Y``."""
        match = _VERSION_RE.match(text.strip())
        if not match:
            raise BadRequest(f"Invalid API version request: {text}")
        return cls(int(match.group(1)), int(match.group(2)))


_VERSION_RE = re.compile(r"^(\d+)\.(\d+)$")
MV = Microversion

MIN = MV(2, 1)  # the v2.1 base
KEYPAIR_TYPE = MV(2, 2)  # keypair `type`; keypair create answers 201, delete 204
EXTENDED_SERVER_ATTRIBUTES = MV(2, 3)  # reservation_id, launch_index, hostname, kernel/ramdisk ids...
REMOTE_CONSOLES = MV(2, 6)  # POST /servers/{id}/remote-consoles replaces the os-get*Console actions
FLAVOR_ACCESS_PUBLIC_CONFLICT = MV(2, 7)  # adding access to a public flavor is 409
MKS_CONSOLE = MV(2, 8)  # remote consoles: the mks protocol (webmks)
SERVER_LOCKED = MV(2, 9)  # `locked` in a server
KEYPAIR_USER_ID = MV(2, 10)  # an admin names another user's keypairs with user_id
SERVICE_FORCED_DOWN = MV(2, 11)  # services: forced_down, and PUT force-down
SERVER_GROUP_OWNER = MV(2, 13)  # server groups show project_id and user_id
EVACUATE_WITHOUT_SHARED_STORAGE = MV(2, 14)  # evacuate: onSharedStorage removed, adminPass only on request
SOFT_AFFINITY_POLICIES = MV(2, 15)  # soft-affinity and soft-anti-affinity
HOST_STATUS = MV(2, 16)  # host_status in a server (admins)
SERVER_DESCRIPTION = MV(2, 19)
DELETED_SERVER_ACTIONS = MV(2, 21)  # a deleted server's instance actions stay readable
MIGRATION_ID_TYPE = MV(2, 23)  # migrations: id, migration_type and links
SERVER_TAGS = MV(2, 26)  # server tags
HYPERVISOR_CPU_INFO_OBJECT = MV(2, 28)  # hypervisor cpu_info is an object, not a string
CONSOLE_AUTH_TOKENS_ALL_TYPES = MV(2, 31)  # os-console-auth-tokens shows any console type (before: rdp only, gone)
HYPERVISOR_PAGING = MV(2, 33)  # os-hypervisors limit and marker
KEYPAIR_PAGING = MV(2, 35)  # os-keypairs limit and marker
NETWORK_PROXIES_REMOVED = MV(2, 36)  # quotas and limits lose the network proxy fields
PROXY_APIS_REMOVED = MV(2, 36)  # /images, os-volumes and os-snapshots answer 404
NETWORKS_REQUIRED = MV(2, 37)  # create needs `networks` ("auto", "none" or a list)
SERVER_STATUS_VALIDATED = MV(2, 38)  # an unknown status filter is 400
IMAGE_METADATA_LIMIT_REMOVED = MV(2, 39)  # limits lose maxImageMeta
IMAGE_METADATA_API_REMOVED = MV(2, 39)  # /images/{id}/metadata answers 404
USAGE_PAGING = MV(2, 40)  # os-simple-tenant-usage: limit, marker and next links
AGGREGATE_UUID = MV(2, 41)  # aggregates show their uuid
HOSTS_API_REMOVED = MV(2, 43)  # os-hosts is gone (os-hypervisors and os-services replace it)
CREATE_IMAGE_RETURNS_ID = MV(2, 45)  # createImage answers {"image_id"} instead of a Location header
EMBEDDED_FLAVOR = MV(2, 47)  # a server embeds its flavor instead of linking to it
STANDARD_DIAGNOSTICS = MV(2, 48)  # server diagnostics in one standard form for every driver
QUOTA_CLASS_SERVER_GROUPS = MV(2, 50)  # quota classes show server group limits, no network proxies
ACTION_EVENTS_FOR_MEMBERS = MV(2, 51)  # instance action events are shown to non-admins
VOLUME_EXTENDED_EVENT = MV(2, 51)  # external event volume-extended
TAGS_ON_CREATE = MV(2, 52)  # create may give the server's tags
UUID_IDS = MV(2, 53)  # services and hypervisors are named by UUID
REBUILD_KEYPAIR = MV(2, 54)  # rebuild may set key_name, and answers with it
FLAVOR_DESCRIPTION = MV(2, 55)  # flavor description, and PUT /flavors/{id}
MIGRATE_TO_HOST = MV(2, 56)  # cold migrate may name a host
INJECTED_FILES_REMOVED = MV(2, 57)  # personality and the injected_file quotas are gone
INSTANCE_ACTION_PAGING = MV(2, 58)  # instance actions: limit, marker, changes-since, updated_at
MIGRATION_PAGING = MV(2, 59)  # migrations: uuid, limit, marker, changes-since
FLAVOR_EXTRA_SPECS_SHOWN = MV(2, 61)  # a flavor shows its extra_specs
ACTION_EVENT_HOST = MV(2, 62)  # instance action events show host and hostId
TRUSTED_IMAGE_CERTIFICATES = MV(2, 63)  # trusted_image_certificates in a server
SERVER_GROUP_POLICY_RULES = MV(2, 64)  # server groups: one `policy` and `rules`
CHANGES_BEFORE = MV(2, 66)  # changes-before filters
ATTACHMENT_TAG = MV(2, 70)  # volume attachments and interfaces show their tag
SERVER_GROUPS_IN_SERVER = MV(2, 71)  # a server shows its server_groups
LOCKED_REASON = MV(2, 73)  # lock takes locked_reason; servers show it and filter on locked
CREATE_ON_HOST = MV(2, 74)  # create may name host / hypervisor_hostname (admins)
API_CONSISTENCY = MV(2, 75)  # unknown query parameters are 400 (services, quotas, limits); with_servers lists []
UNSHELVE_TO_ZONE = MV(2, 77)  # unshelve may name an availability_zone
POWER_UPDATE_EVENT = MV(2, 76)  # external event power-update
ATTACHMENT_DELETE_ON_TERMINATION = MV(2, 79)  # volume attachments: delete_on_termination
MIGRATION_OWNER = MV(2, 80)  # migrations: project_id and user_id, and filters on them
ACCELERATOR_REQUEST_BOUND_EVENT = MV(2, 82)  # external event accelerator-request-bound
ATTACHMENT_UPDATE = MV(2, 85)  # PUT on a volume attachment may change delete_on_termination
MEMBER_SERVER_FILTERS = MV(2, 83)  # non-admins may filter servers on more fields
ACTION_EVENT_DETAILS = MV(2, 84)  # instance action events show details
HYPERVISOR_STATISTICS_REMOVED = MV(2, 88)  # os-hypervisors loses statistics, uptime and usage fields
ATTACHMENT_IDS = MV(2, 89)  # volume attachments: attachment_id and bdm_uuid
SERVER_HOSTNAME = MV(2, 90)  # a server's hostname may be set and is shown to owners
UNSHELVE_TO_HOST = MV(2, 91)  # unshelve may name a host (admins), and a null availability_zone unpins
KEYPAIR_IMPORT_ONLY = MV(2, 92)  # keypairs must be imported; names may contain @
VOLUME_REIMAGED_EVENT = MV(2, 93)  # external event volume-reimaged
HOSTNAME_FQDN = MV(2, 94)  # a hostname may be a fully qualified domain name
PINNED_AVAILABILITY_ZONE = MV(2, 96)  # a server shows pinned_availability_zone
SERVER_SHARES = MV(2, 97)  # /servers/{id}/shares (share attachments)
IMAGE_PROPERTIES_IN_SERVER = MV(2, 98)  # a server's embedded image shows its properties
SPICE_DIRECT_CONSOLE = MV(2, 99)  # remote consoles: the spice-direct type
SCHEDULER_HINTS_IN_SERVER = MV(2, 100)  # a server shows the scheduler_hints it was booted with
VOLUME_ATTACH_ACCEPTED = MV(2, 101)  # attaching a volume answers 202 without a body
QUERY_PARAMS_RESTRICTED = MV(2, 102)  # every API refuses query parameters it does not know; flavors: name
#                                       filter, no rxtx_factor nor OS-FLV-DISABLED:disabled
VOLUMES_BOOT_REMOVED = MV(2, 103)  # /os-volumes_boot is gone
PINNED_AVAILABILITY_ZONE_UPDATE = MV(2, 104)  # PUT /servers/{id} may unpin or re-pin the availability zone


class VersionNotAcceptable(ServiceError):
    """A version outside the range served (406)."""

    http_status = 406


def requested_version(
    headers: Mapping[str, str],
    service: str,
    minimum: Microversion,
    maximum: Microversion,
    *,
    legacy_header: str | None = None,
) -> Microversion:
    """The version of ``service`` a request asks for: ``OpenStack-API-Version: <service> X``
    wins over ``legacy_header: X``; none means ``minimum``; ``latest`` means ``maximum``. A
    version outside [minimum, maximum] is 406."""
    value = None
    for item in headers.get("OpenStack-API-Version", "").split(","):
        name, _, version = item.strip().partition(" ")
        if name.lower() == service and version.strip():
            value = version.strip()
    if value is None and legacy_header:
        value = headers.get(legacy_header, "").strip() or None
    if value is None:
        return minimum
    if value.lower() == "latest":
        return maximum
    asked = Microversion.parse(value)
    if not minimum <= asked <= maximum:
        raise VersionNotAcceptable(
            f"Version {value} is not supported by the API. Minimum is {minimum} and maximum is {maximum}."
        )
    return asked


def requested(headers: Mapping[str, str], maximum: Microversion) -> Microversion:
    """The compute version a request asks for (the legacy ``X-OpenStack-Nova-API-Version``
    header too); none means 2.1."""
    return requested_version(headers, "compute", MIN, maximum, legacy_header="X-OpenStack-Nova-API-Version")
