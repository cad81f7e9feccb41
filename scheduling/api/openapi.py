"""GET /scheduler/why-not as an OpenAPI operation (what ``scheduling.why_not`` answers)."""

from __future__ import annotations

from core.openapi.types import BOOLEAN, INTEGER, STRING, TEXT_OR_NULL, Operation, Query, array, envelope, obj

WHY_NOT = Operation(
    "Each scheduler filter's verdict on one host for one flavor (administrators).",
    response=envelope(
        "explanation",
        obj(
            {
                "host": STRING,
                "flavor": obj(
                    {"name": STRING, "id": STRING, "vcpus": INTEGER, "memory_mb": INTEGER, "disk_gb": INTEGER}
                ),
                "availability_zone": TEXT_OR_NULL,
                "project_id": TEXT_OR_NULL,
                "accepted": BOOLEAN,
                "rejected_by": array(STRING),
                "filters": array(obj({"name": STRING, "passed": BOOLEAN, "applies": BOOLEAN, "reason": TEXT_OR_NULL})),
            }
        ),
    ),
    query=(
        Query("flavor", "A flavor name or id (required)."),
        Query("host", "A compute host (required)."),
        Query("zone"),
        Query("project", "A project name or id."),
        Query("image"),
        Query("group", "A server group uuid."),
    ),
)
