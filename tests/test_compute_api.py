"""Compute API over HTTP without workers: version documents, flavors, validation (400),
unknown ids (404), microversions, and what create writes before the conductor runs."""

from __future__ import annotations

import uuid

import pytest

from hosts.models import Allocation
from novasite.demo import CIRROS_IMAGE_ID
from servers.models import InstanceAction, QuotaUsage, Server

pytestmark = pytest.mark.django_db


def create_body(**overrides):
    server = {"name": "vm1", "imageRef": str(CIRROS_IMAGE_ID), "flavorRef": "42", "networks": []}
    server.update(overrides)
    return {"server": server}


def test_version_documents(client):
    root = client.get("/compute")
    assert root.status_code == 200
    assert [v["id"] for v in root.json()["versions"]] == ["v2.0", "v2.1"]
    v21 = client.get("/compute/v2.1").json()["version"]
    assert v21["version"] == "2.104" and v21["min_version"] == "2.1"
    assert client.get("/image").status_code == 300
    assert client.get("/network").json()["versions"][0]["id"] == "v2.0"


def test_flavors_list_detail_and_show(demo_api):
    names = [f["name"] for f in demo_api.get("/compute/v2.1/flavors").json()["flavors"]]
    assert set(names) == {"m1.tiny", "m1.small", "m1.medium", "cirros"}
    detail = {f["name"]: f for f in demo_api.get("/compute/v2.1/flavors/detail").json()["flavors"]}
    assert detail["cirros"]["vcpus"] == 1 and detail["cirros"]["ram"] == 128 and detail["cirros"]["disk"] == 1
    assert demo_api.get("/compute/v2.1/flavors/42").json()["flavor"]["name"] == "cirros"
    missing = demo_api.get("/compute/v2.1/flavors/nope")
    assert missing.status_code == 404 and missing.json()["itemNotFound"]["code"] == 404


