"""A region that trusts another region's identity service (IDENTITY_URL; identity.remote_tokens).

RegionOne is gunicorn serving the test database; the in-process app plays RegionTwo: with
IDENTITY_URL set, it validates every X-Auth-Token at RegionOne with a service token of its own."""

from __future__ import annotations

import os
import socket
import time
from datetime import timedelta

import pytest
import requests
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from identity import remote_operators, remote_tokens
from identity.models import Project, Token
from identity.remote import password_scope
from identity.tokens import digest
from novasite.demo import seed
from novasite.demo_region import Keystone, _service_user
from tests.browser.server import free_port
from tests.e2e.cloud import WorkerSet
from tests.regions import database_url, start_web


@pytest.fixture(scope="module")
def region_one(django_db_setup, django_db_blocker, tmp_path_factory):
    """RegionOne's API (gunicorn) on the test database; its URL."""
    # The in-process seed hashes passwords with the suite's hasher (tests/browser/web_settings.py).
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.browser.web_settings"}
    env["DATABASE_URL"] = database_url(connection.settings_dict)
    processes = WorkerSet(tmp_path_factory.mktemp("region-one"), env)
    url = start_web(processes, "region-one", probe="/identity/v3")
    yield url
    processes.stop_all()


@pytest.fixture
def region_two(region_one, transactional_db, settings, tmp_path):
    """This process as RegionTwo of RegionOne (seeded, with this region's service user)."""
    settings.IMAGE_DIR = str(tmp_path / "images")
    seed("secret", "secret")
    settings.IDENTITY_URL = f"{region_one}/identity/v3"
    settings.IDENTITY_CACHE_SECONDS = 30
    settings.IDENTITY_SERVICE_USER = "region-RegionTwo"
    _service_user(Keystone("secret"))
    remote_tokens.clear()
    remote_operators.clear()
    yield region_one
    remote_tokens.clear()
    remote_operators.clear()


