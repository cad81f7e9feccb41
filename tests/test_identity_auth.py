"""POST /v3/auth/tokens as Keystone answers it: the password method by user id or by name in a
domain named by id or name, unscoped tokens, the token method (rescoping), and Keystone's
400/401/404 for every malformed or refused request (keystone/auth/schema.py, keystone/auth/core.py,
keystone/auth/plugins/, keystone/api/_shared/authentication.py)."""

from __future__ import annotations

from datetime import datetime

import pytest
from rest_framework.test import APIClient

from identity.models import Project, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db

TOKENS = "/identity/v3/auth/tokens"
AUTHENTICATION_REQUIRED = "The request you have made requires authentication."
MALFORMED = (
    " The server could not comply with the request since it is either malformed or otherwise incorrect."
    " The client is assumed to be in error."
)


def password(user: dict, scope: object = None, **auth) -> dict:
    body: dict = {"identity": {"methods": ["password"], "password": {"user": user}}, **auth}
    if scope is not None:
        body["scope"] = scope
    return {"auth": body}


def by_token(token: str, scope: object = None) -> dict:
    body: dict = {"identity": {"methods": ["token"], "token": {"id": token}}}
    if scope is not None:
        body["scope"] = scope
    return {"auth": body}


def post(body: object, query: str = ""):
    return APIClient().post(TOKENS + query, body, format="json")


def issued(body: object) -> tuple[str, dict]:
    response = post(body)
    assert response.status_code == 201, response.content
    return response["X-Subject-Token"], response.json()["token"]


def error(response, status: int, message: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert body["code"] == status and body["title"], body
    if message is not None:
        assert body["message"] == message, body
    return body


def as_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=token)
    return client


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def loner(cloud) -> User:
    """A member of demo with no default project (as Tempest's dynamic credentials create them)."""
    user = User(name="loner")
    user.set_password("secret")
    user.save()
    RoleAssignment.objects.create(
        user=user, project=Project.objects.get(name="demo"), role=Role.objects.get(name="member")
    )
    return user


DEMO_SCOPE = {"project": {"name": "demo", "domain": {"id": "default"}}}


def test_password_by_user_id_and_by_name_in_a_domain_named_either_way(loner):
    demo = Project.objects.get(name="demo")
    roles = dict(Role.objects.values_list("name", "id"))
    for user in (
        {"id": loner.id, "password": "secret"},
        {"name": "loner", "domain": {"id": "default"}, "password": "secret"},
        {"name": "loner", "domain": {"name": "Default"}, "password": "secret"},
    ):
        _, token = issued(password(user, {"project": {"id": demo.id}}))
        assert token["methods"] == ["password"]
        assert token["user"] == {
            "id": loner.id,
            "name": "loner",
            "domain": {"id": "default", "name": "Default"},
            "password_expires_at": None,
        }
        assert token["project"] == {"id": demo.id, "name": "demo", "domain": {"id": "default", "name": "Default"}}
        assert token["is_domain"] is False
        # member implies reader; the ids are the roles' own.
        assert token["roles"] == [{"id": roles["member"], "name": "member"}, {"id": roles["reader"], "name": "reader"}]
        assert len(token["audit_ids"]) == 1 and token["catalog"]


@pytest.mark.parametrize(
    "user",
    [
        {"id": "nobody", "password": "secret"},
        {"name": "loner", "domain": {"id": "default"}, "password": "wrong"},
        {"name": "loner", "domain": {"id": "other"}, "password": "secret"},
        {"name": "loner", "domain": {"name": "Other"}, "password": "secret"},
        {"name": "loner", "domain": {"id": "default"}},  # no password
    ],
)
def test_credentials_that_do_not_authenticate_are_401(loner, user):
    response = post(password(user, DEMO_SCOPE))
    error(response, 401, AUTHENTICATION_REQUIRED)
    assert response["WWW-Authenticate"].startswith("Keystone uri=")


def test_a_disabled_user_or_project_is_401(loner):
    loner.enabled = False
    loner.save()
    error(post(password({"id": loner.id, "password": "secret"})), 401, AUTHENTICATION_REQUIRED)
    Project.objects.filter(name="demo").update(enabled=False)
    error(post(password({"name": "demo", "domain": {"id": "default"}, "password": "secret"}, DEMO_SCOPE)), 401)


def test_no_scope_and_no_default_project_gives_an_unscoped_token(loner):
    secret, token = issued(password({"id": loner.id, "password": "secret"}))
    assert set(token) == {"methods", "user", "audit_ids", "expires_at", "issued_at"}
    assert token["methods"] == ["password"] and token["user"]["id"] == loner.id
    # Validating it shows the same document.
    client = as_token(secret)
    shown = client.get(TOKENS, HTTP_X_SUBJECT_TOKEN=secret)
    assert shown.status_code == 200 and shown.json()["token"] == token
    assert shown["X-Subject-Token"] == secret


