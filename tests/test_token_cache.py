"""The API's cache of validated tokens (identity/token_cache.py): a token is checked against
the database once per TOKEN_CACHE_SECONDS, a revocation or a disabled user or project made in
this process takes effect at once, one made elsewhere within the cache time, and no token is
accepted past its expiry."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from identity import token_cache
from identity.models import Project, Token, User
from tests.conftest import issue_token

pytestmark = pytest.mark.django_db

FLAVORS = "/compute/v2.1/flavors"


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.TOKEN_CACHE_SECONDS = 60.0
    token_cache.clear()
    yield
    token_cache.clear()


def token_queries(client: APIClient) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(FLAVORS).status_code == 200
    return sum('"identity_token"' in query["sql"] for query in queries.captured_queries)


def client_of(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=token)
    return client


def test_a_token_is_checked_once_per_cache_time(cloud):
    client = client_of(issue_token(APIClient(), "demo", "demo"))
    assert token_queries(client) == 1
    assert token_queries(client) == 0
    assert token_queries(client) == 0


def test_nothing_but_a_valid_token_is_cached(cloud):
    client = client_of("not-a-token")
    for _ in range(2):
        assert client.get(FLAVORS).status_code == 401


def test_a_revoked_token_fails_at_once(cloud):
    secret = issue_token(APIClient(), "demo", "demo")
    client = client_of(secret)
    assert client.get(FLAVORS).status_code == 200
    assert client.delete("/identity/v3/auth/tokens", HTTP_X_SUBJECT_TOKEN=secret).status_code == 204
    assert client.get(FLAVORS).status_code == 401


def test_a_disabled_user_or_project_fails_at_once(cloud, admin_api):
    demo = client_of(issue_token(APIClient(), "demo", "demo"))
    assert demo.get(FLAVORS).status_code == 200
    project = Project.objects.get(name="demo")
    response = admin_api.patch(f"/identity/v3/projects/{project.id}", {"project": {"enabled": False}}, format="json")
    assert response.status_code == 200
    assert demo.get(FLAVORS).status_code == 401

    admin = client_of(issue_token(APIClient(), "admin", "admin"))
    assert admin.get(FLAVORS).status_code == 200
    user = User.objects.get(name="admin")
    user.enabled = False
    user.save()
    assert admin.get(FLAVORS).status_code == 401


def test_a_revocation_elsewhere_takes_effect_within_the_cache_time(cloud, settings):
    """Another process revoked it (no signal reaches this one): the cache answers until its
    entry is TOKEN_CACHE_SECONDS old, then the database says no."""
    settings.TOKEN_CACHE_SECONDS = 0.5
    secret = issue_token(APIClient(), "demo", "demo")
    client = client_of(secret)
    assert client.get(FLAVORS).status_code == 200
    Token.objects.filter(revoked=False).update(revoked=True)  # as another process would
    assert client.get(FLAVORS).status_code == 200  # still cached
    time.sleep(0.6)
    assert client.get(FLAVORS).status_code == 401


def test_no_token_is_accepted_past_its_expiry(cloud, settings):
    settings.TOKEN_TTL_SECONDS = 1
    client = client_of(issue_token(APIClient(), "demo", "demo"))
    assert client.get(FLAVORS).status_code == 200
    time.sleep(1.1)
    assert client.get(FLAVORS).status_code == 401


def test_the_cache_keeps_no_token(cloud):
    secret = issue_token(APIClient(), "demo", "demo")
    assert token_cache.validate(secret) is not None
    assert secret not in repr(token_cache.CACHE._entries)
