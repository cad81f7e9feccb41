"""The JSON schemas of the servers API's request bodies, per microversion, written from Nova's
(nova/api/openstack/compute/schemas/servers.py, rescue.py, evacuate.py): what each body may
hold, with which types and formats. Checked by ``schema.validate``; what the values mean is
the view's and the service's business."""

from __future__ import annotations

import copy
from typing import Any

from core import microversions as mv
from core.microversions import Microversion

Schema = dict[str, Any]

NAME: Schema = {"type": "string", "format": "name", "minLength": 1, "maxLength": 255}
NAME_OR_NONE: Schema = {"oneOf": [{"type": "string", "minLength": 1, "maxLength": 255}, {"type": "null"}]}
DESCRIPTION: Schema = {"type": ["string", "null"], "format": "printable", "minLength": 0, "maxLength": 255}
BOOLEAN: Schema = {
    "type": ["boolean", "string"],
    "enum": [
        *(True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes"),
        *(False, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"),
    ],
}
POSITIVE_INTEGER: Schema = {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 1, "minLength": 1}
UUID: Schema = {"type": "string", "format": "uuid"}
IMAGE_ID_OR_EMPTY: Schema = {"oneOf": [UUID, {"type": "string", "maxLength": 0}]}
#: Nova neither stores nor limits an admin password: any string.
ADMIN_PASSWORD: Schema = {"type": "string"}
FLAVOR_REF: Schema = {"type": ["string", "integer"], "minLength": 1}
METADATA: Schema = {
    "type": "object",
    "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255}},
    "additionalProperties": False,
}
IP_ADDRESS: Schema = {"type": "string", "oneOf": [{"format": "ipv4"}, {"format": "ipv6"}]}
ACCESS_IPV4: Schema = {"type": "string", "format": "ipv4"}
ACCESS_IPV6: Schema = {"type": "string", "format": "ipv6"}
DISK_CONFIG: Schema = {"type": "string", "enum": ["AUTO", "MANUAL"]}
PERSONALITY: Schema = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"path": {"type": "string"}, "contents": {"type": "string", "format": "base64"}},
        "additionalProperties": False,
    },
}
HOSTNAME: Schema = {
    "type": "string",
    "pattern": "^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$",
    "minLength": 2,
    "maxLength": 63,
}
FQDN: Schema = {"type": "string", "pattern": "^[a-zA-Z0-9-._]*$", "minLength": 1, "maxLength": 255}
TAG: Schema = {"type": "string", "pattern": "^[^,/]*$", "minLength": 1, "maxLength": 60}
TRUSTED_CERTS: Schema = {
    "type": ["array", "null"],
    "minItems": 1,
    "maxItems": 50,
    "uniqueItems": True,
    "items": {"type": "string", "minLength": 1},
}
USER_DATA: Schema = {"type": "string", "format": "base64", "maxLength": 65535}
VOLUME_SIZE: Schema = {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1, "maximum": 0x7FFFFFFF}

_LEGACY_BDM: Schema = {
    "type": "object",
    "properties": {
        "virtual_name": {"type": "string", "maxLength": 255},
        "volume_id": UUID,
        "snapshot_id": UUID,
        "volume_size": VOLUME_SIZE,
        "device_name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9._/-]*$"},
        "delete_on_termination": BOOLEAN,
        "no_device": {},
        "connection_info": {"type": "string", "maxLength": 16777215},
    },
    "additionalProperties": False,
}
_BDM_V2: Schema = copy.deepcopy(_LEGACY_BDM)
_BDM_V2["properties"].update(
    {
        "source_type": {"type": "string", "enum": ["volume", "image", "snapshot", "blank"]},
        "uuid": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9._-]*$"},
        "image_id": UUID,
        "destination_type": {"type": "string", "enum": ["local", "volume"]},
        "guest_format": {"type": "string", "maxLength": 255},
        "device_type": {"type": "string", "maxLength": 255},
        "disk_bus": {"type": "string", "maxLength": 255},
        "boot_index": {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$"},
    }
)

