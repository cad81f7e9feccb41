"""The compute API's host resources as OpenAPI schemas: aggregates, services, hypervisors,
availability zones and the legacy os-hosts, as ``representation.py`` writes them at the
newest microversion (ids are UUIDs from 2.53, integers below). Views name these operations
in their ``openapi`` attribute."""

from __future__ import annotations

from core.openapi.types import (
    ANY_OBJECT,
    BOOLEAN,
    INTEGER,
    MICRO_DATETIME,
    MICRO_DATETIME_OR_NULL,
    STRING,
    STRING_MAP,
    TEXT_OR_NULL,
    UUID,
    Component,
    Operation,
    Query,
    array,
    deleted,
    enum,
    envelope,
    nullable,
    obj,
    since,
)

ID: dict[str, object] = {"anyOf": [UUID, INTEGER], "description": "A UUID from 2.53, an integer below."}


# --- aggregates ---------------------------------------------------------------------------

AGGREGATE = Component(
    "Aggregate",
    obj(
        {
            "id": INTEGER,
            "name": STRING,
            "availability_zone": TEXT_OR_NULL,
            "created_at": MICRO_DATETIME,
            "updated_at": MICRO_DATETIME_OR_NULL,
            "deleted_at": MICRO_DATETIME_OR_NULL,
            "deleted": BOOLEAN,
            "hosts": {**array(STRING), "description": "Not in the answer to a create."},
            "metadata": {**STRING_MAP, "description": "Not in the answer to a create."},
            "uuid": since("2.41", UUID),
        },
        required=("id", "name", "availability_zone", "created_at", "deleted"),
    ),
)
_AGGREGATE_FIELDS = {"name": {"type": "string", "minLength": 1, "maxLength": 255}, "availability_zone": TEXT_OR_NULL}
AGGREGATE_LIST = Operation("List host aggregates (administrators).", response=envelope("aggregates", array(AGGREGATE)))
AGGREGATE_CREATE = Operation(
    "Create a host aggregate.",
    request=envelope("aggregate", obj(_AGGREGATE_FIELDS, required=("name",))),
    response=envelope("aggregate", AGGREGATE),
    errors=(400, 403, 409),
)
AGGREGATE_SHOW = Operation("Show a host aggregate.", response=envelope("aggregate", AGGREGATE))
AGGREGATE_UPDATE = Operation(
    "Rename an aggregate or change its availability zone (refused while it would move servers' zone).",
    request=envelope("aggregate", obj(_AGGREGATE_FIELDS, required=())),
    response=envelope("aggregate", AGGREGATE),
    errors=(400, 403, 404, 409),
)
AGGREGATE_DELETE = Operation("Delete an empty aggregate.", errors=(400, 403, 404))
AGGREGATE_ACTION = Operation(
    "Add or remove a host, or set metadata (a null value removes a key).",
    request={
        "oneOf": [
            envelope("add_host", obj({"host": STRING})),
            envelope("remove_host", obj({"host": STRING})),
            envelope("set_metadata", obj({"metadata": {"type": "object", "additionalProperties": TEXT_OR_NULL}})),
        ]
    },
    response=envelope("aggregate", AGGREGATE),
    errors=(400, 403, 404, 409),
)

# --- services -----------------------------------------------------------------------------

SERVICE = Component(
    "ComputeService",
    obj(
        {
            "id": ID,
            "binary": STRING,
            "host": STRING,
            "zone": STRING,
            "status": enum("enabled", "disabled"),
            "state": enum("up", "down"),
            "updated_at": MICRO_DATETIME_OR_NULL,
            "disabled_reason": TEXT_OR_NULL,
            "forced_down": since("2.11", BOOLEAN),
        },
        required=("id", "binary", "host", "zone", "status", "state", "updated_at", "disabled_reason"),
    ),
)
SERVICE_LIST = Operation(
    "List the control and compute services and whether each is up.",
    response=envelope("services", array(SERVICE)),
    query=(Query("host"), Query("binary")),
)
SERVICE_UPDATE = Operation(
    "Enable or disable a service (with a reason), or force it down or up.",
    request=obj(
        {"status": enum("enabled", "disabled"), "disabled_reason": STRING, "forced_down": BOOLEAN},
        required=(),
        description="From 2.53, PUT /os-services/{uuid}. Below, PUT /os-services/{enable|disable|"
        "disable-log-reason|force-down} with {host, binary[, disabled_reason, forced_down]}.",
    ),
    response=envelope("service", SERVICE),
    errors=(400, 403, 404),
)
SERVICE_DELETE = deleted("Delete a service record (refused while its host has servers).", errors=(400, 403, 404, 409))

# --- hypervisors --------------------------------------------------------------------------

