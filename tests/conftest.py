"""Shared fixtures: seeded cloud, API tokens and a JSON client for the in-process API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from novasite.demo import seed
from tests import qemu_hosts


@pytest.fixture
def cloud(db, settings, tmp_path):
    """The demo cloud seeded into the test database (images under a temporary directory)."""
    settings.IMAGE_DIR = str(tmp_path / "images")
    seed("secret", "secret")


def issue_token(client: APIClient, user: str, project: str, password: str = "secret") -> str:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "domain": {"name": "Default"}, "password": password}},
            },
            "scope": {"project": {"name": project, "domain": {"name": "Default"}}},
        }
    }
    response = client.post("/identity/v3/auth/tokens", body, format="json")
    assert response.status_code == 201, response.content
    return response["X-Subject-Token"]


@pytest.fixture
def admin_api(cloud) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=issue_token(client, "admin", "admin"))
    return client


@pytest.fixture
def demo_api(cloud) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=issue_token(client, "demo", "demo"))
    return client


@pytest.fixture(scope="session", autouse=True)
def clean_broker_prefix():
    """Drop whatever this run left on the broker (tasks published by code under test)."""
    yield
    from django.conf import settings

    from tests.e2e.cloud import flush_broker

    flush_broker(settings.CELERY_BROKER_URL, settings.CELERY_KEY_PREFIX)
    if settings.CELERY_RESULT_BACKEND != settings.CELERY_BROKER_URL:  # a Redis beside a RabbitMQ
        flush_broker(settings.CELERY_RESULT_BACKEND, settings.CELERY_KEY_PREFIX)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked ``qemu(uri, ...)`` needs those libvirt daemons: skipped without them, or
    failed when NOVASITE_REQUIRE_QEMU=1 (tests/qemu_hosts.py)."""
    for marker in item.iter_markers("qemu"):
        absent = qemu_hosts.missing(tuple(marker.args))
        if absent:
            message = f"no libvirtd at {', '.join(absent)} (start them: scripts/libvirt.sh up)"
            if qemu_hosts.required():
                pytest.fail(f"NOVASITE_REQUIRE_QEMU=1: {message}", pytrace=False)
            pytest.skip(message)