def login(region_one: str, user: str, project: str) -> str:
    """A token RegionOne issues to ``user`` on ``project``."""
    body = password_scope(user, "secret", project)
    response = requests.post(f"{region_one}/identity/v3/auth/tokens", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


def client(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_X_AUTH_TOKEN=token)
    return api


def later(monkeypatch, seconds: float) -> None:
    """Move this region's clock ``seconds`` ahead."""
    now = time.time() + seconds
    monkeypatch.setattr(remote_tokens, "_now", lambda: now)


def test_a_region_one_token_works_here_and_policy_is_unchanged(region_two) -> None:
    admin = client(login(region_two, "admin", "admin"))
    assert admin.get("/compute/v2.1/os-hypervisors").status_code == 200
    demo = client(login(region_two, "demo", "demo"))
    assert demo.get("/compute/v2.1/servers").status_code == 200
    refused = demo.get("/compute/v2.1/os-hypervisors")
    assert refused.status_code == 403, refused.content
    assert refused.json()["forbidden"]["message"].startswith("Policy doesn't allow")


def test_an_invalid_token_is_401_naming_the_shared_identity(region_two) -> None:
    response = client("not-a-token").get("/compute/v2.1/servers")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == f'Keystone uri="{region_two}/identity/v3"'


def test_a_valid_answer_is_cached_and_a_revoked_token_ends_after_the_ttl(region_two, monkeypatch) -> None:
    token = login(region_two, "demo", "demo")
    demo = client(token)
    assert demo.get("/compute/v2.1/servers").status_code == 200
    revoked = requests.delete(
        f"{region_two}/identity/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token}, timeout=10
    )
    assert revoked.status_code == 204
    later(monkeypatch, 29)
    assert demo.get("/compute/v2.1/servers").status_code == 200  # from the cache: RegionOne not asked
    later(monkeypatch, 31)
    assert demo.get("/compute/v2.1/servers").status_code == 401


def test_the_cache_never_outlives_the_token(region_two, settings, monkeypatch) -> None:
    settings.IDENTITY_CACHE_SECONDS = 3600
    token = login(region_two, "demo", "demo")
    Token.objects.filter(digest=digest(token)).update(expires_at=timezone.now() + timedelta(seconds=60))
    demo = client(token)
    assert demo.get("/compute/v2.1/servers").status_code == 200
    Token.objects.filter(digest=digest(token)).update(expires_at=timezone.now() - timedelta(seconds=1))
    later(monkeypatch, 55)
    assert demo.get("/compute/v2.1/servers").status_code == 200  # cached, within expires_at
    later(monkeypatch, 61)
    assert demo.get("/compute/v2.1/servers").status_code == 401  # past expires_at: asked again


def test_the_service_token_is_obtained_again_when_refused(region_two) -> None:
    assert client(login(region_two, "demo", "demo")).get("/compute/v2.1/servers").status_code == 200
    Token.objects.filter(user__name="region-RegionTwo").update(revoked=True)
    assert client(login(region_two, "demo", "demo")).get("/compute/v2.1/servers").status_code == 200


def test_region_one_down_is_503_in_each_service_format_at_once(region_two, settings) -> None:
    token = login(region_two, "demo", "demo")
    settings.IDENTITY_URL = f"http://127.0.0.1:{free_port()}/identity/v3"  # nothing listens
    started = time.monotonic()
    compute = client(token).get("/compute/v2.1/servers")
    network = client(token).get("/network/v2.0/networks")
    assert time.monotonic() - started < 5
    assert compute.status_code == 503, compute.content
    assert "identity service" in compute.json()["serviceUnavailable"]["message"]
    assert network.status_code == 503, network.content
    assert network.json()["NeutronError"]["type"] == "HTTPServiceUnavailable"


def test_region_one_stuck_is_503_after_the_read_timeout(region_two, settings) -> None:
    token = login(region_two, "demo", "demo")
    with socket.socket() as stuck:  # accepts connections (the kernel does) and never answers
        stuck.bind(("127.0.0.1", 0))
        stuck.listen(8)
        settings.IDENTITY_URL = f"http://127.0.0.1:{stuck.getsockname()[1]}/identity/v3"
        settings.IDENTITY_READ_TIMEOUT = 0.5
        started = time.monotonic()
        response = client(token).get("/compute/v2.1/servers")
        took = time.monotonic() - started
    assert response.status_code == 503, response.content
    assert took < 3, took


def test_a_project_is_shadowed_on_first_sight_and_renamed(db) -> None:
    project = remote_tokens.shadow_project("a" * 32, "alpha")
    assert (project.id, project.name) == ("a" * 32, "alpha")
    remote_tokens.shadow_project("b" * 32, "beta")
    # RegionOne renamed alpha to beta (and beta's project to something else, not seen yet).
    remote_tokens.shadow_project("a" * 32, "beta")
    assert Project.objects.get(pk="a" * 32).name == "beta"
    assert Project.objects.get(pk="b" * 32).name.startswith("renamed-")


def test_a_project_is_known_when_the_shared_identity_knows_it(region_two) -> None:
    demo_id = Project.objects.get(name="demo").pk
    assert remote_tokens.known_project(demo_id)
    assert not remote_tokens.known_project("f" * 32)
    assert not remote_tokens.known_project("../users")


def test_this_region_serves_no_identity_of_its_own(region_two) -> None:
    for path in ("/identity", "/identity/v3", "/identity/v3/auth/tokens"):
        response = APIClient().post(path, {}, format="json")
        assert response.status_code == 404, (path, response.content)
        assert response.json()["error"]["message"].endswith(f"authenticate at {region_two}/identity/v3.")


def test_operators_log_in_to_this_region_console_with_the_shared_identity(region_two, client) -> None:

    def log_in(name: str, password: str) -> bool:
        response = client.post("/admin/login/", {"username": name, "password": password, "next": "/admin/"})
        return response.status_code == 302 and response["Location"] == "/admin/"

    assert not log_in("admin", "wrong")
    assert not log_in("demo", "secret")  # a member, no operator
    assert log_in("admin", "secret")
    assert client.get("/admin/").status_code == 200
    remote_operators.clear()
    with override_settings(IDENTITY_URL=f"http://127.0.0.1:{free_port()}/identity/v3"):
        assert client.get("/admin/").status_code == 302  # RegionOne down: this page is anonymous
    assert client.get("/admin/").status_code == 200  # and the session was not ended
