"""Volumes and their snapshots together: a volume made from a snapshot, and the delete of a
volume that has snapshots (refused, or cascade)."""

from __future__ import annotations

import os
import uuid

import pytest

from volumes import store
from volumes.models import Snapshot, Volume

from .helpers import GiB, assert_error, create, needs_qemu, qemu_info, url
from .test_snapshots import snap

pytestmark = pytest.mark.django_db


@needs_qemu
def test_a_volume_from_a_snapshot_is_a_copy_of_its_file(demo_api):
    source = create(demo_api, size=1)
    snapshot = snap(demo_api, source["id"])["snapshot"]
    made = create(demo_api, size=3, snapshot_id=snapshot["id"], name="copy")
    assert (made["status"], made["size"], made["snapshot_id"]) == ("available", 3, snapshot["id"])
    info = qemu_info(store.volume_path(made["id"]))
    assert info["format"] == "qcow2" and info["virtual-size"] == 3 * GiB and "backing-filename" not in info
    shown = demo_api.get(url(f"/volumes/{made['id']}")).json()["volume"]
    assert shown["snapshot_id"] == snapshot["id"]
    # The new volume stands alone: the snapshot and its volume can go.
    assert demo_api.delete(url(f"/snapshots/{snapshot['id']}")).status_code == 202
    assert demo_api.delete(url(f"/volumes/{source['id']}")).status_code == 202
    assert os.path.exists(store.volume_path(made["id"]))


def test_a_volume_from_a_snapshot_holds_its_data_and_takes_its_size(demo_api, no_qemu):
    source = create(demo_api, size=2, name="src")
    with open(store.volume_path(source["id"]), "r+b") as handle:
        handle.write(b"snapshotted")
    snapshot = snap(demo_api, source["id"])["snapshot"]
    with open(store.volume_path(source["id"]), "r+b") as handle:
        handle.write(b"overwritten")
    body = {"volume": {"snapshot_id": snapshot["id"], "name": "copy"}}
    made = demo_api.post(url(), body, format="json")
    assert made.status_code == 202, made.content
    volume = made.json()["volume"]
    assert (volume["size"], volume["status"]) == (2, "available")
    with open(store.volume_path(volume["id"]), "rb") as handle:
        assert handle.read(11) == b"snapshotted"
    assert os.path.getsize(store.volume_path(volume["id"])) == 2 * GiB


def test_a_volume_from_a_snapshot_checks_size_status_and_visibility(demo_api, other_api, settings):
    snapshot = snap(demo_api, create(demo_api, size=2)["id"])["snapshot"]
    small = {"volume": {"size": 1, "snapshot_id": snapshot["id"]}}
    assert_error(demo_api.post(url(), small, format="json"), 400, "badRequest", "cannot be smaller than the snapshot")
    unknown = {"volume": {"size": 2, "snapshot_id": str(uuid.uuid4())}}
    assert_error(demo_api.post(url(), unknown, format="json"), 404, "itemNotFound", "Snapshot")
    theirs = {"volume": {"size": 2, "snapshot_id": snapshot["id"]}}
    assert_error(other_api.post(url(project="other"), theirs, format="json"), 404, "itemNotFound")
    Snapshot.objects.filter(id=snapshot["id"]).update(status="error")
    assert_error(demo_api.post(url(), theirs, format="json"), 400, "badRequest", "'available'")
    Snapshot.objects.filter(id=snapshot["id"]).update(status="available")
    both = {"volume": {"size": 2, "snapshot_id": snapshot["id"], "imageRef": str(uuid.uuid4())}}
    assert_error(demo_api.post(url(), both, format="json"), 400, "badRequest")
    settings.VOLUME_QUOTA_DEFAULTS = {**settings.VOLUME_QUOTA_DEFAULTS, "gigabytes": 5}
    assert_error(demo_api.post(url(), theirs, format="json"), 413, "overLimit", "gigabytes")
    assert Volume.objects.count() == 1


def test_a_volume_with_snapshots_is_not_deleted_unless_cascade(demo_api):
    volume = create(demo_api)
    first, second = (snap(demo_api, volume["id"])["snapshot"] for _ in range(2))
    refused = demo_api.delete(url(f"/volumes/{volume['id']}"))
    assert_error(refused, 400, "badRequest", "have snapshots")
    assert Volume.objects.get(id=volume["id"]).status == "available" and Snapshot.objects.count() == 2
    Snapshot.objects.filter(id=second["id"]).update(status="creating")
    busy = demo_api.delete(url(f"/volumes/{volume['id']}"), QUERY_STRING="cascade=true")
    assert_error(busy, 400, "badRequest", "Failed to update snapshot")
    assert set(Snapshot.objects.values_list("status", flat=True)) == {"available", "creating"}
    Snapshot.objects.filter(id=second["id"]).update(status="error")
    assert demo_api.delete(url(f"/volumes/{volume['id']}") + "?cascade=true").status_code == 202
    assert not Volume.objects.exists() and not Snapshot.objects.exists()
    for snapshot in (first, second):
        assert not os.path.exists(store.snapshot_path(snapshot["id"]))
    assert not os.path.exists(store.volume_path(volume["id"]))


def test_a_volume_is_deletable_once_its_snapshots_are_gone(demo_api):
    volume = create(demo_api)
    snapshot = snap(demo_api, volume["id"])["snapshot"]
    assert demo_api.delete(url(f"/snapshots/{snapshot['id']}")).status_code == 202
    assert demo_api.delete(url(f"/volumes/{volume['id']}")).status_code == 202
    assert not Volume.objects.exists()
