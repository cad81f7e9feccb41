"""A server created with more metadata items than the project's limit (maxServerMeta in
/limits) is refused with 403, as Nova's MetadataLimitExceeded (Tempest's
test_absolute_limits_negative)."""

from __future__ import annotations

import pytest

from novasite.demo import CIRROS_IMAGE_ID
from servers.models import Server

pytestmark = pytest.mark.django_db


def body(count: int) -> dict:
    metadata = {str(n): str(n) for n in range(count)}
    return {
        "server": {
            "name": "vm",
            "imageRef": str(CIRROS_IMAGE_ID),
            "flavorRef": "42",
            "networks": [],  # "none" only from 2.37
            "metadata": metadata,
        }
    }


def test_one_item_over_the_limit_is_403(demo_api, django_capture_on_commit_callbacks):
    limit = demo_api.get("/compute/v2.1/limits").json()["limits"]["absolute"]["maxServerMeta"]
    over = demo_api.post("/compute/v2.1/servers", body(limit + 1), format="json")
    assert over.status_code == 403
    assert over.json()["forbidden"]["message"] == f"Maximum number of metadata items exceeds {limit}"
    assert not Server.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        assert demo_api.post("/compute/v2.1/servers", body(limit), format="json").status_code == 202
