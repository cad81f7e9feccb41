"""What Tempest's dynamic credentials do through the Identity API (tempest/lib/common/
dynamic_creds.py, cred_client.py V3CredsClient, services/identity/v3/token_client.py), step by
step, and the role semantics its compute tests rely on: the bootstrap roles, a reader that may
read but not write (Nova's project_reader_or_admin / project_member_or_admin), a manager that
is a member too, and the cleanup that deletes users and projects."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

V3 = "/identity/v3"
COMPUTE = "/compute/v2.1"


def token_for(user_id: str, password: str, project_id: str) -> str:
    """Tempest's token_client.auth(user_id=..., password=..., project_id=..., *_domain_id=...)."""
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"id": user_id, "password": password, "domain": {"id": "default"}}},
            },
            "scope": {"project": {"id": project_id, "domain": {"id": "default"}}},
        }
    }
    response = APIClient().post(f"{V3}/auth/tokens", body, format="json")
    assert response.status_code == 201, response.content
    return response["X-Subject-Token"]


def client(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_X_AUTH_TOKEN=token)
    return api


def create_credentials(admin_api: APIClient, project: dict, name: str, role: str, **extra) -> APIClient:
    """V3CredsClient.create_user, then assign_user_role (the role found in GET /v3/roles by a
    case-insensitive name), then a token for the new user."""
    body = {"user": {"name": name, "password": "Pa55word", "domain_id": "default", **extra}}
    created = admin_api.post(f"{V3}/users", body, format="json")
    assert created.status_code == 201, created.content
    user = created.json()["user"]
    roles = admin_api.get(f"{V3}/roles").json()["roles"]
    role_id = next(r["id"] for r in roles if r["name"].lower() == role)
    grant = f"{V3}/projects/{project['id']}/users/{user['id']}/roles/{role_id}"
    assert admin_api.put(grant).status_code == 204
    api = client(token_for(user["id"], "Pa55word", project["id"]))
    api.user_id = user["id"]  # type: ignore[attr-defined]
    return api


@pytest.fixture
def project(admin_api) -> dict:
    """V3CredsClient: the Default domain looked up by name, then a project in it."""
    [domain] = admin_api.get(f"{V3}/domains", {"name": "Default"}).json()["domains"]
    body = {"project": {"name": "tempest-X", "description": "tempest-X-desc", "domain_id": domain["id"]}}
    created = admin_api.post(f"{V3}/projects", body, format="json")
    assert created.status_code == 201, created.content
    return created.json()["project"]


def test_the_roles_tempest_asks_for_exist(admin_api):
    names = {role["name"] for role in admin_api.get(f"{V3}/roles").json()["roles"]}
    assert {"admin", "manager", "member", "reader"} <= names
    for name in ("member", "reader", "manager"):
        assert [r["name"] for r in admin_api.get(f"{V3}/roles", {"name": name}).json()["roles"]] == [name]


def test_users_keep_default_project_email_and_description(admin_api, project):
    extra = {"default_project_id": project["id"], "email": "t@example.com", "description": "tempest user"}
    body = {"user": {"name": "described", "password": "pw", "domain_id": "default", **extra}}
    user = admin_api.post(f"{V3}/users", body, format="json").json()["user"]
    assert {key: user[key] for key in extra} == extra
    assert admin_api.get(f"{V3}/users/{user['id']}").json()["user"]["description"] == "tempest user"
    changed = admin_api.patch(f"{V3}/users/{user['id']}", {"user": {"description": "new"}}, format="json")
    assert changed.json()["user"]["description"] == "new"
    plain = admin_api.post(f"{V3}/users", {"user": {"name": "plain"}}, format="json").json()["user"]
    assert "description" not in plain and "email" not in plain and "default_project_id" not in plain


def test_primary_reader_and_manager_in_one_project(admin_api, project):
    primary = create_credentials(admin_api, project, "tempest-X-project-member", "member")
    reader = create_credentials(admin_api, project, "tempest-X-project-reader", "reader")
    manager = create_credentials(admin_api, project, "tempest-X-project-manager", "manager")

    group = {"server_group": {"name": "g", "policies": ["affinity"]}}
    made = primary.post(f"{COMPUTE}/os-server-groups", group, format="json")
    assert made.status_code == 200, made.content
    group_id = made.json()["server_group"]["id"]
    # The reader reads what the project has...
    for path in (
        "/servers",
        "/servers/detail",
        "/flavors",
        "/os-server-groups",
        f"/os-server-groups/{group_id}",
        "/limits",
    ):
        assert reader.get(COMPUTE + path).status_code == 200, path
    assert reader.get("/network/v2.0/networks").status_code == 200
    assert reader.get("/image/v2/images").status_code == 200
    # ... and changes nothing (Nova's project_member_or_admin; Neutron and Glance alike).
    refused = reader.post(f"{COMPUTE}/os-server-groups", group, format="json")
    assert refused.status_code == 403
    assert refused.json() == {
        "forbidden": {"code": 403, "message": "Policy doesn't allow project_member_or_admin to be performed."}
    }
    assert reader.delete(f"{COMPUTE}/os-server-groups/{group_id}").status_code == 403
    assert reader.post(f"{COMPUTE}/servers", {"server": {}}, format="json").status_code == 403
    network = reader.post("/network/v2.0/networks", {"network": {"name": "n"}}, format="json")
    assert network.status_code == 403 and network.json()["NeutronError"]["type"] == "PolicyNotAuthorized"
    # The manager role implies member: a manager may change the project's resources.
    assert manager.delete(f"{COMPUTE}/os-server-groups/{group_id}").status_code == 204


def test_cleanup_deletes_users_and_then_the_project(admin_api, project):
    primary = create_credentials(admin_api, project, "tempest-X-project", "member")
    made = primary.post(
        f"{COMPUTE}/os-server-groups", {"server_group": {"name": "g", "policies": ["affinity"]}}, format="json"
    )
    group_id = made.json()["server_group"]["id"]

    assert admin_api.delete(f"{V3}/users/{primary.user_id}").status_code == 204  # type: ignore[attr-defined]
    # Deleting a user ends its sessions, everywhere.
    assert primary.get(f"{COMPUTE}/servers").status_code == 401
    assert primary.get(f"{V3}/auth/projects").status_code == 401
    assert admin_api.delete(f"{V3}/users/{primary.user_id}").status_code == 404  # type: ignore[attr-defined]

    # As in Keystone, which knows nothing of servers or groups, the project goes and what it
    # owned stays, orphaned, for an admin to find.
    assert admin_api.delete(f"{V3}/projects/{project['id']}").status_code == 204
    assert admin_api.get(f"{V3}/projects/{project['id']}").status_code == 404
    assert admin_api.delete(f"{V3}/projects/{project['id']}").status_code == 404
    every = admin_api.get(f"{COMPUTE}/os-server-groups", {"all_projects": "True"}).json()["server_groups"]
    assert group_id in {group["id"] for group in every}