def test_no_scope_gives_the_default_project_when_the_user_may_use_it(cloud):
    demo = {"name": "demo", "domain": {"name": "Default"}, "password": "secret"}
    _, token = issued(password(demo))
    assert token["project"]["name"] == "demo" and token["catalog"]
    # "unscoped" (a string, or the object older keystoneauth sent) asks for no scope at all.
    scopes: tuple[object, ...] = ("unscoped", {"unscoped": {}})
    for scope in scopes:
        _, token = issued(password(demo, scope))
        assert "project" not in token and "catalog" not in token and "roles" not in token
    # A default project the user holds no role on is not used.
    user = User.objects.get(name="demo")
    user.default_project = Project.objects.get(name="admin")
    user.save()
    _, token = issued(password(demo))
    assert "project" not in token


def test_an_unscoped_token_works_with_identity_and_is_refused_elsewhere(loner):
    secret, _ = issued(password({"id": loner.id, "password": "secret"}))
    client = as_token(secret)
    demo = Project.objects.get(name="demo")
    for path in ("/identity/v3/auth/projects", f"/identity/v3/users/{loner.id}/projects"):
        listed = client.get(path)
        assert listed.status_code == 200, listed.content
        assert [p["id"] for p in listed.json()["projects"]] == [demo.id]
    assert client.get("/identity/v3/auth/domains").json()["domains"] == []
    assert client.get("/identity/v3/auth/system").json()["system"] == []
    error(client.get("/identity/v3/auth/catalog"), 403, "You are not authorized to perform the requested action.")
    error(client.get(f"/identity/v3/projects/{demo.id}"), 403)
    # Every other API acts on the token's project: its default policies refuse a token with none.
    servers = client.get("/compute/v2.1/servers")
    assert servers.status_code == 403, servers.content
    assert servers.json() == {
        "forbidden": {"code": 403, "message": "Policy doesn't allow project_reader_or_admin to be performed."}
    }
    assert client.post("/compute/v2.1/os-keypairs", {"keypair": {"name": "k"}}, format="json").status_code == 403
    assert client.get("/network/v2.0/networks").json()["NeutronError"]["type"] == "PolicyNotAuthorized"
    assert client.get("/image/v2/images").status_code == 403


def test_the_token_method_rescopes_a_token_keeping_its_expiry(loner):
    unscoped, first = issued(password({"id": loner.id, "password": "secret"}))
    demo = Project.objects.get(name="demo")
    secret, token = issued(by_token(unscoped, {"project": {"id": demo.id}}))
    assert token["project"]["id"] == demo.id and token["catalog"]
    assert token["methods"] == ["token", "password"]
    assert token["expires_at"] == first["expires_at"]
    assert token["audit_ids"][1] == first["audit_ids"][0] and token["audit_ids"][0] != first["audit_ids"][0]
    # Rescoping a scoped token works too; the audit chain still names the first token.
    _, again = issued(by_token(secret, {"project": {"name": "demo", "domain": {"name": "Default"}}}))
    assert again["audit_ids"][1] == first["audit_ids"][0]
    assert moment(again["expires_at"]) <= moment(first["expires_at"])
    assert as_token(secret).get("/compute/v2.1/servers").status_code == 200
    # To a project the user holds no role on: 401.
    admin = Project.objects.get(name="admin")
    error(post(by_token(unscoped, {"project": {"id": admin.id}})), 401, AUTHENTICATION_REQUIRED)


def test_the_token_method_needs_a_valid_token(loner):
    unscoped, _ = issued(password({"id": loner.id, "password": "secret"}))
    error(post(by_token("not-a-token", DEMO_SCOPE)), 404, "Could not find token: not-a-token.")
    client = as_token(unscoped)
    assert client.delete(TOKENS, HTTP_X_SUBJECT_TOKEN=unscoped).status_code == 204
    error(post(by_token(unscoped, DEMO_SCOPE)), 404, "Failed to validate token")


