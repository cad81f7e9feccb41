"""Fixtures of the block storage tests: a volume directory per test, a cloud without
qemu-img, and a member of a third project."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from identity.models import Project, Role, RoleAssignment, User
from images import store as image_store
from tests.conftest import issue_token
from volumes import store


@pytest.fixture(autouse=True)
def volume_dir(settings, tmp_path):
    settings.VOLUME_DIR = str(tmp_path / "volumes")
    return settings.VOLUME_DIR


@pytest.fixture
def no_qemu(monkeypatch):
    """Pretend qemu-img is not installed: volumes become sparse raw files."""
    monkeypatch.setattr(store, "qemu_img", lambda: None)
    monkeypatch.setattr(image_store, "qemu_img", lambda: None)


@pytest.fixture
def other_api(cloud) -> APIClient:
    project = Project.objects.create(name="other")
    user = User(name="other", default_project=project)
    user.set_password("secret")
    user.save()
    RoleAssignment.objects.create(user=user, project=project, role=Role.objects.get(name="member"))
    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=issue_token(client, "other", "other"))
    return client
