"""Helpers shared by the image API tests: a third project's client, and small calls that
create, upload, patch and check Glance's error body."""

from __future__ import annotations

import html
import json

import pytest
from rest_framework.test import APIClient

from identity.models import Project, Role, RoleAssignment, User

from .conftest import issue_token

PATCH = "application/openstack-images-v2.1-json-patch"
DATA = b"not really a disk, but bytes all the same\n" * 1000


@pytest.fixture
def other_api(cloud) -> APIClient:
    """A member of a third project ("other")."""
    project = Project.objects.create(name="other")
    user = User(name="other", default_project=project)
    user.set_password("secret")
    user.save()
    RoleAssignment.objects.create(user=user, project=project, role=Role.objects.get(name="member"))
    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=issue_token(client, "other", "other"))
    return client


def project_id(name: str) -> str:
    return Project.objects.get(name=name).id


def create(api: APIClient, **body) -> dict:
    body = {"name": "img", "disk_format": "raw", "container_format": "bare", **body}
    response = api.post("/image/v2/images", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def upload(api: APIClient, image_id: str, data: bytes = DATA):
    return api.put(f"/image/v2/images/{image_id}/file", data=data, content_type="application/octet-stream")


def patch(api: APIClient, image_id: str, operations, content_type: str = PATCH):
    # openstacksdk sends an empty Accept header with its JSON patch.
    return api.generic(
        "PATCH", f"/image/v2/images/{image_id}", json.dumps(operations), content_type=content_type, HTTP_ACCEPT=""
    )


def assert_glance_error(response, status: int, fragment: str = "") -> None:
    """Glance's error as webob writes it for the request's Accept header: JSON when asked for
    (``code`` the status line), else the HTML page glanceclient reads."""
    assert response.status_code == status, response.content
    if response["Content-Type"] == "application/json":
        body = response.json()
        assert body["code"].startswith(f"{status} ") and body["title"], body
        assert fragment in body["message"] and body["message"].endswith("<br /><br />\n\n\n"), body
    else:
        assert response["Content-Type"] == "text/html; charset=UTF-8", response["Content-Type"]
        page = response.content.decode()
        assert f"<h1>{status} " in page and html.escape(fragment) in page, page