def test_nocatalog_leaves_the_catalog_out(cloud):
    response = post(password({"name": "demo", "domain": {"id": "default"}, "password": "secret"}), "?nocatalog")
    assert response.status_code == 201 and "catalog" not in response.json()["token"]


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "Expecting to find auth in request body." + MALFORMED),
        ({"auth": {}}, "'identity' is a required property"),
        ({"auth": "x"}, "'x' is not of type 'object'"),
        ({"auth": {"identity": {}}}, "Invalid input for field 'identity': 'methods' is a required property"),
        (
            {"auth": {"identity": {"methods": "password"}}},
            "Invalid input for field 'identity/methods': 'password' is not of type 'array'",
        ),
        (
            {"auth": {"identity": {"methods": [1]}}},
            "Invalid input for field 'identity/methods/0': 1 is not of type 'string'",
        ),
        ({"auth": {"identity": {"methods": ["token"]}}}, "Expecting to find token in identity." + MALFORMED),
        (
            {"auth": {"identity": {"methods": ["token"], "token": {}}}},
            "Invalid input for field 'identity/token': 'id' is a required property",
        ),
        (
            {"auth": {"identity": {"methods": ["password"], "password": {}}}},
            "Expecting to find user in password." + MALFORMED,
        ),
        (
            password({"password": "secret"}),
            "Invalid input for field identity/password/user: id or name must be present.",
        ),
        (
            password({"id": 7, "password": "secret"}),
            "Invalid input for field 'identity/password/user/id': 7 is not of type 'string'",
        ),
        (password({"name": "demo", "password": "secret"}), "Expecting to find domain in user." + MALFORMED),
        (
            password({"name": "demo", "domain": {}, "password": "secret"}),
            "Invalid input for field identity/password/user/domain: id or name must be present.",
        ),
        (
            password({"name": "demo", "domain": {"id": "default"}, "password": "secret"}, {}),
            "Expecting to find system, project, domain, OS-TRUST:trust or unscoped in scope." + MALFORMED,
        ),
        (
            password({"name": "demo", "domain": {"id": "default"}, "password": "secret"}, 7),
            "Invalid input for field 'scope': 7 is not of type 'object', 'string'",
        ),
        (
            password(
                {"name": "demo", "domain": {"id": "default"}, "password": "secret"}, {"project": {"name": "demo"}}
            ),
            "Expecting to find domain in project." + MALFORMED,
        ),
        (
            password({"name": "demo", "domain": {"id": "default"}, "password": "secret"}, {"project": {}}),
            "Invalid input for field scope/project: id or name must be present.",
        ),
        (
            password({"name": "demo", "domain": {"id": "default"}, "password": "secret"}, {"OS-TRUST:trust": {}}),
            "Expecting to find trust_id in trust." + MALFORMED,
        ),
    ],
)
def test_malformed_requests_are_400_in_keystones_words(cloud, body, message):
    error(post(body), 400, message)


@pytest.mark.parametrize(
    "scope",
    [
        {"project": {"id": "nope"}},
        {"project": {"name": "nope", "domain": {"id": "default"}}},
        {"project": {"name": "admin", "domain": {"id": "default"}}},  # no role there
        {"domain": {"id": "default"}},  # demo holds no role on the domain
        {"domain": {"name": "Elsewhere"}},
        {"system": {"all": True}},
        {"OS-TRUST:trust": {"id": "t"}},
    ],
)
def test_scopes_the_user_may_not_have_are_401(cloud, scope):
    body = password({"name": "demo", "domain": {"id": "default"}, "password": "secret"}, scope)
    error(post(body), 401, AUTHENTICATION_REQUIRED)


def test_a_method_keystone_does_not_offer_here_is_401(cloud):
    body = {"auth": {"identity": {"methods": ["totp"], "totp": {"user": {"id": "x", "passcode": "1"}}}}}
    error(post(body), 401, "Attempted to authenticate with an unsupported method.")
    error(post({"auth": {"identity": {"methods": []}}}), 401, AUTHENTICATION_REQUIRED)


def test_the_scope_is_looked_up_before_the_credentials(cloud):
    """Keystone resolves the scope first: an unknown project is 401 even when the user part
    would be a 400."""
    body = password({"name": "demo", "password": "secret"}, {"project": {"id": "nope"}})
    error(post(body), 401, AUTHENTICATION_REQUIRED)


def test_validating_and_revoking_are_for_admins_and_the_tokens_own_user(cloud):
    def token_of(name: str) -> str:
        return issued(password({"name": name, "domain": {"id": "default"}, "password": "secret"}))[0]

    admin, demo = token_of("admin"), token_of("demo")
    refused = as_token(demo).get(TOKENS, HTTP_X_SUBJECT_TOKEN=admin)
    error(refused, 403, "You are not authorized to perform the requested action: identity:validate_token.")
    assert as_token(demo).head(TOKENS, HTTP_X_SUBJECT_TOKEN=admin).status_code == 403
    assert as_token(demo).delete(TOKENS, HTTP_X_SUBJECT_TOKEN=admin).status_code == 403
    assert as_token(admin).get(TOKENS, HTTP_X_SUBJECT_TOKEN=demo).status_code == 200
    assert as_token(demo).head(TOKENS, HTTP_X_SUBJECT_TOKEN=demo).status_code == 200
    error(as_token(demo).get(TOKENS), 404, "No token in the request")
    error(as_token(demo).get(TOKENS, HTTP_X_SUBJECT_TOKEN="nope"), 404, "Could not find token: nope.")
    error(APIClient().get(TOKENS, HTTP_X_SUBJECT_TOKEN=demo), 401, AUTHENTICATION_REQUIRED)
