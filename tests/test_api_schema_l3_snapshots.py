"""The described routers, floating IPs and volume snapshots match what the API answers
(the schema module's drift check, for the L3 and snapshot endpoints)."""

from __future__ import annotations

import jsonschema

from identity.models import Project

from .network_l3_helpers import V2, post, private, public, put
from .test_api_schema import documented, schema  # noqa: F401 (the module's schema fixture)

VOLUME_LATEST = {"HTTP_OPENSTACK_API_VERSION": "volume latest"}


def test_router_floating_ip_and_snapshot_answers_match_their_schemas(schema, admin_api, demo_api):  # noqa: F811
    external, internal = public(admin_api), private(demo_api)
    gateway = {"network_id": external["id"]}
    router = post(demo_api, "routers", "router", {"name": "r1", "external_gateway_info": gateway})
    router_id = router.json()["router"]["id"]
    interface = put(demo_api, f"routers/{router_id}/add_router_interface", {"subnet_id": internal["subnet"]["id"]})
    fip = post(demo_api, "floatingips", "floatingip", {"floating_network_id": external["id"]})
    demo = Project.objects.get(name="demo").id
    volume = demo_api.post(f"/volume/v3/{demo}/volumes", {"volume": {"size": 1}}, format="json")
    snapshot = demo_api.post(
        f"/volume/v3/{demo}/snapshots",
        {"snapshot": {"volume_id": volume.json()["volume"]["id"], "name": "s1"}},
        format="json",
        **VOLUME_LATEST,
    )
    snapshot_id = snapshot.json()["snapshot"]["id"]
    answers = [
        ("post", f"{V2}/routers", router),
        ("put", f"{V2}/routers/{{router_id}}/add_router_interface", interface),
        ("post", f"{V2}/floatingips", fip),
        ("post", "/volume/v3/{project_id}/snapshots", snapshot),
        ("get", f"{V2}/routers", demo_api.get(f"{V2}/routers")),
        ("get", f"{V2}/floatingips", demo_api.get(f"{V2}/floatingips")),
        (
            "get",
            "/volume/v3/{project_id}/snapshots/detail",
            demo_api.get(f"/volume/v3/{demo}/snapshots/detail", **VOLUME_LATEST),
        ),
        (
            "get",
            "/volume/v3/{project_id}/snapshots/{snapshot_id}",
            demo_api.get(f"/volume/v3/{demo}/snapshots/{snapshot_id}", **VOLUME_LATEST),
        ),
    ]
    assert [response.status_code for *_, response in answers] == [201, 200, 201, 202, 200, 200, 200, 200], [
        (template, response.content) for _, template, response in answers if response.status_code >= 300
    ]
    for method, template, response in answers:
        jsonschema.validate(response.json(), documented(schema, template, method, response.status_code))
