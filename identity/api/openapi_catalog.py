"""The bodies of Keystone's regions, services and endpoints as OpenAPI schemas, as
``identity/documents.py`` writes them and ``catalog_parsing.py`` reads them."""

from __future__ import annotations

from core.openapi.types import BOOLEAN, STRING, TEXT_OR_NULL, Component, Operation, Query, array, deleted, envelope, obj

from .openapi import COLLECTION_LINKS, SELF_LINK

_NAME = {"type": "string", "minLength": 1, "maxLength": 255}
_REGION_ID = {"type": "string", "minLength": 1, "maxLength": 255, "nullable": True}
_DESCRIPTION = {"type": "string", "maxLength": 255, "nullable": True}
_INTERFACE = {"type": "string", "enum": ["admin", "internal", "public"]}

REGION = Component(
    "Region",
    obj({"id": STRING, "description": STRING, "parent_region_id": TEXT_OR_NULL, "links": SELF_LINK}),
)
_REGION_FIELDS = {"description": _DESCRIPTION, "parent_region_id": _REGION_ID}
REGION_LIST = Operation(
    "List regions.",
    response=envelope("regions", array(REGION), links=COLLECTION_LINKS),
    query=(Query("parent_region_id"),),
    errors=(),
)
REGION_CREATE = Operation(
    "Create a region (an id is made when none is given).",
    request=envelope("region", obj({"id": {"type": "string", "maxLength": 255}, **_REGION_FIELDS}, required=())),
    response=envelope("region", REGION),
    status=201,
    errors=(400, 403, 404, 409),
)
REGION_PUT = Operation(
    "Create a region with this id.",
    request=envelope("region", obj({"id": STRING, **_REGION_FIELDS}, required=())),
    response=envelope("region", REGION),
    status=201,
    errors=(400, 403, 404, 409),
)
REGION_SHOW = Operation("Show a region.", response=envelope("region", REGION))
REGION_UPDATE = Operation(
    "Describe or re-parent a region.",
    request=envelope("region", obj(_REGION_FIELDS, required=())),
    response=envelope("region", REGION),
    errors=(400, 403, 404),
)
REGION_DELETE = deleted("Delete a region and its children (403 while they hold endpoints).", errors=(403, 404))

SERVICE = Component(
    "CatalogService",
    obj(
        {"id": STRING, "type": STRING, "name": STRING, "enabled": BOOLEAN, "description": STRING, "links": SELF_LINK},
        required=("id", "type", "name", "enabled", "links"),
        description="A description only when one was given.",
    ),
)
_SERVICE_FIELDS = {"type": _NAME, "name": _NAME, "description": TEXT_OR_NULL, "enabled": BOOLEAN}
SERVICE_LIST = Operation(
    "List the catalog's services.",
    response=envelope("services", array(SERVICE), links=COLLECTION_LINKS),
    query=(Query("type"), Query("name")),
)
SERVICE_CREATE = Operation(
    "Create a catalog service.",
    request=envelope("service", obj(_SERVICE_FIELDS, required=("type",))),
    response=envelope("service", SERVICE),
    status=201,
    errors=(400, 403),
)
SERVICE_SHOW = Operation("Show a catalog service.", response=envelope("service", SERVICE))
SERVICE_UPDATE = Operation(
    "Update a catalog service.",
    request=envelope("service", obj(_SERVICE_FIELDS, required=())),
    response=envelope("service", SERVICE),
    errors=(400, 403, 404),
)
SERVICE_DELETE = deleted("Delete a catalog service and its endpoints.", errors=(403, 404))

ENDPOINT = Component(
    "Endpoint",
    obj(
        {
            "id": STRING,
            "interface": STRING,
            "region_id": TEXT_OR_NULL,
            "region": TEXT_OR_NULL,
            "service_id": STRING,
            "url": STRING,
            "enabled": BOOLEAN,
            "links": SELF_LINK,
        }
    ),
)
_ENDPOINT_FIELDS = {
    "interface": _INTERFACE,
    "service_id": STRING,
    "url": {"type": "string", "maxLength": 225},
    "region_id": _REGION_ID,
    "region": _REGION_ID,
    "enabled": BOOLEAN,
}
ENDPOINT_LIST = Operation(
    "List the catalog's endpoints (URLs as registered).",
    response=envelope("endpoints", array(ENDPOINT), links=COLLECTION_LINKS),
    query=(Query("interface"), Query("service_id"), Query("region_id")),
)
ENDPOINT_CREATE = Operation(
    "Create an endpoint.",
    request=envelope("endpoint", obj(_ENDPOINT_FIELDS, required=("interface", "service_id", "url"))),
    response=envelope("endpoint", ENDPOINT),
    status=201,
    errors=(400, 403),
)
ENDPOINT_SHOW = Operation("Show an endpoint.", response=envelope("endpoint", ENDPOINT))
ENDPOINT_UPDATE = Operation(
    "Update an endpoint.",
    request=envelope("endpoint", obj(_ENDPOINT_FIELDS, required=())),
    response=envelope("endpoint", ENDPOINT),
    errors=(400, 403, 404),
)
ENDPOINT_DELETE = deleted("Delete an endpoint.", errors=(403, 404))