def test_images_and_networks_by_name(demo_api):
    images = demo_api.get("/image/v2/images", {"name": "cirros"}).json()["images"]
    assert [image["id"] for image in images] == [str(CIRROS_IMAGE_ID)]
    assert demo_api.get(f"/image/v2/images/{CIRROS_IMAGE_ID}").json()["status"] == "active"
    assert demo_api.get("/image/v2/images/cirros").status_code == 404
    assert demo_api.get("/image/v2/images", {"name": "nothing"}).json()["images"] == []
    networks = demo_api.get("/network/v2.0/networks", {"name": "provider"}).json()["networks"]
    assert len(networks) == 1 and networks[0]["shared"] is True
    assert demo_api.get(f"/network/v2.0/networks/{networks[0]['id']}").status_code == 200
    missing = demo_api.get("/network/v2.0/networks/provider")
    assert missing.status_code == 404 and "NeutronError" in missing.json()


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({}, "server"),
        ({"server": "x"}, "server"),
        (create_body(name=""), "name"),
        (create_body(name=" padded "), "name"),
        (create_body(flavorRef="999"), "Flavor 999 could not be found"),
        (create_body(imageRef="not-a-uuid"), "imageRef"),
        (create_body(imageRef=str(uuid.uuid4())), "could not be found"),
        (create_body(networks="everything"), "networks"),
        (create_body(networks=[{"uuid": "nope"}]), "networks"),
        (create_body(networks=[{"uuid": str(uuid.uuid4())}]), "could not be found"),
        (create_body(min_count=0), "min_count"),
        (create_body(min_count=3, max_count=2), "min_count"),
        (create_body(availability_zone="atlantis"), "availability zone"),
        (create_body(metadata={"k": {"nested": 1}}), "is not of type 'string'"),
        (create_body(key_name="missing"), "key_name"),
    ],
)
def test_create_rejects_bad_input_with_400(demo_api, body, fragment):
    response = demo_api.post("/compute/v2.1/servers", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["badRequest"]
    assert error["code"] == 400 and fragment in error["message"]
    assert not Server.objects.exists()
    assert not QuotaUsage.objects.filter(in_use__gt=0).exists()


def test_create_rejects_malformed_json(demo_api):
    response = demo_api.generic("POST", "/compute/v2.1/servers", "{not json", content_type="application/json")
    assert response.status_code == 400 and "badRequest" in response.json()


def test_networks_are_required_from_2_37(demo_api):
    body = create_body()
    del body["server"]["networks"]
    response = demo_api.post("/compute/v2.1/servers", body, format="json", HTTP_OPENSTACK_API_VERSION="compute 2.37")
    assert response.status_code == 400 and "networks" in response.json()["badRequest"]["message"]


def test_create_answers_202_and_writes_a_building_server(demo_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = demo_api.post("/compute/v2.1/servers", create_body(), format="json")
    assert response.status_code == 202
    server_id = response.json()["server"]["id"]
    assert response["Location"].endswith(f"/servers/{server_id}")
    server = Server.objects.get(uuid=server_id)
    assert (server.vm_state, server.task_state) == ("building", "scheduling")
    assert InstanceAction.objects.get(server=server).action == "create"
    usage = dict(QuotaUsage.objects.filter(project_id=server.project_id).values_list("resource", "in_use"))
    assert usage == {"instances": 1, "cores": 1, "ram": 128}
    assert len(callbacks) == 1  # the build (scheduler, then conductor) is published after commit
    shown = demo_api.get(f"/compute/v2.1/servers/{server_id}").json()["server"]
    assert shown["status"] == "BUILD" and shown["OS-EXT-STS:task_state"] == "scheduling"
    assert "OS-EXT-SRV-ATTR:host" not in shown  # admin-only attribute


def test_create_answers_with_an_admin_password(demo_api, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        generated = demo_api.post("/compute/v2.1/servers", create_body(), format="json").json()["server"]
        given = demo_api.post("/compute/v2.1/servers", create_body(adminPass="Chosen-1"), format="json")
    password = generated["adminPass"]
    assert len(password) == 12 and password.isalnum() and not set(password) & set("0O1lI")
    assert given.json()["server"]["adminPass"] == "Chosen-1"
    settings.ENABLE_INSTANCE_PASSWORD = False
    with django_capture_on_commit_callbacks(execute=False):
        quiet = demo_api.post("/compute/v2.1/servers", create_body(), format="json").json()["server"]
    assert "adminPass" not in quiet


def test_quota_is_enforced_atomically(demo_api, settings):
    settings.QUOTA_DEFAULTS = {**settings.QUOTA_DEFAULTS, "instances": 1}
    assert demo_api.post("/compute/v2.1/servers", create_body(), format="json").status_code == 202
    over = demo_api.post("/compute/v2.1/servers", create_body(name="vm2"), format="json")
    assert over.status_code == 403 and "Quota exceeded for instances" in over.json()["forbidden"]["message"]
    assert Server.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/compute/v2.1/servers/not-a-uuid",
        f"/compute/v2.1/servers/{uuid.uuid4()}",
    ],
)
def test_unknown_servers_are_404(demo_api, path):
    for method in (demo_api.get, demo_api.delete):
        response = method(path)
        assert response.status_code == 404
        assert response.json()["itemNotFound"]["code"] == 404


def test_other_projects_servers_are_404(admin_api, demo_api):
    server_id = admin_api.post("/compute/v2.1/servers", create_body(), format="json").json()["server"]["id"]
    assert demo_api.get(f"/compute/v2.1/servers/{server_id}").status_code == 404
    assert demo_api.delete(f"/compute/v2.1/servers/{server_id}").status_code == 404
    assert demo_api.get("/compute/v2.1/servers").json()["servers"] == []
    assert admin_api.get(f"/compute/v2.1/servers/{server_id}").status_code == 200


def test_microversions(demo_api):
    response = demo_api.get("/compute/v2.1/servers", HTTP_OPENSTACK_API_VERSION="compute 2.53")
    assert response["OpenStack-API-Version"] == "compute 2.53"
    legacy = demo_api.get("/compute/v2.1/servers", HTTP_X_OPENSTACK_NOVA_API_VERSION="2.10")
    assert legacy["X-OpenStack-Nova-API-Version"] == "2.10"
    assert demo_api.get("/compute/v2.1/servers")["OpenStack-API-Version"] == "compute 2.1"
    too_new = demo_api.get("/compute/v2.1/servers", HTTP_OPENSTACK_API_VERSION="compute 2.200")
    assert too_new.status_code == 406
    assert demo_api.get("/compute/v2.1/servers", HTTP_OPENSTACK_API_VERSION="compute 2.x").status_code == 400


def test_embedded_flavor_from_2_47(demo_api):
    server_id = demo_api.post("/compute/v2.1/servers", create_body(), format="json").json()["server"]["id"]
    old = demo_api.get(f"/compute/v2.1/servers/{server_id}").json()["server"]["flavor"]
    assert old["id"] == "42"
    new = demo_api.get(f"/compute/v2.1/servers/{server_id}", HTTP_OPENSTACK_API_VERSION="compute 2.47").json()[
        "server"
    ]["flavor"]
    assert new["original_name"] == "cirros" and new["ram"] == 128


def test_delete_of_an_unscheduled_server_sets_deleting(demo_api):
    server_id = demo_api.post("/compute/v2.1/servers", create_body(), format="json").json()["server"]["id"]
    assert demo_api.delete(f"/compute/v2.1/servers/{server_id}").status_code == 204
    assert Server.objects.get(uuid=server_id).task_state == "deleting"
    assert not Allocation.objects.exists()


def test_server_group_members_quota(demo_api, settings):
    from servers.models import ServerGroup

    settings.QUOTA_DEFAULTS = {**settings.QUOTA_DEFAULTS, "server_group_members": 2}
    group = demo_api.post(
        "/compute/v2.1/os-server-groups", {"server_group": {"name": "g", "policies": ["anti-affinity"]}}, format="json"
    )
    assert group.status_code == 200, group.content
    hints = {"group": group.json()["server_group"]["id"]}
    body = {**create_body(), "os:scheduler_hints": hints}
    for _ in range(2):
        assert demo_api.post("/compute/v2.1/servers", body, format="json").status_code == 202
    over = demo_api.post("/compute/v2.1/servers", body, format="json")
    assert over.status_code == 403 and "too many servers in group" in over.json()["forbidden"]["message"]
    assert ServerGroup.objects.get().members.count() == 2


@pytest.mark.parametrize(
    "path, code",
    [
        ("/compute/v2.1/servers/a%00b", 404),
        ("/compute/v2.1/servers?name=a%00b", 400),
        ("/image/v2/images?name=a%00b", 400),
        ("/network/v2.0/networks?name=a%00", 400),
        ("/identity/v3/projects?name=a%00", 400),
    ],
)
def test_nul_characters_are_refused_by_every_service(demo_api, path, code):
    # Asking for JSON, as Tempest does: Glance's webob answers */* with an HTML page.
    response = demo_api.get(path, HTTP_ACCEPT="application/json")
    assert response.status_code == code
    assert response["Content-Type"] == "application/json"


def test_nul_in_a_json_body_is_400(demo_api):
    response = demo_api.generic(
        "POST", "/compute/v2.1/servers", '{"server": {"name": "a\\u0000"}}', content_type="application/json"
    )
    assert response.status_code == 400 and "badRequest" in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/compute/v2.1/servers",
        "/image/v2/images",
        "/network/v2.0/networks",
        "/identity/v3/projects",
        "/compute/v2.1/flavors",
    ],
)
@pytest.mark.parametrize("accept", ["", "text/html", "application/xml"])
def test_every_service_answers_json_whatever_the_accept_header(demo_api, path, accept):
    response = demo_api.get(path, HTTP_ACCEPT=accept)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")


