"""The compute API's bodies for what hangs off a server (volume and interface attachments,
addresses, instance actions, migrations, password, shares, diagnostics) and for the
project-wide lists beside them (os-migrations, usage, external events), as OpenAPI schemas.
Views name these operations in their ``openapi`` attribute."""

from __future__ import annotations

from core.openapi.types import (
    ANY_OBJECT,
    BOOLEAN,
    INTEGER,
    MICRO_DATETIME,
    MICRO_DATETIME_OR_NULL,
    NUMBER,
    STRING,
    TEXT_OR_NULL,
    UUID,
    Component,
    Operation,
    Query,
    array,
    deleted,
    envelope,
    nullable,
    obj,
    since,
)

from .openapi import ADDRESSES, LINKS, PAGING

INT_OR_NULL = nullable(INTEGER)

# --- volume and interface attachments ---------------------------------------------------

VOLUME_ATTACHMENT = Component(
    "VolumeAttachment",
    obj(
        {
            "id": {**UUID, "description": "The volume's id; until 2.88, and in the answer to an attach."},
            "serverId": UUID,
            "volumeId": UUID,
            "device": TEXT_OR_NULL,
            "tag": since("2.70", TEXT_OR_NULL),
            "delete_on_termination": since("2.79", BOOLEAN),
            "attachment_id": since("2.89", UUID),
            "bdm_uuid": since("2.89", UUID),
        },
        required=("serverId", "volumeId", "device"),
    ),
)
VOLUME_ATTACHMENT_LIST = Operation(
    "List a server's volume attachments.",
    response=envelope("volumeAttachments", array(VOLUME_ATTACHMENT)),
    query=PAGING,
)
VOLUME_ATTACH = Operation(
    "Attach a volume.",
    request=envelope(
        "volumeAttachment",
        obj(
            {
                "volumeId": UUID,
                "device": TEXT_OR_NULL,
                "tag": since("2.49", STRING),
                "delete_on_termination": since("2.79", BOOLEAN),
            },
            required=("volumeId",),
        ),
    ),
    response=envelope("volumeAttachment", VOLUME_ATTACHMENT),
    errors=(400, 403, 404, 409),
    description="From 2.101 the attach answers 202 with no body; read the attachment with GET.",
)
VOLUME_ATTACHMENT_SHOW = Operation(
    "Show a volume attachment.", response=envelope("volumeAttachment", VOLUME_ATTACHMENT)
)
VOLUME_ATTACHMENT_UPDATE = Operation(
    "Swap the volume, or change delete_on_termination (from 2.85).",
    request=envelope(
        "volumeAttachment", obj({"volumeId": UUID, "delete_on_termination": BOOLEAN}, required=("volumeId",))
    ),
    status=202,
    errors=(400, 403, 404, 409),
)
VOLUME_DETACH = Operation("Detach a volume.", status=202, errors=(400, 403, 404, 409))

INTERFACE = Component(
    "InterfaceAttachment",
    obj(
        {
            "port_id": UUID,
            "net_id": UUID,
            "mac_addr": STRING,
            "port_state": STRING,
            "fixed_ips": array(obj({"subnet_id": UUID, "ip_address": STRING})),
        }
    ),
)
INTERFACE_LIST = Operation("List a server's interfaces.", response=envelope("interfaceAttachments", array(INTERFACE)))
INTERFACE_ATTACH = Operation(
    "Attach an interface (a port, or a new port on a network).",
    request=envelope(
        "interfaceAttachment",
        obj(
            {
                "port_id": UUID,
                "net_id": UUID,
                "fixed_ips": array(obj({"ip_address": STRING})),
                "tag": since("2.49", STRING),
            },
            required=(),
        ),
    ),
    response=envelope("interfaceAttachment", INTERFACE),
    errors=(400, 403, 404, 409),
)
INTERFACE_SHOW = Operation("Show an interface.", response=envelope("interfaceAttachment", INTERFACE))
INTERFACE_DETACH = Operation("Detach an interface.", status=202, errors=(403, 404, 409))

# --- addresses, password, diagnostics, shares -------------------------------------------

