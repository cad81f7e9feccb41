"""Images and volumes through the admin: written as the Glance and Cinder APIs write them
(their readers and services), refused as they refuse, the files left alone on a refusal."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from core.principal import Caller
from images import services as image_services
from images import store as image_store
from images.models import Image
from volumes import store as volume_store
from volumes.models import Snapshot, Volume

from .pages import bulk_delete, delete, messages_of, post_form, refused, refused_delete, saved, table, url

pytestmark = pytest.mark.django_db
OPERATOR = Caller("operator", "", is_admin=True)


@pytest.fixture
def active(rows) -> Image:
    """An active image with its data."""
    image = image_services.create_image(
        OPERATOR, image_services.NewImage(name="disk", disk_format="raw", container_format="bare", owner="p1")
    )
    return image_store.upload(image, b"\0" * 1024)


@pytest.fixture
def volume(rows) -> Volume:
    """An available volume with its file, and without the snapshot `rows` gives it (Cinder
    refuses to delete a volume that has snapshots: tests/admin/test_snapshots_admin.py)."""
    found = Volume.objects.get()
    Snapshot.objects.filter(volume=found).delete()
    os.makedirs(settings.VOLUME_DIR, exist_ok=True)
    with open(volume_store.volume_path(found.id), "wb") as handle:
        handle.write(b"\0")
    return found


# --- images ---------------------------------------------------------------------------------


def test_image_created_as_post_images_creates_it(staff, rows, admin_api):
    fields = {"name": "base", "visibility": "private", "disk_format": "qcow2", "container_format": "bare"}
    saved(post_form(staff, url(Image, "add"), owner="p1", min_ram="64", properties='{"os_distro": "cirros"}', **fields))
    made = Image.objects.get(name="base")
    body = {**fields, "name": "base-api", "owner": "p1", "min_ram": 64, "os_distro": "cirros"}
    assert admin_api.post("/image/v2/images", body, format="json").status_code == 201
    twin = Image.objects.get(name="base-api")
    compared = ("status", "visibility", "owner", "disk_format", "container_format", "min_ram", "properties", "tags")
    assert [getattr(made, name) for name in compared] == [getattr(twin, name) for name in compared]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"disk_format": "bogus"}, "Invalid value 'bogus' for disk_format; expected one of "),
        ({"properties": '{"os_glance_import": "x"}'}, "Attribute 'os_glance_import' is reserved."),
        ({"properties": '{"checksum": "x"}'}, "Attribute 'checksum' is read-only."),
        ({"tags": '["a", ""]'}, "Invalid value for tags: expected a list of strings of 1 to 255 characters."),
    ],
    ids=["disk-format", "reserved-property", "read-only-attribute", "empty-tag"],
)
def test_image_create_refused(staff, rows, changes, message):
    before = table(Image)
    response = post_form(staff, url(Image, "add"), name="new", **changes)
    errors = [str(error) for error_list in response.context["errors"] for error in error_list]
    assert any(error.startswith(message) for error in errors), errors
    assert table(Image) == before


def test_image_change_refused_and_accepted_as_patch(staff, active):
    page = url(Image, "change", active.pk)
    before = table(Image)
    refused(
        post_form(staff, page, disk_format="qcow2"), "Attribute disk_format can be only replaced for a queued image."
    )
    assert table(Image) == before
    image_services.update_image(OPERATOR, str(active.pk), [image_services.SetProperty("a", "1")])
    saved(post_form(staff, page, name="renamed", protected="on", properties='{"b": "2"}'))
    active.refresh_from_db()
    assert (active.name, active.protected, active.properties, active.status) == ("renamed", True, {"b": "2"}, "active")


def test_protected_image_not_deleted(staff, active):
    Image.objects.filter(pk=active.pk).update(protected=True)
    before = table(Image)
    refused_delete(delete(staff, active), f"Image {active.pk} is protected and cannot be deleted.")
    assert table(Image) == before and os.path.exists(image_store.image_path(active.pk))


def test_image_deleted_as_glance_deletes_it(staff, active):
    kept = image_services.create_image(OPERATOR, image_services.NewImage(name="kept", protected=True))
    response = bulk_delete(staff, Image, active, kept)
    assert f"kept: Image {kept.pk} is protected and cannot be deleted." in messages_of(response)
    active.refresh_from_db()
    assert active.status == "deleted" and not os.path.exists(image_store.image_path(active.pk))
    assert Image.objects.get(pk=kept.pk).status == "queued"


# --- volumes --------------------------------------------------------------------------------


def test_volume_in_use_not_deleted(staff, volume):
    Volume.objects.filter(pk=volume.pk).update(status="in-use")
    before = table(Volume)
    response = delete(staff, volume)
    refused_delete(response, f"Volume {volume.pk} status must be available or error to be deleted, but it is in-use.")
    assert table(Volume) == before and os.path.exists(volume_store.volume_path(volume.pk))


def test_volume_bulk_delete_keeps_what_cinder_keeps(staff, volume):
    busy = Volume.objects.create(name="busy", project_id="p", user_id="u", size=1, status="in-use")
    response = bulk_delete(staff, Volume, volume, busy)
    assert "Successfully deleted 1 volume." in messages_of(response)
    assert list(Volume.objects.values_list("name", flat=True)) == ["busy"]
    assert not os.path.exists(volume_store.volume_path(volume.pk))


def test_volume_changed_as_put_volumes_changes_it(staff, volume):
    page = url(Volume, "change", volume.pk)
    saved(post_form(staff, page, name="data", description="scratch", metadata='{"tier": "gold"}'))
    volume.refresh_from_db()
    assert (volume.name, volume.description, volume.metadata, volume.status) == (
        "data",
        "scratch",
        {"tier": "gold"},
        "available",
    )
    before = table(Volume)
    refused(
        post_form(staff, page, metadata='{"tier": 1}'),
        "Invalid input for field/attribute metadata: string keys and values of at most 255 characters.",
    )
    assert table(Volume) == before


def test_volume_reset_through_the_service(staff, volume):
    response = staff.post(url(Volume, "changelist"), {"action": "reset_to_error", "_selected_action": [volume.pk]})
    assert response.status_code == 302 and "1 volume(s) reset to error." in messages_of(response)
    volume.refresh_from_db()
    assert volume.status == "error"
    assert staff.get(url(Volume, "add")).status_code == 403