_HYPERVISOR_SERVERS = {**array(obj({"uuid": UUID, "name": STRING})), "description": "With ?with_servers=true."}
HYPERVISOR_BRIEF = Component(
    "HypervisorBrief",
    obj(
        {
            "id": ID,
            "hypervisor_hostname": STRING,
            "state": enum("up", "down"),
            "status": enum("enabled", "disabled"),
            "servers": _HYPERVISOR_SERVERS,
        },
        required=("id", "hypervisor_hostname", "state", "status"),
    ),
)
_USAGE_FIELDS = (
    *("vcpus", "memory_mb", "local_gb", "vcpus_used", "memory_mb_used", "local_gb_used", "free_ram_mb"),
    *("free_disk_gb", "current_workload", "running_vms", "disk_available_least"),
)
HYPERVISOR = Component(
    "Hypervisor",
    obj(
        {
            "id": ID,
            "hypervisor_hostname": STRING,
            "state": enum("up", "down"),
            "status": enum("enabled", "disabled"),
            "hypervisor_type": STRING,
            "hypervisor_version": INTEGER,
            "host_ip": TEXT_OR_NULL,
            "service": obj({"id": nullable(ID), "host": STRING, "disabled_reason": TEXT_OR_NULL}),
            "uptime": since("2.88", TEXT_OR_NULL),
            **{name: {**INTEGER, "description": "Until 2.87."} for name in _USAGE_FIELDS},
            "cpu_info": {
                "anyOf": [ANY_OBJECT, STRING],
                "description": "Until 2.87: an object from 2.28, JSON text below.",
            },
            "servers": _HYPERVISOR_SERVERS,
        },
        required=("id", "hypervisor_hostname", "state", "status", "hypervisor_type", "service"),
    ),
)
_HYPERVISOR_QUERY = (
    Query("limit", "From 2.33.", {"type": "integer", "minimum": 0}),
    Query("marker", "From 2.33."),
    Query("hypervisor_hostname_pattern", "From 2.53."),
    Query("with_servers", "From 2.53."),
)
_LINKS = array(obj({"rel": STRING, "href": STRING}))
HYPERVISOR_LIST = Operation(
    "List hypervisors (administrators).",
    response=envelope("hypervisors", array(HYPERVISOR_BRIEF), hypervisors_links=_LINKS),
    query=_HYPERVISOR_QUERY,
)
HYPERVISOR_DETAIL_LIST = Operation(
    "List hypervisors with details.",
    response=envelope("hypervisors", array(HYPERVISOR), hypervisors_links=_LINKS),
    query=_HYPERVISOR_QUERY,
)
HYPERVISOR_SHOW = Operation(
    "Show a hypervisor.", response=envelope("hypervisor", HYPERVISOR), query=(Query("with_servers"),)
)
HYPERVISOR_UPTIME = Operation(
    "Show a hypervisor's uptime (until 2.87).",
    response=envelope(
        "hypervisor", obj({**HYPERVISOR_BRIEF.schema["properties"], "uptime": TEXT_OR_NULL}, required=())
    ),
)
HYPERVISOR_STATISTICS = Operation(
    "Totals over every hypervisor (until 2.87).",
    response=envelope("hypervisor_statistics", obj({"count": INTEGER, **dict.fromkeys(_USAGE_FIELDS, INTEGER)})),
)
HYPERVISOR_SEARCH = Operation(
    "Hypervisors whose hostname contains the pattern (until 2.52).",
    response=envelope("hypervisors", array(HYPERVISOR_BRIEF)),
)

# --- availability zones and os-hosts ------------------------------------------------------

ZONE = obj(
    {
        "zoneName": STRING,
        "zoneState": obj({"available": BOOLEAN}),
        "hosts": {
            "type": "object",
            "nullable": True,
            "additionalProperties": {"type": "object", "additionalProperties": ANY_OBJECT},
            "description": "detail only: {host: {service binary: {available, active, updated_at}}}.",
        },
    }
)
ZONE_LIST = Operation("List availability zones.", response=envelope("availabilityZoneInfo", array(ZONE)))
ZONE_DETAIL_LIST = Operation(
    "List availability zones with their hosts and services (administrators).",
    response=envelope("availabilityZoneInfo", array(ZONE)),
)
OS_HOSTS_LIST = Operation(
    "List hosts (until 2.42).",
    response=envelope("hosts", array(obj({"host_name": STRING, "service": STRING, "zone": STRING}))),
    query=(Query("zone"),),
)
OS_HOST_SHOW = Operation("Show a host's resources (until 2.42).", response=envelope("host", array(ANY_OBJECT)))
OS_HOST_UPDATE = Operation(
    "Enable or disable a host, or set its maintenance mode (until 2.42).",
    request=obj({"status": enum("enable", "disable"), "maintenance_mode": enum("enable", "disable")}, required=()),
    response=obj({"host": STRING, "status": STRING, "maintenance_mode": STRING}, required=("host",)),
)
OS_HOST_POWER = Operation(
    "Reboot, shut down or start a host (until 2.42).",
    response=obj({"host": STRING, "power_action": enum("reboot", "shutdown", "startup")}),
    errors=(400, 403, 404, 501),
    description="501 where the hypervisor driver cannot (libvirt's), as in Nova.",
)
