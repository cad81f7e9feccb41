"""Snapshots under concurrency, on the real PostgreSQL: concurrent snapshot creates never
pass the snapshots quota (the project's quota lock), and a volume delete racing snapshot
creates never leaves a snapshot of a deleted volume nor fails with anything but Cinder's
refusals (the volume's row lock orders them)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from core.exceptions import BadRequest, NotFound, OverLimit
from core.principal import Caller
from volumes import services, snapshots, store
from volumes.models import Snapshot, Volume

THREADS = 8
LIMIT = 3
CALLER = Caller("u", "p")


def run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Run every job in its own thread, released together: each one's result or exception."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[object] = [None] * len(jobs)

    def run(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = jobs[index]()
        except Exception as exc:  # every outcome is inspected by the test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def volume(settings, tmp_path, monkeypatch) -> Volume:
    settings.VOLUME_DIR = str(tmp_path / "volumes")
    monkeypatch.setattr(store, "qemu_img", lambda: None)  # sparse raw files: fast
    return services.create_volume(CALLER, "p", services.NewVolume(size=1, name="vol"))


def take(volume: Volume, index: int) -> Callable[[], object]:
    return lambda: snapshots.create_snapshot(CALLER, "p", snapshots.NewSnapshot(str(volume.id), name=f"s{index}"))


@pytest.mark.django_db(transaction=True)
def test_concurrent_snapshot_creates_never_pass_the_limit(volume, settings):
    settings.VOLUME_QUOTA_DEFAULTS = {**settings.VOLUME_QUOTA_DEFAULTS, "snapshots": LIMIT}
    outcomes = run_together([take(volume, index) for index in range(THREADS)])
    made = [o for o in outcomes if isinstance(o, Snapshot)]
    refused = [o for o in outcomes if isinstance(o, OverLimit)]
    assert (len(made), len(refused)) == (LIMIT, THREADS - LIMIT), outcomes
    assert Snapshot.objects.filter(project_id="p", status="available").count() == LIMIT


@pytest.mark.django_db(transaction=True)
def test_a_volume_delete_racing_snapshot_creates_leaves_no_orphan(volume):
    def delete() -> object:
        services.delete_volume(CALLER, Volume.objects.get(id=volume.id))
        return "deleted"

    jobs = [take(volume, index) for index in range(THREADS - 1)]
    jobs.insert(THREADS // 2, delete)
    outcomes = run_together(jobs)
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, BadRequest | NotFound)]
    assert not unexpected, unexpected
    made = [o for o in outcomes if isinstance(o, Snapshot)]
    if "deleted" in outcomes:
        assert not made and not Volume.objects.exists() and not Snapshot.objects.exists(), outcomes
    else:
        assert made and Volume.objects.get(id=volume.id).status == "available", outcomes
        assert Snapshot.objects.filter(volume_id=volume.id).count() == len(made)