def test_all_tenants_is_admin_only(demo_api, admin_api):
    response = demo_api.get("/compute/v2.1/servers", {"all_tenants": "1"})
    assert response.status_code == 403 and "forbidden" in response.json()
    assert demo_api.get("/compute/v2.1/servers", {"all_tenants": "0"}).status_code == 200
    assert admin_api.get("/compute/v2.1/servers/detail", {"all_tenants": "1"}).status_code == 200


@pytest.mark.parametrize(
    ("name", "hostname"),
    [
        ("guest-instance-1.domain.com", "guest-instance-1-domain-com"),
        ("My_Server 2", "my-server-2"),
        ("..héllo☃!..", "héllo"),
        ("x" * 70, "x" * 63),
    ],
)
def test_hostname_is_sanitized_from_the_name_as_nova(demo_api, django_capture_on_commit_callbacks, name, hostname):
    with django_capture_on_commit_callbacks(execute=False):
        server_id = demo_api.post("/compute/v2.1/servers", create_body(name=name), format="json").json()["server"]["id"]
    assert Server.objects.get(uuid=server_id).hostname == hostname


def test_a_name_with_nothing_left_gets_nova_default_hostname(demo_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        server_id = demo_api.post("/compute/v2.1/servers", create_body(name="☃☃"), format="json").json()["server"]["id"]
    assert Server.objects.get(uuid=server_id).hostname == f"Server-{server_id}"


def test_create_gives_the_server_its_tags_from_2_52(demo_api, django_capture_on_commit_callbacks):
    headers = {"HTTP_OPENSTACK_API_VERSION": "compute 2.52"}
    with django_capture_on_commit_callbacks(execute=False):
        created = demo_api.post(
            "/compute/v2.1/servers",
            {"server": {**create_body()["server"], "networks": "none", "tags": ["b", "a", "b"]}},
            format="json",
            **headers,
        )
    assert created.status_code == 202, created.content
    server_id = created.json()["server"]["id"]
    assert demo_api.get(f"/compute/v2.1/servers/{server_id}", **headers).json()["server"]["tags"] == ["a", "b"]
    assert demo_api.get(f"/compute/v2.1/servers/{server_id}/tags", **headers).json()["tags"] == ["a", "b"]
    bad = {"server": {**create_body()["server"], "networks": "none", "tags": ["a/b"]}}
    assert demo_api.post("/compute/v2.1/servers", bad, format="json", **headers).status_code == 400
    early = {"server": {**create_body()["server"], "networks": "none", "tags": ["a"]}}
    assert (
        demo_api.post(
            "/compute/v2.1/servers", early, format="json", HTTP_OPENSTACK_API_VERSION="compute 2.51"
        ).status_code
        == 400
    )


def test_create_on_a_named_host_is_for_admins_and_needs_a_known_host(
    admin_api, demo_api, django_capture_on_commit_callbacks
):
    from scheduling.testing import make_host

    node = make_host("c9")
    v274 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.74"}

    def body(**destination):
        return {"server": {**create_body()["server"], "networks": "none", **destination}}

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = admin_api.post(
            "/compute/v2.1/servers",
            body(host="c9", hypervisor_hostname=node.hypervisor_hostname),
            format="json",
            **v274,
        )
    assert created.status_code == 202, created.content
    assert len(callbacks) == 1
    refused = demo_api.post("/compute/v2.1/servers", body(host="c9"), format="json", **v274)
    assert refused.status_code == 403
    unknown = admin_api.post("/compute/v2.1/servers", body(host="nowhere"), format="json", **v274)
    assert (
        unknown.status_code == 400
        and "Compute host nowhere could not be found." in unknown.json()["badRequest"]["message"]
    )
    mismatched = admin_api.post(
        "/compute/v2.1/servers", body(host="c9", hypervisor_hostname="other"), format="json", **v274
    )
    assert mismatched.status_code == 400
    early = admin_api.post(
        "/compute/v2.1/servers", body(host="c9"), format="json", HTTP_OPENSTACK_API_VERSION="compute 2.73"
    )
    assert early.status_code == 400
    assert Server.objects.count() == 1


def test_auto_network_takes_the_one_available_and_is_ambiguous_with_two(
    demo_api, admin_api, django_capture_on_commit_callbacks
):
    """Nova's available networks for "auto": the project's own and the shared ones, never an
    external one, whoever asks; two of them is NetworkAmbiguous (409)."""
    from networks.models import Network

    v237 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.37"}
    body = {"server": {**create_body()["server"], "networks": "auto"}}
    (shared,) = Network.objects.filter(external=False)
    external = admin_api.post(
        "/network/v2.0/networks", {"network": {"name": "public", "router:external": True}}, format="json"
    )
    assert external.status_code == 201
    with django_capture_on_commit_callbacks(execute=False):
        created = demo_api.post("/compute/v2.1/servers", body, format="json", **v237)
        by_admin = admin_api.post("/compute/v2.1/servers", body, format="json", **v237)
    assert (created.status_code, by_admin.status_code) == (202, 202), (created.content, by_admin.content)
    for response in (created, by_admin):
        server = Server.objects.get(uuid=response.json()["server"]["id"])
        assert server.requested_networks == [{"uuid": str(shared.id)}]
    assert demo_api.post("/network/v2.0/networks", {"network": {"name": "private"}}, format="json").status_code == 201
    ambiguous = demo_api.post("/compute/v2.1/servers", body, format="json", **v237)
    assert ambiguous.status_code == 409
    assert ambiguous.json()["conflictingRequest"]["message"] == (
        "Multiple possible networks found, use a Network ID to be more specific."
    )
