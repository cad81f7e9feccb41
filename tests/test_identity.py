"""Identity v3: version documents and tokens."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from .conftest import issue_token

pytestmark = pytest.mark.django_db


def password_body(user="admin", password="secret", project="admin"):
    return {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "domain": {"name": "Default"}, "password": password}},
            },
            "scope": {"project": {"name": project, "domain": {"name": "Default"}}},
        }
    }


def test_version_documents_need_no_token(client):
    root = client.get("/identity")
    assert root.status_code == 300
    assert root.json()["versions"]["values"][0]["links"][0]["href"].endswith("/identity/v3/")
    v3 = client.get("/identity/v3")
    assert v3.status_code == 200 and v3.json()["version"]["status"] == "stable"


def test_it_issues_a_scoped_token_with_a_catalog(cloud):
    client = APIClient()
    response = client.post("/identity/v3/auth/tokens", password_body(), format="json")
    assert response.status_code == 201
    assert response["X-Subject-Token"]
    token = response.json()["token"]
    assert token["project"]["name"] == "admin"
    # The admin role implies manager, member and reader (keystone-manage bootstrap's implied roles).
    assert [role["name"] for role in token["roles"]] == ["admin", "manager", "member", "reader"]
    assert token["expires_at"].endswith("Z")
    types = {entry["type"]: entry for entry in token["catalog"]}
    assert set(types) >= {"identity", "compute", "image", "network"}
    endpoint = types["compute"]["endpoints"][0]
    assert endpoint["interface"] == "public" and endpoint["region_id"] == "RegionOne"
    assert endpoint["url"].endswith("/compute/v2.1")


@pytest.mark.parametrize(
    "body",
    [
        password_body(password="wrong"),
        password_body(user="nobody"),
        password_body(user="demo", project="admin"),  # no role on that project
    ],
)
def test_it_rejects_bad_credentials_with_401(cloud, body):
    response = APIClient().post("/identity/v3/auth/tokens", body, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401


@pytest.mark.parametrize("body", [{}, {"auth": {}}, {"auth": {"identity": {"methods": ["token"]}}}, [], "x"])
def test_it_rejects_malformed_bodies_with_400(cloud, body):
    response = APIClient().post("/identity/v3/auth/tokens", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 400


def test_it_validates_and_revokes_tokens(cloud):
    client = APIClient()
    token = issue_token(client, "admin", "admin")
    client.credentials(HTTP_X_AUTH_TOKEN=token, HTTP_X_SUBJECT_TOKEN=token)
    assert client.get("/identity/v3/auth/tokens").status_code == 200
    assert client.delete("/identity/v3/auth/tokens").status_code == 204
    assert client.get("/compute/v2.1/servers").status_code == 401


def test_compute_api_needs_a_valid_token(cloud):
    client = APIClient()
    missing = client.get("/compute/v2.1/servers")
    assert missing.status_code == 401 and missing.json()["unauthorized"]["code"] == 401
    client.credentials(HTTP_X_AUTH_TOKEN="not-a-token")
    assert client.get("/compute/v2.1/servers").status_code == 401


def test_expired_tokens_are_refused(cloud, settings):
    settings.TOKEN_TTL_SECONDS = -1
    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=issue_token(client, "admin", "admin"))
    assert client.get("/compute/v2.1/servers").status_code == 401
