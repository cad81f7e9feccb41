"""Image v2 JSON-patch updates (application/openstack-images-v2.1-json-patch)."""

from __future__ import annotations

import pytest

from images.models import Image
from novasite.demo import CIRROS_IMAGE_ID

from .images_helpers import assert_glance_error, create, patch, upload

pytestmark = pytest.mark.django_db


# --- patch ----------------------------------------------------------------------------------


def test_json_patch_changes_core_attributes_and_properties(demo_api):
    image = create(demo_api, hw_disk_bus="virtio", os_distro="cirros")
    response = patch(
        demo_api,
        image["id"],
        [
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/visibility", "value": "community"},
            {"op": "add", "path": "/min_disk", "value": 2},
            {"op": "replace", "path": "/min_ram", "value": 256},
            {"op": "replace", "path": "/protected", "value": True},
            {"op": "replace", "path": "/tags", "value": ["x"]},
            {"op": "add", "path": "/owner_specified.openstack.sha256", "value": "f00"},
            {"op": "replace", "path": "/hw_disk_bus", "value": "scsi"},
            {"op": "remove", "path": "/os_distro"},
        ],
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["visibility"], body["min_disk"], body["min_ram"], body["protected"]) == (
        "renamed",
        "community",
        2,
        256,
        True,
    )
    assert body["tags"] == ["x"] and body["hw_disk_bus"] == "scsi"
    assert body["owner_specified.openstack.sha256"] == "f00" and "os_distro" not in body
    assert Image.objects.get(id=image["id"]).properties == {
        "hw_disk_bus": "scsi",
        "owner_specified.openstack.sha256": "f00",
    }


@pytest.mark.parametrize(
    "operations, status, fragment",
    [
        ({"op": "replace"}, 400, "list"),
        (["x"], 400, "op"),
        ([{"op": "move", "path": "/name", "value": "x"}], 400, "op"),
        ([{"op": "replace", "path": "name", "value": "x"}], 400, "pointer"),
        ([{"op": "replace", "path": "/a/b", "value": "x"}], 400, "nested"),
        ([{"op": "replace", "path": "/name"}], 400, "value"),
        ([{"op": "replace", "path": "/min_disk", "value": "big"}], 400, "min_disk"),
        ([{"op": "replace", "path": "/visibility", "value": "nobody"}], 400, "visibility"),
        ([{"op": "add", "path": "/prop", "value": 1}], 400, "prop"),
        ([{"op": "add", "path": "/prop", "value": "\u0000"}], 400, "NUL"),
        ([{"op": "replace", "path": "/status", "value": "active"}], 403, "read-only"),
        ([{"op": "replace", "path": "/id", "value": "x"}], 403, "read-only"),
        ([{"op": "replace", "path": "/owner", "value": "x"}], 403, "Owner can't be updated by non admin."),
        ([{"op": "remove", "path": "/name"}], 403, "removed"),
        ([{"op": "replace", "path": "/visibility", "value": "public"}], 403, "complete publicize_image action"),
        ([{"op": "replace", "path": "/missing", "value": "x"}], 409, "does not exist"),
        ([{"op": "remove", "path": "/missing"}], 409, "does not exist"),
    ],
)
def test_json_patch_errors(demo_api, operations, status, fragment):
    image = create(demo_api)
    assert_glance_error(patch(demo_api, image["id"], operations), status, fragment)
    assert Image.objects.get(id=image["id"]).name == "img"


def test_json_patch_needs_its_media_type(demo_api):
    image = create(demo_api)
    assert_glance_error(patch(demo_api, image["id"], [], content_type="application/json"), 415)


def test_formats_change_only_while_queued(demo_api):
    image = create(demo_api)
    operation = [{"op": "replace", "path": "/disk_format", "value": "qcow2"}]
    assert patch(demo_api, image["id"], operation).json()["disk_format"] == "qcow2"
    upload(demo_api, image["id"])
    assert_glance_error(patch(demo_api, image["id"], operation), 403, "queued")


def test_only_owners_and_admins_patch(demo_api, admin_api):
    operation = [{"op": "replace", "path": "/name", "value": "mine now"}]
    assert_glance_error(
        patch(demo_api, str(CIRROS_IMAGE_ID), operation), 403, "You are not authorized to complete modify_image action."
    )
    assert patch(admin_api, str(CIRROS_IMAGE_ID), operation).status_code == 200
    image = create(demo_api)
    given = patch(admin_api, image["id"], [{"op": "replace", "path": "/owner", "value": "elsewhere"}])
    assert given.json()["owner"] == "elsewhere"
