"""Identity v3: projects, users, roles, role assignments and domains (Keystone wire format)."""

from __future__ import annotations

import pytest
from django.urls import include, path
from rest_framework.test import APIClient

from identity.models import Project, Role, User

from .conftest import issue_token

# Only the identity service is mounted: these tests do not depend on the other services' URLs.
urlpatterns = [path("identity", include("identity.urls"))]
handler404 = "core.errors.handler404"
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
V3 = "/identity/v3"


def ids(entries: list[dict]) -> set[str]:
    return {entry["id"] for entry in entries}


def test_admin_lists_and_filters_projects(admin_api):
    body = admin_api.get(f"{V3}/projects").json()
    assert {p["name"] for p in body["projects"]} >= {"admin", "demo"}
    assert body["links"]["previous"] is None and body["links"]["next"] is None
    assert body["links"]["self"].endswith("/identity/v3/projects")
    named = admin_api.get(f"{V3}/projects", {"name": "demo"}).json()["projects"]
    assert [p["name"] for p in named] == ["demo"]
    assert named[0]["domain_id"] == "default" and named[0]["enabled"] is True
    assert named[0]["links"]["self"].endswith(f"/identity/v3/projects/{named[0]['id']}")
    assert admin_api.get(f"{V3}/projects", {"enabled": "false"}).json()["projects"] == []
    assert admin_api.get(f"{V3}/projects", {"domain_id": "other"}).json()["projects"] == []


def test_project_lookup_by_name_is_404_then_list(admin_api):
    missing = admin_api.get(f"{V3}/projects/demo")
    assert missing.status_code == 404
    assert missing.json()["error"] == {"code": 404, "title": "Not Found", "message": "Could not find project: demo."}


def test_members_see_only_their_projects(demo_api):
    projects = demo_api.get(f"{V3}/projects").json()["projects"]
    assert [p["name"] for p in projects] == ["demo"]
    admin_project = Project.objects.get(name="admin")
    assert demo_api.get(f"{V3}/projects/{admin_project.id}").status_code == 403
    demo_project = Project.objects.get(name="demo")
    assert demo_api.get(f"{V3}/projects/{demo_project.id}").status_code == 200