ADDRESS_LIST = Operation("List a server's addresses by network.", response=envelope("addresses", ADDRESSES))
NETWORK_ADDRESSES = Operation(
    "List a server's addresses on one network.",
    response={**ANY_OBJECT, "description": "{<network name>: [{version, addr}]}"},
)
PASSWORD_SHOW = Operation("Show the server's encrypted admin password.", response=obj({"password": STRING}))
PASSWORD_CLEAR = deleted("Clear the server's admin password.", errors=(403, 404))
DIAGNOSTICS = Operation(
    "Show the server's diagnostics (administrators; asked of its host).",
    response=obj(
        {
            "state": STRING,
            "driver": STRING,
            "hypervisor": STRING,
            "hypervisor_os": STRING,
            "uptime": INT_OR_NULL,
            "num_cpus": INTEGER,
            "num_disks": INTEGER,
            "num_nics": INTEGER,
            "memory_details": obj({"maximum": INTEGER, "used": INTEGER}),
            "cpu_details": array(ANY_OBJECT),
            "disk_details": array(ANY_OBJECT),
            "nic_details": array(ANY_OBJECT),
            "config_drive": BOOLEAN,
        },
        required=("state", "driver"),
        description="From 2.48 the standard form; before, the driver's own keys.",
    ),
    errors=(403, 404, 409, 503),
    description="Asked of the server's host: 503 when it is down or does not answer in time.",
)
SHARE = Component(
    "ServerShare",
    obj({"share_id": UUID, "status": STRING, "tag": STRING, "export_location": STRING, "uuid": UUID}, required=()),
)
SHARE_LIST = Operation("List a server's shares (from 2.97).", response=envelope("shares", array(SHARE)))
SHARE_ATTACH = Operation(
    "Attach a share.",
    request=envelope("share", obj({"share_id": UUID, "tag": STRING}, required=("share_id",))),
    response=envelope("share", SHARE),
    status=201,
    errors=(400, 403, 404, 409),
)
SHARE_SHOW = Operation("Show a share.", response=envelope("share", SHARE))
SHARE_DETACH = Operation("Detach a share.", errors=(403, 404, 409))

# --- instance actions ---------------------------------------------------------------------

ACTION_EVENT = obj(
    {
        "event": STRING,
        "start_time": MICRO_DATETIME,
        "finish_time": MICRO_DATETIME_OR_NULL,
        "result": TEXT_OR_NULL,
        "traceback": {**TEXT_OR_NULL, "description": "Administrators only."},
        "hostId": since("2.62", STRING),
        "host": since("2.62", STRING, "Administrators only."),
        "details": since("2.84", TEXT_OR_NULL),
    },
    required=("event", "start_time", "finish_time", "result"),
)
INSTANCE_ACTION = Component(
    "InstanceAction",
    obj(
        {
            "action": STRING,
            "instance_uuid": UUID,
            "request_id": STRING,
            "user_id": STRING,
            "project_id": STRING,
            "start_time": MICRO_DATETIME,
            "message": TEXT_OR_NULL,
            "updated_at": since("2.58", MICRO_DATETIME_OR_NULL),
            "events": {**array(ACTION_EVENT), "description": "GET of one action only."},
        },
        required=("action", "instance_uuid", "request_id", "user_id", "project_id", "start_time", "message"),
    ),
)
INSTANCE_ACTION_LIST = Operation(
    "List a server's actions (create, stop, migrate...), newest first.",
    response=envelope("instanceActions", array(INSTANCE_ACTION), links=LINKS),
    query=(*PAGING, Query("changes-since"), Query("changes-before")),
)
INSTANCE_ACTION_SHOW = Operation(
    "Show one action with its events.", response=envelope("instanceAction", INSTANCE_ACTION)
)

# --- migrations ---------------------------------------------------------------------------

