"""The Placement API's bodies as OpenAPI schemas, as ``views`` writes them."""

from __future__ import annotations

from core.openapi.types import INTEGER, STRING, TEXT_OR_NULL, UUID, Operation, Query, array, obj

LINKS = array(obj({"rel": STRING, "href": STRING}))
VERSIONS = Operation(
    "The placement API's version document (no token needed).",
    response=obj(
        {
            "versions": array(
                obj({"id": STRING, "max_version": STRING, "min_version": STRING, "status": STRING, "links": LINKS})
            )
        }
    ),
)
PROVIDER = obj(
    {
        "uuid": UUID,
        "name": STRING,
        "generation": INTEGER,
        "links": LINKS,
        "parent_provider_uuid": TEXT_OR_NULL,
        "root_provider_uuid": STRING,
    },
    required=("uuid", "name", "generation", "links"),
)
PROVIDER_LIST = Operation(
    "List resource providers: the compute nodes (administrators and services).",
    response=obj({"resource_providers": array(PROVIDER)}),
    query=(Query("name"), Query("uuid"), Query("in_tree")),
    errors=(400, 403),
)
PROVIDER_SHOW = Operation("Show a resource provider.", response=PROVIDER, errors=(403, 404))
AMOUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
INVENTORY = obj(
    {
        "total": INTEGER,
        "reserved": INTEGER,
        "min_unit": INTEGER,
        "max_unit": INTEGER,
        "step_size": INTEGER,
        "allocation_ratio": {"type": "number"},
    }
)
INVENTORIES = Operation(
    "A resource provider's inventories (VCPU, MEMORY_MB, DISK_GB).",
    response=obj(
        {
            "inventories": {"type": "object", "additionalProperties": INVENTORY},
            "resource_provider_generation": INTEGER,
        }
    ),
    errors=(403, 404),
)
USAGES = Operation(
    "What the allocations against a resource provider add up to.",
    response=obj({"usages": AMOUNTS, "resource_provider_generation": INTEGER}),
    errors=(403, 404),
)
ALLOCATIONS = Operation(
    "A consumer's allocations, by resource provider (empty when it holds none).",
    response=obj(
        {
            "allocations": {
                "type": "object",
                "additionalProperties": obj({"generation": INTEGER, "resources": AMOUNTS}),
            },
            "project_id": STRING,
            "user_id": STRING,
            "consumer_generation": INTEGER,
            "consumer_type": STRING,
        },
        required=("allocations",),
    ),
    errors=(403,),
)
PROVIDER_ALLOCATIONS = Operation(
    "The allocations against a resource provider, by consumer.",
    response=obj(
        {
            "allocations": {"type": "object", "additionalProperties": obj({"resources": AMOUNTS})},
            "resource_provider_generation": INTEGER,
        }
    ),
    errors=(403, 404),
)
PROVIDER_AGGREGATES = Operation(
    "The aggregates a resource provider is in (microversion 1.1 and later).",
    response=obj({"aggregates": array(UUID), "resource_provider_generation": INTEGER}, required=("aggregates",)),
    errors=(403, 404),
)
PROVIDER_TRAITS = Operation(
    "A resource provider's traits (none; microversion 1.6 and later).",
    response=obj({"traits": array(STRING), "resource_provider_generation": INTEGER}),
    errors=(403, 404),
)
