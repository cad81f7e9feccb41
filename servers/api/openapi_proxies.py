"""The compute API's proxies to the other services (images until 2.35, image metadata until
2.38, os-volumes, os-networks, os-tenant-networks, os-security-groups until 2.35) and its
extension list, as OpenAPI schemas. Views name these operations in ``openapi``."""

from __future__ import annotations

from core.openapi.types import (
    ANY_OBJECT,
    DATETIME,
    INTEGER,
    MICRO_DATETIME,
    STRING,
    STRING_MAP,
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
)

from .openapi import LINKS, METADATA, METADATA_LIST, PAGING

_PROXY = "Removed in microversion 2.36 (404 from 2.36 on)."

# --- images -------------------------------------------------------------------------------

COMPUTE_IMAGE = Component(
    "ComputeImage",
    obj(
        {
            "id": UUID,
            "name": STRING,
            "minRam": INTEGER,
            "minDisk": INTEGER,
            "metadata": STRING_MAP,
            "created": DATETIME,
            "updated": DATETIME,
            "status": {"type": "string", "enum": ["ACTIVE", "SAVING", "DELETED", "ERROR", "UNKNOWN"]},
            "progress": INTEGER,
            "OS-EXT-IMG-SIZE:size": INTEGER,
            "links": LINKS,
            "server": obj({"id": UUID, "links": LINKS}, description="The server a snapshot was taken of."),
        },
        required=("id", "name", "links"),
        description="The list (not detail) has only id, name and links.",
    ),
)
_IMAGE_QUERY = (*PAGING, Query("name"), Query("status"), Query("server"), Query("type"), Query("changes-since"))
IMAGE_LIST = Operation(
    "List images (proxy to the image service).",
    response=envelope("images", array(COMPUTE_IMAGE), images_links=LINKS),
    query=_IMAGE_QUERY,
    description=_PROXY,
)
IMAGE_SHOW = Operation("Show an image.", response=envelope("image", COMPUTE_IMAGE), description=_PROXY)
IMAGE_DELETE = deleted("Delete an image.", errors=(403, 404))
IMAGE_META_SHOW = Operation("Show one image property.", response=envelope("meta", STRING_MAP))
IMAGE_META_UPDATE = Operation(
    "Set one image property.", request=envelope("meta", STRING_MAP), response=envelope("meta", STRING_MAP)
)
IMAGE_META_DELETE = deleted("Delete one image property.", errors=(403, 404))
IMAGE_METADATA_MERGE = Operation("Add or change image properties.", request=METADATA, response=METADATA)
IMAGE_METADATA_REPLACE = Operation("Replace the image's properties.", request=METADATA, response=METADATA)
IMAGE_METADATA_LIST = METADATA_LIST

# --- volumes ------------------------------------------------------------------------------

COMPUTE_VOLUME = Component(
    "ComputeVolume",
    obj(
        {
            "id": UUID,
            "status": STRING,
            "size": INTEGER,
            "availabilityZone": STRING,
            "createdAt": MICRO_DATETIME,
            "attachments": array(
                obj({"id": UUID, "volumeId": UUID, "serverId": UUID, "device": TEXT_OR_NULL}, required=())
            ),
            "displayName": TEXT_OR_NULL,
            "displayDescription": TEXT_OR_NULL,
            "volumeType": TEXT_OR_NULL,
            "snapshotId": nullable(UUID),
            "metadata": STRING_MAP,
        }
    ),
)
VOLUME_LIST = Operation(
    "List volumes (proxy to the volume service).",
    response=envelope("volumes", array(COMPUTE_VOLUME)),
    query=PAGING,
    description=_PROXY,
)
VOLUME_CREATE = Operation(
    "Create a volume.",
    request=envelope(
        "volume",
        obj(
            {
                "size": {"type": "integer", "minimum": 1},
                "display_name": TEXT_OR_NULL,
                "display_description": TEXT_OR_NULL,
                "availability_zone": TEXT_OR_NULL,
                "volume_type": TEXT_OR_NULL,
                "imageRef": UUID,
                "metadata": STRING_MAP,
            },
            required=("size",),
        ),
    ),
    response=envelope("volume", COMPUTE_VOLUME),
    headers=("Location",),
    errors=(400, 403, 404, 413),
    description=_PROXY,
)
VOLUME_SHOW = Operation("Show a volume.", response=envelope("volume", COMPUTE_VOLUME), description=_PROXY)
VOLUME_DELETE = Operation("Delete a volume.", status=202, errors=(400, 403, 404), description=_PROXY)