_UUID_OR_LIST: Schema = {"oneOf": [UUID, {"type": "array", "items": UUID}]}
SCHEDULER_HINTS: Schema = {
    "type": "object",
    "properties": {
        "group": _UUID_OR_LIST,
        "different_host": _UUID_OR_LIST,
        "same_host": {"type": ["string", "array"], "items": UUID},
        "query": {"type": ["string", "object"]},
        "target_cell": NAME,
        "different_cell": {"type": ["string", "array"], "items": {"type": "string"}},
        "build_near_host_ip": IP_ADDRESS,
        "cidr": {"type": "string", "pattern": "^/[0-9a-f.:]+$"},
    },
    "additionalProperties": True,  # Nova lets any other hint through
}


def _networks(*, strict: bool, tag: bool) -> Schema:
    """``networks``: a list of {uuid|port, fixed_ip}; from 2.37 also "auto" or "none", with
    uuids that must be uuids."""
    item: Schema = {
        "type": "object",
        "properties": {
            "fixed_ip": IP_ADDRESS,
            "port": {"type": ["string", "null"], "format": "uuid"},
            "uuid": UUID if strict else {"type": "string"},
        },
        "additionalProperties": False,
    }
    if tag:
        item["properties"]["tag"] = TAG
    listed: Schema = {"type": "array", "items": item}
    return {"oneOf": [listed, {"type": "string", "enum": ["none", "auto"]}]} if strict else listed


def _envelope(key: str, inner: Schema, **top: Schema) -> Schema:
    return {
        "type": "object",
        "properties": {key: inner, **top},
        "required": [key],
        "additionalProperties": False,
    }


def create(version: Microversion) -> Schema:
    """POST /servers."""
    tag_networks = mv.MV(2, 32) <= version < mv.NETWORKS_REQUIRED or version >= mv.MV(2, 42)
    tag_mappings = version == mv.MV(2, 32) or version >= mv.MV(2, 42)
    bdm_v2 = copy.deepcopy(_BDM_V2)
    if tag_mappings:
        bdm_v2["properties"]["tag"] = TAG
    if version >= mv.MV(2, 67):
        bdm_v2["properties"]["volume_type"] = NAME_OR_NONE
    properties: Schema = {
        "name": NAME,
        "imageRef": IMAGE_ID_OR_EMPTY,
        "flavorRef": FLAVOR_REF,
        "adminPass": ADMIN_PASSWORD,
        "metadata": METADATA,
        "networks": _networks(strict=version >= mv.NETWORKS_REQUIRED, tag=tag_networks),
        "OS-DCF:diskConfig": DISK_CONFIG,
        "accessIPv4": ACCESS_IPV4,
        "accessIPv6": ACCESS_IPV6,
        "availability_zone": NAME,
        "block_device_mapping": {"type": "array", "items": _LEGACY_BDM},
        "block_device_mapping_v2": {"type": "array", "items": bdm_v2},
        "config_drive": BOOLEAN,
        "key_name": NAME,
        "min_count": POSITIVE_INTEGER,
        "max_count": POSITIVE_INTEGER,
        "return_reservation_id": BOOLEAN,
        "security_groups": {
            "type": "array",
            "items": {"type": "object", "properties": {"name": NAME}, "additionalProperties": False},
        },
        "user_data": USER_DATA,
    }
    if version < mv.INJECTED_FILES_REMOVED:
        properties["personality"] = PERSONALITY
    if version >= mv.SERVER_DESCRIPTION:
        properties["description"] = DESCRIPTION
    if version >= mv.TAGS_ON_CREATE:
        properties["tags"] = {"type": "array", "items": TAG, "maxItems": 50}
    if version >= mv.TRUSTED_IMAGE_CERTIFICATES:
        properties["trusted_image_certificates"] = TRUSTED_CERTS
    if version >= mv.CREATE_ON_HOST:
        properties["host"] = FQDN
        properties["hypervisor_hostname"] = FQDN
    if version >= mv.SERVER_HOSTNAME:
        properties["hostname"] = FQDN if version >= mv.HOSTNAME_FQDN else HOSTNAME
    required = ["name", "flavorRef"] + (["networks"] if version >= mv.NETWORKS_REQUIRED else [])
    server = {"type": "object", "properties": properties, "required": required, "additionalProperties": False}
    return _envelope(
        "server", server, **{"os:scheduler_hints": SCHEDULER_HINTS, "OS-SCH-HNT:scheduler_hints": SCHEDULER_HINTS}
    )


