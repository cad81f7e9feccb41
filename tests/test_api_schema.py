"""The API description: /api/schema/ (drf-spectacular, described by core/openapi and each
app's api/openapi*.py) and /api/docs/ (Swagger UI from drf-spectacular-sidecar).

The schema is generated once for the module; the documented bodies are checked against what
the API really answers (a drift between a representation and its schema fails here)."""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

import jsonschema
import pytest
import yaml
from django.contrib.staticfiles import finders
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from core.openapi.convert import to_openapi
from core.openapi.types import Component
from identity.models import Project
from networks.models import Network
from novasite.api_docs import clear_schema_cache
from servers.api.validation import server_schemas
from tests.servers_helpers import demo_server

SERVICES = ("/compute", "/identity", "/image", "/network", "/volume")
COMPUTE_LATEST = {"HTTP_OPENSTACK_API_VERSION": "compute latest"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    GENERATOR_STATS.reset()
    generated = SchemaGenerator().get_schema(request=None, public=True)
    warnings = dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    generated["x-generator-warnings"] = warnings
    return generated


def operations(schema: dict[str, Any]):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def as_json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema draft 4: ``nullable`` becomes a null type."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def documented(schema: dict[str, Any], path: str, method: str, status: int, part: str = "response") -> dict:
    """The documented JSON body of an operation, with the components it refers to."""
    operation = schema["paths"][path][method]
    if part == "request":
        body = operation["requestBody"]["content"]["application/json"]["schema"]
    else:
        body = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    return {**as_json_schema(body), "components": as_json_schema(schema["components"])}


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


# --- the document ------------------------------------------------------------------------


def test_it_is_valid_openapi_without_warnings(schema):
    assert schema.pop("x-generator-warnings") == {}
    validate_schema(schema)  # OpenAPI 3.0's own JSON schema (drf-spectacular ships it)
    assert schema["openapi"].startswith("3.0")
    assert not [path for path in schema["paths"] if path.startswith(("/api/", "/admin/"))]
    assert "/compute/" not in schema["paths"]  # described once, as /compute


def test_every_operation_of_the_five_services_is_described(schema):
    undescribed = []
    several = set()
    for path, method, operation in operations(schema):
        if not path.startswith(SERVICES):
            continue
        success = [code for code in operation["responses"] if code.startswith(("2", "3"))]
        body = str(operation)
        if not success or "Not described yet" in body or not operation.get("summary"):
            undescribed.append(f"{method.upper()} {path}")
        if len(success) > 1:
            several.add(f"{method.upper()} {path} {' '.join(sorted(success))}")
    assert undescribed == []
    # One success answer each, but where the API references list two.
    assert several == {
        "POST /compute/v2.1/servers/{server_id}/action 200 202",  # 202, or 200 with a body
        "PUT /compute/v2.1/servers/{server_id}/tags/{tag} 201 204",  # new, or present already
        "GET /image/v2/images/{image_id}/file 200 204",  # data, or none
    }
    compute_paths = {path for path, _, _ in operations(schema) if path.startswith("/compute/v2.1/")}
    assert len(compute_paths) > 80  # every compute resource, not a sample


def test_create_server_request_body_is_novas_schema(schema):
    body = schema["paths"]["/compute/v2.1/servers"]["post"]["requestBody"]
    assert body["required"] is True
    envelope = body["content"]["application/json"]["schema"]
    server = envelope["properties"]["server"]
    for field in ("name", "flavorRef", "imageRef", "networks", "block_device_mapping_v2", "hostname"):
        assert field in server["properties"], field
    assert set(server["required"]) == {"name", "flavorRef", "networks"}  # networks: from 2.37
    # JSON Schema's type lists, OpenAPI 3.0 style.
    assert {branch["type"] for branch in server["properties"]["flavorRef"]["anyOf"]} == {"string", "integer"}
    assert server["properties"]["metadata"]["x-patternProperties"] == ["^[a-zA-Z0-9-_:. ]{1,255}$"]


def test_the_documented_create_body_accepts_and_refuses_what_the_api_does(schema):
    request = documented(schema, "/compute/v2.1/servers", "post", 202, part="request")
    good = {
        "server": {
            "name": "vm",
            "flavorRef": "1",
            "imageRef": str(uuid.uuid4()),
            "networks": "auto",
            "min_count": "2",
            "metadata": {"role": "web"},
        }
    }
    jsonschema.validate(good, request)
    for bad in (
        {"server": {"name": "vm", "imageRef": str(uuid.uuid4()), "networks": "auto"}},  # no flavorRef
        {"server": {**good["server"], "networks": "everything"}},
        {"server": {**good["server"], "metadata": {"k": {"nested": 1}}}},
        {"server": {**good["server"], "unknown": 1}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, request)


def test_server_response_body(schema):
    ok = schema["paths"]["/compute/v2.1/servers/{server_id}"]["get"]["responses"]["200"]
    envelope = ok["content"]["application/json"]["schema"]
    server = resolve(schema, envelope["properties"]["server"])
    for field in ("id", "status", "flavor", "addresses", "OS-EXT-STS:vm_state", "locked", "pinned_availability_zone"):
        assert field in server["properties"], field
    assert {"id", "name", "status", "flavor", "links"} <= set(server["required"])
    created = schema["paths"]["/compute/v2.1/servers"]["post"]["responses"]
    assert "202" in created and "Location" in created["202"]["headers"]


def test_error_responses_are_each_services_body(schema):
    show = schema["paths"]["/compute/v2.1/servers/{server_id}"]["get"]["responses"]
    assert {"401", "403", "404"} <= set(show)
    not_found = show["404"]["content"]["application/json"]["schema"]
    assert not_found["properties"]["itemNotFound"] == {"$ref": "#/components/schemas/ComputeFault"}
    create = schema["paths"]["/compute/v2.1/servers"]["post"]["responses"]
    assert set(create["409"]["content"]["application/json"]["schema"]["properties"]) == {"conflictingRequest"}
    for path, component in (
        ("/identity/v3/projects", "KeystoneError"),
        ("/network/v2.0/ports", "NeutronError"),
        ("/image/v2/images", "KeystoneError"),  # keystonemiddleware's 401, before Glance
    ):
        error = schema["paths"][path]["get"]["responses"]["401"]["content"]["application/json"]["schema"]
        assert error == {"$ref": f"#/components/schemas/{component}"}, path
    # Glance's other errors are webob's: JSON, HTML or plain text by the Accept header.
    image_404 = schema["paths"]["/image/v2/images/{image_id}"]["get"]["responses"]["404"]["content"]
    assert image_404["application/json"]["schema"] == {"$ref": "#/components/schemas/GlanceError"}
    assert image_404["text/html"]["schema"] == image_404["text/plain"]["schema"] == {"type": "string"}
    # A token is needed, and the document says how it is sent.
    assert schema["components"]["securitySchemes"]["keystoneToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Auth-Token",
        "description": "A token from POST /identity/v3/auth/tokens (its X-Subject-Token header).",
    }
    issue = schema["paths"]["/identity/v3/auth/tokens"]["post"]
    assert "401" in issue["responses"] and {} in issue["security"]


def test_microversion_headers_on_compute_volume_and_placement_only(schema, settings):
    newest = settings.COMPUTE_MAX_MICROVERSION
    for path, method, operation in operations(schema):
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        if path.startswith("/compute/v2.1/"):
            assert headers["OpenStack-API-Version"]["examples"]["Newest"]["value"] == f"compute {newest}"
            assert "X-OpenStack-Nova-API-Version" in headers, path
            success = next(code for code in operation["responses"] if code.startswith("2"))
            assert "OpenStack-API-Version" in operation["responses"][success]["headers"], path
        elif path.startswith("/volume/v3/"):
            assert headers["OpenStack-API-Version"]["examples"]["Newest"]["value"].startswith("volume 3.")
        elif path.startswith("/placement/") and path != "/placement/":  # the root needs no token
            assert headers["OpenStack-API-Version"]["examples"]["Newest"]["value"] == "placement 1.39"
        else:
            assert "OpenStack-API-Version" not in headers, f"{method} {path}"


# --- the documented bodies are what the API answers --------------------------------------


@pytest.mark.django_db
def test_real_answers_match_their_documented_schemas(schema, admin_api, demo_api):
    server = demo_server(metadata={"role": "web"})
    network = Network.objects.get(name="provider")
    demo = Project.objects.get(name="demo").id
    anonymous = APIClient()
    port = demo_api.post("/network/v2.0/ports", {"port": {"network_id": str(network.id)}}, format="json")
    volume = demo_api.post(f"/volume/v3/{demo}/volumes", {"volume": {"size": 1}}, format="json")
    keypair = demo_api.post(
        "/compute/v2.1/os-keypairs",
        {"keypair": {"name": "k1"}},
        format="json",
        HTTP_OPENSTACK_API_VERSION="compute 2.10",
    )
    token = anonymous.post(
        "/identity/v3/auth/tokens",
        {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {"name": "demo", "domain": {"name": "Default"}, "password": "secret"}},
                },
                "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}},
            }
        },
        format="json",
    )
    answers = [
        ("post", "/network/v2.0/ports", port),
        ("post", "/volume/v3/{project_id}/volumes", volume),
        ("post", "/compute/v2.1/os-keypairs", keypair),
        ("post", "/identity/v3/auth/tokens", token),
    ]
    reads = [
        (admin_api, "/compute/v2.1/servers/{server_id}", f"/compute/v2.1/servers/{server.uuid}", COMPUTE_LATEST),
        (demo_api, "/compute/v2.1/servers/{server_id}", f"/compute/v2.1/servers/{server.uuid}", {}),
        (demo_api, "/compute/v2.1/servers/detail", "/compute/v2.1/servers/detail", COMPUTE_LATEST),
        (demo_api, "/compute/v2.1/servers", "/compute/v2.1/servers", {}),
        (demo_api, "/compute/v2.1/flavors/detail", "/compute/v2.1/flavors/detail", COMPUTE_LATEST),
        (demo_api, "/compute/v2.1/limits", "/compute/v2.1/limits", COMPUTE_LATEST),
        (admin_api, "/compute/v2.1/os-hypervisors/detail", "/compute/v2.1/os-hypervisors/detail", COMPUTE_LATEST),
        (admin_api, "/compute/v2.1/os-services", "/compute/v2.1/os-services", COMPUTE_LATEST),
        (admin_api, "/compute/v2.1/os-aggregates", "/compute/v2.1/os-aggregates", COMPUTE_LATEST),
        (demo_api, "/image/v2/images", "/image/v2/images", {}),
        (demo_api, "/network/v2.0/networks", "/network/v2.0/networks", {}),
        (demo_api, "/network/v2.0/subnets", "/network/v2.0/subnets", {}),
        (demo_api, "/network/v2.0/security-groups", "/network/v2.0/security-groups", {}),
        (
            demo_api,
            "/volume/v3/{project_id}/volumes/detail",
            f"/volume/v3/{demo}/volumes/detail",
            {"HTTP_OPENSTACK_API_VERSION": "volume latest"},
        ),
        (admin_api, "/identity/v3/projects", "/identity/v3/projects", {}),
        (admin_api, "/identity/v3/users", "/identity/v3/users", {}),
        (admin_api, "/identity/v3/role_assignments", "/identity/v3/role_assignments?include_names", {}),
    ]
    assert [response.status_code for _, _, response in answers] == [201, 202, 201, 201]
    answers += [("get", template, client.get(url, **headers)) for client, template, url, headers in reads]
    assert all(response.status_code == 200 for _, _, response in answers[4:]), [r.status_code for *_, r in answers]
    errors = [
        ("get", "/compute/v2.1/servers/{server_id}", demo_api.get(f"/compute/v2.1/servers/{uuid.uuid4()}")),
        ("post", "/compute/v2.1/servers", demo_api.post("/compute/v2.1/servers", {"server": {}}, format="json")),
        ("get", "/network/v2.0/ports/{port_id}", demo_api.get(f"/network/v2.0/ports/{uuid.uuid4()}")),
        # As Tempest asks: webob then writes Glance's error as JSON.
        (
            "get",
            "/image/v2/images/{image_id}",
            demo_api.get(f"/image/v2/images/{uuid.uuid4()}", HTTP_ACCEPT="application/json"),
        ),
        ("get", "/identity/v3/projects", anonymous.get("/identity/v3/projects")),
        ("get", "/volume/v3/{project_id}/volumes", APIClient().get(f"/volume/v3/{demo}/volumes")),
    ]
    assert [response.status_code for _, _, response in errors] == [404, 400, 404, 404, 401, 401]
    mismatches = []
    for method, template, response in answers + errors:
        assert response.status_code < 500, (template, response.content)
        try:
            body = documented(schema, template, method, response.status_code)
            jsonschema.validate(response.json(), body)
        except (KeyError, jsonschema.ValidationError) as error:
            mismatches.append(f"{method.upper()} {template} {response.status_code}: {str(error)[:300]}")
    assert not mismatches, "\n".join(mismatches)