# --- networks and security groups ----------------------------------------------------------

COMPUTE_NETWORK = obj(
    {"id": UUID, "label": STRING, "cidr": TEXT_OR_NULL},
    required=("id", "label"),
    description="Administrators see nova-network's other fields too (all null).",
)
NETWORK_LIST = Operation("List networks (proxy).", response=envelope("networks", array(COMPUTE_NETWORK)))
NETWORK_SHOW = Operation("Show a network (proxy).", response=envelope("network", COMPUTE_NETWORK))

SG_RULE = Component(
    "ComputeSecurityGroupRule",
    obj(
        {
            "id": UUID,
            "parent_group_id": UUID,
            "ip_protocol": TEXT_OR_NULL,
            "from_port": nullable(INTEGER),
            "to_port": nullable(INTEGER),
            "group": obj({"name": STRING, "tenant_id": STRING}, required=()),
            "ip_range": obj({"cidr": STRING}, required=()),
        }
    ),
)
SECURITY_GROUP = Component(
    "ComputeSecurityGroup",
    obj({"id": UUID, "name": STRING, "description": STRING, "tenant_id": STRING, "rules": array(SG_RULE)}),
)
_SG_BODY = envelope("security_group", obj({"name": STRING, "description": STRING}))
SG_LIST = Operation(
    "List security groups (proxy to the network service).",
    response=envelope("security_groups", array(SECURITY_GROUP)),
    query=(*PAGING, Query("all_tenants")),
    description=_PROXY,
)
SG_CREATE = Operation("Create a security group.", request=_SG_BODY, response=envelope("security_group", SECURITY_GROUP))
SG_SHOW = Operation("Show a security group.", response=envelope("security_group", SECURITY_GROUP))
SG_UPDATE = Operation(
    "Rename or describe a security group.", request=_SG_BODY, response=envelope("security_group", SECURITY_GROUP)
)
SG_DELETE = Operation("Delete a security group.", status=202, errors=(400, 403, 404, 409))
SG_RULE_CREATE = Operation(
    "Add an ingress rule.",
    request=envelope(
        "security_group_rule",
        obj(
            {
                "parent_group_id": UUID,
                "ip_protocol": TEXT_OR_NULL,
                "from_port": {"anyOf": [INTEGER, STRING]},
                "to_port": {"anyOf": [INTEGER, STRING]},
                "cidr": STRING,
                "group_id": nullable(UUID),
            },
            required=("parent_group_id",),
        ),
    ),
    response=envelope("security_group_rule", SG_RULE),
    errors=(400, 403, 404, 409),
)
SG_RULE_DELETE = Operation("Delete a rule.", status=202, errors=(403, 404))
SERVER_SG_LIST = Operation(
    "List a server's security groups.", response=envelope("security_groups", array(SECURITY_GROUP))
)

# --- extensions ---------------------------------------------------------------------------

EXTENSION = obj(
    {
        "alias": STRING,
        "description": STRING,
        "links": array(ANY_OBJECT),
        "name": STRING,
        "namespace": STRING,
        "updated": STRING,
    }
)
EXTENSION_LIST = Operation(
    "List the API extensions (kept for old clients).", response=envelope("extensions", array(EXTENSION))
)
EXTENSION_SHOW = Operation("Show one API extension.", response=envelope("extension", EXTENSION))