def update(version: Microversion) -> Schema:
    """PUT /servers/{id}."""
    properties: Schema = {
        "name": NAME,
        "OS-DCF:diskConfig": DISK_CONFIG,
        "accessIPv4": ACCESS_IPV4,
        "accessIPv6": ACCESS_IPV6,
    }
    if version >= mv.SERVER_DESCRIPTION:
        properties["description"] = DESCRIPTION
    if version >= mv.SERVER_HOSTNAME:
        properties["hostname"] = FQDN if version >= mv.HOSTNAME_FQDN else HOSTNAME
    if version >= mv.PINNED_AVAILABILITY_ZONE_UPDATE:
        # A zone name or null (unpin); validate_server_update checks the name's form.
        properties["pinned_availability_zone"] = {"type": ["string", "null"]}
    return _envelope("server", {"type": "object", "properties": properties, "additionalProperties": False})


def rebuild(version: Microversion) -> Schema:
    """The rebuild action."""
    properties: Schema = {
        "name": NAME,
        "imageRef": UUID,
        "adminPass": ADMIN_PASSWORD,
        "metadata": METADATA,
        "preserve_ephemeral": BOOLEAN,
        "OS-DCF:diskConfig": DISK_CONFIG,
        "accessIPv4": ACCESS_IPV4,
        "accessIPv6": ACCESS_IPV6,
    }
    if version < mv.INJECTED_FILES_REMOVED:
        properties["personality"] = PERSONALITY
    else:
        properties["user_data"] = {**USER_DATA, "type": ["string", "null"]}
    if version >= mv.SERVER_DESCRIPTION:
        properties["description"] = DESCRIPTION
    if version >= mv.MV(2, 54):
        properties["key_name"] = NAME_OR_NONE
    if version >= mv.TRUSTED_IMAGE_CERTIFICATES:
        properties["trusted_image_certificates"] = TRUSTED_CERTS
    if version >= mv.SERVER_HOSTNAME:
        properties["hostname"] = FQDN if version >= mv.HOSTNAME_FQDN else HOSTNAME
    inner = {"type": "object", "properties": properties, "required": ["imageRef"], "additionalProperties": False}
    return _envelope("rebuild", inner)


RESIZE: Schema = _envelope(
    "resize",
    {
        "type": "object",
        "properties": {"flavorRef": FLAVOR_REF, "OS-DCF:diskConfig": DISK_CONFIG},
        "required": ["flavorRef"],
        "additionalProperties": False,
    },
)

REBOOT: Schema = _envelope(
    "reboot",
    {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]}},
        "required": ["type"],
        "additionalProperties": False,
    },
)

RESCUE: Schema = _envelope(
    "rescue",
    {
        "type": ["object", "null"],
        "properties": {"adminPass": ADMIN_PASSWORD, "rescue_image_ref": UUID},
        "additionalProperties": False,
    },
)

CREATE_IMAGE: Schema = _envelope(
    "createImage",
    {
        "type": "object",
        "properties": {"name": NAME, "metadata": METADATA},
        "required": ["name"],
        "additionalProperties": False,
    },
)


def evacuate(version: Microversion) -> Schema:
    """The evacuate action: onSharedStorage is required before 2.14 and gone after; force
    exists from 2.29 to 2.67."""
    properties: Schema = {"host": FQDN, "adminPass": ADMIN_PASSWORD}
    inner: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if version < mv.EVACUATE_WITHOUT_SHARED_STORAGE:
        properties["onSharedStorage"] = BOOLEAN
        inner["required"] = ["onSharedStorage"]
    elif mv.MV(2, 29) <= version < mv.MV(2, 68):
        properties["force"] = BOOLEAN
    return _envelope("evacuate", inner)


def change_password() -> Schema:
    """changePassword: adminPass, a string, is required."""
    inner = {
        "type": "object",
        "properties": {"adminPass": ADMIN_PASSWORD},
        "required": ["adminPass"],
        "additionalProperties": False,
    }
    return _envelope("changePassword", inner)