# --- the converter -----------------------------------------------------------------------


def test_converter_rewrites_what_openapi_3_0_lacks_and_leaves_its_input_alone():
    source = {
        "type": "object",
        "properties": {
            "flag": server_schemas.BOOLEAN,
            "description": server_schemas.DESCRIPTION,
            "volume_type": server_schemas.NAME_OR_NONE,
            "metadata": server_schemas.METADATA,
            "kind": {"const": "x"},
            "boot_index": {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$"},
        },
        "required": [],
        "$schema": "http://json-schema.org/draft-04/schema#",
    }
    before = copy.deepcopy(source)
    out = to_openapi(source, lambda component: {"$ref": component.name})
    assert source == before
    props = out["properties"]
    assert "$schema" not in out and "required" not in out
    assert [branch["type"] for branch in props["flag"]["anyOf"]] == ["boolean", "string"]
    assert props["flag"]["anyOf"][0]["enum"] == [True, False]
    assert "True" in props["flag"]["anyOf"][1]["enum"]
    assert props["description"] == {
        "type": "string",
        "format": "printable",
        "minLength": 0,
        "maxLength": 255,
        "nullable": True,
    }
    assert props["volume_type"] == {"type": "string", "minLength": 1, "maxLength": 255, "nullable": True}
    assert props["metadata"]["additionalProperties"] == {"type": "string", "maxLength": 255}
    assert "patternProperties" not in props["metadata"]
    assert props["kind"] == {"enum": ["x"]}
    assert props["boot_index"]["anyOf"] == [
        {"type": "integer", "nullable": True},
        {"type": "string", "pattern": "^-?[0-9]+$", "nullable": True},
    ]
    named = Component("Thing", {"type": "string"})
    assert to_openapi({"items": named}, lambda component: {"$ref": f"#/{component.name}"}) == {
        "items": {"$ref": "#/Thing"}
    }


# --- serving it ---------------------------------------------------------------------------


def test_schema_is_public_yaml_or_json(client):
    clear_schema_cache()
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    document = yaml.safe_load(response.content)
    assert "/compute/v2.1/servers" in document["paths"]
    as_json = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert as_json.status_code == 200 and as_json.json()["info"]["title"] == "novasite"
    assert client.get("/api/schema/?format=json").json()["paths"].keys() == document["paths"].keys()
    # A bad token does not matter: the schema reads none.
    assert client.get("/api/schema/", HTTP_X_AUTH_TOKEN="not-a-token").status_code == 200


def test_docs_render_with_local_assets_only(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "SwaggerUIBundle" in html and 'url: "/api/schema/"' in html
    assert re.search(r"https?://", html) is None  # nothing from the internet
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset  # collectstatic will serve it
