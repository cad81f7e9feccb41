"""The snapshots admin: a read-only list (filter by status, search by name, volume or
project) and detail; nothing can be added, changed or deleted there."""

from __future__ import annotations

import pytest

from volumes import store
from volumes.models import Snapshot, Volume

from .pages import delete, refused_delete, table, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshots(db) -> tuple[Snapshot, Snapshot]:
    volume = Volume.objects.create(name="data", project_id="p1", user_id="u", size=2, status="available")
    other = Volume.objects.create(name="logs", project_id="p2", user_id="u", size=1, status="available")
    first = Snapshot.objects.create(
        volume=volume, name="nightly", project_id="p1", user_id="u", size=2, status="available"
    )
    second = Snapshot.objects.create(volume=other, name="broken", project_id="p2", user_id="u", size=1, status="error")
    return first, second


def listed(staff, **params) -> list[str]:
    response = staff.get(url(Snapshot, "changelist"), params)
    assert response.status_code == 200
    return sorted(snapshot.name for snapshot in response.context["cl"].result_list)


def test_the_list_filters_and_searches(staff, snapshots):
    _, second = snapshots
    assert listed(staff) == ["broken", "nightly"]
    assert listed(staff, status__exact="error") == ["broken"]
    assert listed(staff, q="nightly") == ["nightly"]
    assert listed(staff, q=str(second.volume_id)) == ["broken"]
    assert listed(staff, q="logs") == ["broken"]
    assert listed(staff, q="p1") == ["nightly"]


def test_it_is_read_only(staff, snapshots):
    first, _ = snapshots
    page = staff.get(url(Snapshot, "change", first.pk))
    assert page.status_code == 200 and b"nightly" in page.content and b'name="_save"' not in page.content
    assert staff.get(url(Snapshot, "add")).status_code == 403
    assert staff.post(url(Snapshot, "delete", first.pk), {"post": "yes"}).status_code == 403
    assert staff.post(url(Snapshot, "change", first.pk), {"name": "renamed"}).status_code == 403
    assert Snapshot.objects.get(pk=first.pk).name == "nightly"


def test_a_volume_with_snapshots_is_not_deleted_from_the_volumes_admin(staff, snapshots):
    first, _ = snapshots
    before = table(Volume, Snapshot)
    refused_delete(delete(staff, first.volume), store.HAS_SNAPSHOTS)
    assert table(Volume, Snapshot) == before