_HOSTS = dict.fromkeys(("source_compute", "source_node", "dest_compute", "dest_node", "dest_host"), TEXT_OR_NULL)
SERVER_MIGRATION = Component(
    "ServerMigration",
    obj(
        {
            "id": INTEGER,
            "server_uuid": UUID,
            "status": STRING,
            **_HOSTS,
            "created_at": MICRO_DATETIME,
            "updated_at": MICRO_DATETIME_OR_NULL,
            **{
                f"{kind}_{measure}_bytes": INT_OR_NULL
                for kind in ("memory", "disk")
                for measure in ("total", "processed", "remaining")
            },
            "uuid": since("2.59", UUID),
            "user_id": since("2.80", STRING),
            "project_id": since("2.80", STRING),
        },
        required=("id", "server_uuid", "status", "created_at"),
    ),
)
SERVER_MIGRATION_LIST = Operation(
    "List a server's live migrations in progress.", response=envelope("migrations", array(SERVER_MIGRATION))
)
SERVER_MIGRATION_SHOW = Operation(
    "Show a live migration in progress.", response=envelope("migration", SERVER_MIGRATION)
)
SERVER_MIGRATION_ABORT = Operation("Abort a live migration (from 2.24).", status=202, errors=(400, 403, 404, 409))
SERVER_MIGRATION_ACTION = Operation(
    "Force a live migration to complete (from 2.22).",
    request=envelope("force_complete", {"type": "object", "nullable": True}),
    status=202,
    errors=(400, 403, 404, 409),
)
MIGRATION = Component(
    "Migration",
    obj(
        {
            "id": INTEGER,
            **_HOSTS,
            "status": STRING,
            "instance_uuid": UUID,
            "old_instance_type_id": INT_OR_NULL,
            "new_instance_type_id": INT_OR_NULL,
            "created_at": MICRO_DATETIME,
            "updated_at": MICRO_DATETIME_OR_NULL,
            "migration_type": since("2.23", STRING),
            "links": since("2.23", LINKS, "A live migration in progress only."),
            "uuid": since("2.59", UUID),
            "user_id": since("2.80", TEXT_OR_NULL),
            "project_id": since("2.80", TEXT_OR_NULL),
        },
        required=("id", "status", "instance_uuid", "created_at"),
    ),
)
MIGRATION_LIST = Operation(
    "List migrations (administrators).",
    response=envelope("migrations", array(MIGRATION), migrations_links=LINKS),
    query=(
        *PAGING,
        *(Query(name) for name in ("host", "status", "instance_uuid", "migration_type", "source_compute")),
        *(Query(name) for name in ("changes-since", "changes-before", "user_id", "project_id")),
    ),
)

# --- usage and external events ------------------------------------------------------------

TENANT_USAGE = Component(
    "TenantUsage",
    obj(
        {
            "tenant_id": STRING,
            "start": MICRO_DATETIME,
            "stop": MICRO_DATETIME,
            "total_hours": NUMBER,
            "total_vcpus_usage": NUMBER,
            "total_memory_mb_usage": NUMBER,
            "total_local_gb_usage": NUMBER,
            "server_usages": {**array(ANY_OBJECT), "description": "With ?detailed=1, or for one project."},
        },
        required=("tenant_id", "start", "stop", "total_hours"),
    ),
)
_USAGE_QUERY = (Query("start", "ISO 8601"), Query("end", "ISO 8601"), *PAGING)
USAGE_LIST = Operation(
    "Usage of every project over a period (administrators).",
    response=envelope("tenant_usages", array(TENANT_USAGE), tenant_usages_links=LINKS),
    query=(*_USAGE_QUERY, Query("detailed", "1: each server's usage too.")),
)
USAGE_SHOW = Operation(
    "Usage of one project over a period.",
    response=envelope(
        "tenant_usage",
        # Nova answers an empty object for a project without usage in the period.
        {"anyOf": [TENANT_USAGE, {"type": "object", "maxProperties": 0}]},
        tenant_usage_links=LINKS,
    ),
    query=_USAGE_QUERY,
)
AUDIT_LOG = obj(
    {
        "hosts_not_run": array(STRING),
        "log": ANY_OBJECT,
        "num_hosts": INTEGER,
        "num_hosts_done": INTEGER,
        "num_hosts_not_run": INTEGER,
        "num_hosts_running": INTEGER,
        "overall_status": STRING,
        "period_beginning": STRING,
        "period_ending": STRING,
        "total_errors": INTEGER,
        "total_instances": INTEGER,
    },
    required=(),
)
AUDIT_LOGS = Operation(
    "The instance usage audit log (administrators).", response=envelope("instance_usage_audit_logs", AUDIT_LOG)
)
AUDIT_LOG_BEFORE = Operation(
    "The audit log of the period before a time.", response=envelope("instance_usage_audit_log", AUDIT_LOG)
)
EXTERNAL_EVENT = obj(
    {
        "name": STRING,
        "server_uuid": UUID,
        "tag": STRING,
        "status": {"type": "string", "enum": ["failed", "completed", "in-progress"]},
        "code": INTEGER,
    },
    required=("name", "server_uuid"),
)
EXTERNAL_EVENTS = Operation(
    "Deliver external events to servers (the network and volume services; administrators).",
    request=envelope("events", array(EXTERNAL_EVENT)),
    response=envelope("events", array(EXTERNAL_EVENT)),
    errors=(400, 403, 404),
    description="200 when every event was delivered, 207 when some were not (each with its code).",
)