def test_project_create_update_delete(admin_api):
    created = admin_api.post(f"{V3}/projects", {"project": {"name": "project_cli", "enabled": True}}, format="json")
    assert created.status_code == 201
    project = created.json()["project"]
    assert project["name"] == "project_cli" and project["domain_id"] == "default"
    duplicate = admin_api.post(f"{V3}/projects", {"project": {"name": "project_cli"}}, format="json")
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == 409
    patched = admin_api.patch(
        f"{V3}/projects/{project['id']}", {"project": {"description": "lab", "enabled": False}}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["project"]["description"] == "lab" and patched.json()["project"]["enabled"] is False
    assert admin_api.delete(f"{V3}/projects/{project['id']}").status_code == 204
    assert admin_api.get(f"{V3}/projects/{project['id']}").status_code == 404
    assert admin_api.delete(f"{V3}/projects/{project['id']}").status_code == 404


def test_deleting_a_project_with_tokens_and_grants_works(admin_api):
    user = User.objects.get(name="demo")
    project = Project.objects.get(name="demo")
    client = APIClient()
    issue_token(client, "demo", "demo")
    assert admin_api.delete(f"{V3}/projects/{project.id}").status_code == 204
    user.refresh_from_db()
    assert user.default_project_id is None and not user.tokens.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        "x",
        {"project": "x"},
        {"project": {}},
        {"project": {"name": ""}},
        {"project": {"name": 5}},
        {"project": {"name": "x" * 65}},
        {"project": {"name": "p", "enabled": "yes"}},
        {"project": {"name": "p", "domain_id": "elsewhere"}},
    ],
)
def test_malformed_project_bodies_are_400(admin_api, body):
    response = admin_api.post(f"{V3}/projects", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == 400


def test_invalid_json_is_400(admin_api):
    response = admin_api.generic("POST", f"{V3}/projects", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == 400


def test_members_cannot_write_identity(demo_api):
    demo = Project.objects.get(name="demo")
    user = User.objects.get(name="demo")
    role = Role.objects.get(name="admin")
    calls = [
        ("create_project", demo_api.post(f"{V3}/projects", {"project": {"name": "x"}}, format="json")),
        ("update_project", demo_api.patch(f"{V3}/projects/{demo.id}", {"project": {"name": "x"}}, format="json")),
        ("delete_project", demo_api.delete(f"{V3}/projects/{demo.id}")),
        ("list_users", demo_api.get(f"{V3}/users")),
        ("create_user", demo_api.post(f"{V3}/users", {"user": {"name": "x"}}, format="json")),
        ("create_role", demo_api.post(f"{V3}/roles", {"role": {"name": "x"}}, format="json")),
        ("create_grant", demo_api.put(f"{V3}/projects/{demo.id}/users/{user.id}/roles/{role.id}")),
        ("list_role_assignments", demo_api.get(f"{V3}/role_assignments")),
    ]
    for rule, response in calls:
        assert response.status_code == 403, response.content
        assert response.json()["error"] == {
            "code": 403,
            "title": "Forbidden",
            "message": f"You are not authorized to perform the requested action: identity:{rule}.",
        }


def test_identity_needs_a_token(cloud):
    client = APIClient()
    response = client.get(f"{V3}/projects")
    assert response.status_code == 401 and response.json()["error"]["code"] == 401
    client.credentials(HTTP_X_AUTH_TOKEN="bad")
    assert client.get(f"{V3}/users").status_code == 401


def test_user_lifecycle_and_login(admin_api):
    demo = Project.objects.get(name="demo")
    created = admin_api.post(
        f"{V3}/users",
        {
            "user": {
                "name": "alice",
                "password": "pw1",
                "email": "a@example.com",
                "default_project_id": demo.id,
            }
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    alice = created.json()["user"]
    assert "password" not in alice and alice["default_project_id"] == demo.id
    assert User.objects.get(id=alice["id"]).password != "pw1"
    assert admin_api.post(f"{V3}/users", {"user": {"name": "alice"}}, format="json").status_code == 409
    assert [u["id"] for u in admin_api.get(f"{V3}/users", {"name": "alice"}).json()["users"]] == [alice["id"]]

    member = Role.objects.get(name="member")
    grant = f"{V3}/projects/{demo.id}/users/{alice['id']}/roles/{member.id}"
    assert admin_api.head(grant).status_code == 404
    assert admin_api.put(grant).status_code == 204
    assert admin_api.head(grant).status_code == 204
    assert admin_api.get(grant).status_code == 204
    roles = admin_api.get(f"{V3}/projects/{demo.id}/users/{alice['id']}/roles").json()["roles"]
    assert [r["name"] for r in roles] == ["member"]

    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=issue_token(client, "alice", "demo", password="pw1"))
    own = client.get(f"{V3}/users/{alice['id']}/projects")
    assert own.status_code == 200 and [p["name"] for p in own.json()["projects"]] == ["demo"]
    assert client.get(f"{V3}/users/{alice['id']}").status_code == 200
    admin_user = User.objects.get(name="admin")
    assert client.get(f"{V3}/users/{admin_user.id}").status_code == 403
    refused = client.get(f"{V3}/users/{admin_user.id}/projects")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"].endswith("requested action: identity:list_user_projects.")

    patched = admin_api.patch(
        f"{V3}/users/{alice['id']}", {"user": {"password": "pw2", "enabled": True}}, format="json"
    )
    assert patched.status_code == 200
    assert client.get(f"{V3}/users/{alice['id']}").status_code == 401  # old sessions end
    issue_token(APIClient(), "alice", "demo", password="pw2")

    assert admin_api.patch(f"{V3}/users/{alice['id']}", {"user": {"enabled": "no"}}, format="json").status_code == 400
    assert (
        admin_api.patch(
            f"{V3}/users/{alice['id']}", {"user": {"default_project_id": "nope"}}, format="json"
        ).status_code
        == 404
    )
    assert admin_api.delete(grant).status_code == 204
    assert admin_api.delete(grant).status_code == 404
    assert admin_api.delete(f"{V3}/users/{alice['id']}").status_code == 204
    assert admin_api.get(f"{V3}/users/{alice['id']}").status_code == 404


def test_roles_and_role_assignments(admin_api):
    roles = admin_api.get(f"{V3}/roles").json()["roles"]
    assert {r["name"] for r in roles} == {
        "admin",
        "manager",
        "member",
        "reader",
        "service",
    }  # keystone-manage bootstrap's
    assert [r["name"] for r in admin_api.get(f"{V3}/roles", {"name": "reader"}).json()["roles"]] == ["reader"]
    created = admin_api.post(f"{V3}/roles", {"role": {"name": "operator"}}, format="json")
    assert created.status_code == 201
    role_id = created.json()["role"]["id"]
    assert admin_api.post(f"{V3}/roles", {"role": {"name": "operator"}}, format="json").status_code == 409
    assert admin_api.get(f"{V3}/roles/{role_id}").json()["role"]["name"] == "operator"
    assert admin_api.delete(f"{V3}/roles/{role_id}").status_code == 204
    assert admin_api.get(f"{V3}/roles/{role_id}").status_code == 404

    demo = Project.objects.get(name="demo")
    listing = admin_api.get(f"{V3}/role_assignments", {"scope.project.id": demo.id}).json()
    member = Role.objects.get(name="member")
    demo_user = User.objects.get(name="demo")
    assert listing["role_assignments"] == [
        {
            "role": {"id": member.id},
            "user": {"id": demo_user.id},
            "scope": {"project": {"id": demo.id}},
            "links": {
                "assignment": f"http://testserver/identity/v3/projects/{demo.id}/users/{demo_user.id}/roles/{member.id}"
            },
        }
    ]
    by_user = admin_api.get(f"{V3}/role_assignments", {"user.id": demo_user.id, "role.id": "nope"}).json()
    assert by_user["role_assignments"] == []


def test_unknown_parts_of_a_grant_are_404(admin_api):
    demo = Project.objects.get(name="demo")
    user = User.objects.get(name="demo")
    assert admin_api.put(f"{V3}/projects/{demo.id}/users/{user.id}/roles/nope").status_code == 404
    assert admin_api.put(f"{V3}/projects/nope/users/{user.id}/roles/nope").status_code == 404


def test_default_domain(demo_api):
    domain = demo_api.get(f"{V3}/domains/default").json()["domain"]
    assert domain["id"] == "default" and domain["name"] == "Default"
    assert demo_api.get(f"{V3}/domains/Default").status_code == 200
    assert [d["id"] for d in demo_api.get(f"{V3}/domains", {"name": "Default"}).json()["domains"]] == ["default"]
    assert demo_api.get(f"{V3}/domains", {"name": "Other"}).json()["domains"] == []
    assert demo_api.get(f"{V3}/domains/other").status_code == 404


def test_role_assignments_with_names(admin_api):
    demo_user = User.objects.get(name="demo")
    entries = admin_api.get(f"{V3}/role_assignments", {"user.id": demo_user.id, "include_names": "True"}).json()
    entry = entries["role_assignments"][0]
    assert entry["role"]["name"] == "member" and entry["user"]["name"] == "demo"
    assert entry["scope"]["project"]["name"] == "demo" and entry["user"]["domain"]["id"] == "default"


def test_users_change_their_own_password(demo_api, admin_api):
    demo_user = User.objects.get(name="demo")
    url = f"{V3}/users/{demo_user.id}/password"
    wrong = demo_api.post(url, {"user": {"original_password": "nope", "password": "new"}}, format="json")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == 401
    assert demo_api.post(url, {"user": {"password": "new"}}, format="json").status_code == 400
    assert (
        admin_api.post(url, {"user": {"original_password": "secret", "password": "x"}}, format="json").status_code
        == 403
    )
    assert (
        demo_api.post(url, {"user": {"original_password": "secret", "password": "new"}}, format="json").status_code
        == 204
    )
    assert demo_api.get(f"{V3}/projects").status_code == 401
    issue_token(APIClient(), "demo", "demo", password="new")


def test_deleting_a_role_ends_the_tokens_that_carry_it(admin_api, demo_api):
    member = Role.objects.get(name="member")
    assert admin_api.delete(f"{V3}/roles/{member.id}").status_code == 204
    assert demo_api.get(f"{V3}/projects").status_code == 401
    assert admin_api.get(f"{V3}/projects").status_code == 200


def test_list_filters_follow_keystone(admin_api):
    """Exact matches on the filters given, even empty ones; unknown parameters are ignored;
    a boolean filter is false only for a false word (keystone/common/utils.py attr_as_boolean)."""
    names = lambda path, **params: {e["name"] for e in admin_api.get(f"{V3}/{path}", params).json()[path]}  # noqa: E731
    assert names("projects", name="") == set()
    assert names("projects", color="blue") == names("projects") >= {"admin", "demo"}
    assert names("projects", enabled="") == names("projects", enabled="yes") == names("projects")
    assert names("projects", enabled="f") == names("projects", enabled="0") == set()
    assert names("users", name="demo", domain_id="default") == {"demo"}
    assert names("users", enabled="no") == set()
    assert names("roles", name="") == set()
    demo_user = User.objects.get(name="demo")
    listed = lambda **params: admin_api.get(f"{V3}/role_assignments", params).json()["role_assignments"]  # noqa: E731
    assert listed(**{"user.id": ""}) == []
    assert len(listed(**{"user.id": demo_user.id})) == 1
    assert "name" not in listed(**{"user.id": demo_user.id, "include_names": "0"})[0]["role"]


def test_grants_on_the_domain_give_domain_scoped_tokens(admin_api, demo_api):
    demo, member = User.objects.get(name="demo"), Role.objects.get(name="member")
    grant = f"{V3}/domains/default/users/{demo.id}/roles/{member.id}"
    scope = {"domain": {"id": "default"}}
    login = {"methods": ["password"], "password": {"user": {"id": demo.id, "password": "secret"}}}
    tokens = APIClient()
    assert (
        tokens.post(f"{V3}/auth/tokens", {"auth": {"identity": login, "scope": scope}}, format="json").status_code
        == 401
    )
    assert admin_api.get(grant).status_code == 404
    assert demo_api.put(grant).status_code == 403  # identity:create_grant is the admin's
    assert admin_api.put(grant).status_code == 204
    assert admin_api.put(f"{V3}/domains/Default/users/{demo.id}/roles/{member.id}").status_code == 204  # twice: a no-op
    assert admin_api.head(grant).status_code == 204
    listed = demo_api.get(f"{V3}/domains/default/users/{demo.id}/roles").json()["roles"]
    assert [role["name"] for role in listed] == ["member"]

    issued = tokens.post(f"{V3}/auth/tokens", {"auth": {"identity": login, "scope": scope}}, format="json")
    assert issued.status_code == 201, issued.content
    token = issued.json()["token"]
    assert token["domain"] == {"id": "default", "name": "Default"}
    assert "project" not in token and "is_domain" not in token
    assert sorted(role["name"] for role in token["roles"]) == ["member", "reader"]
    # Cinder's URL names the project: a domain-scoped catalog keeps the service, not its endpoint.
    with_endpoints = sorted(entry["type"] for entry in token["catalog"] if entry["endpoints"])
    assert with_endpoints == ["compute", "identity", "image", "network", "placement"]
    assert [entry["endpoints"] for entry in token["catalog"] if entry["type"] == "volumev3"] == [[]]

    assert admin_api.put(f"{V3}/domains/elsewhere/users/{demo.id}/roles/{member.id}").status_code == 404
    assert admin_api.delete(grant).status_code == 204
    assert admin_api.delete(grant).status_code == 404
    as_domain = APIClient()
    as_domain.credentials(HTTP_X_AUTH_TOKEN=issued["X-Subject-Token"])
    assert as_domain.get(f"{V3}/auth/projects").status_code == 401  # revoked with the grant
