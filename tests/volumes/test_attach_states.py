"""The attach compare-and-swap the conductor uses (volumes.store's attachment states)."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from core.exceptions import Conflict
from volumes import store
from volumes.models import Volume

pytestmark = pytest.mark.django_db


# --- attach states (the conductor's calls) --------------------------------------------------


def test_attach_states_compare_and_swap(cloud):
    volume = Volume.objects.create(project_id="p", user_id="u", size=1, status="available")
    first, second = uuid.uuid4(), uuid.uuid4()
    assert store.reserve(volume, first).status == "attaching"
    with pytest.raises(Conflict):
        store.reserve(volume, second)
    with pytest.raises(Conflict):
        store.mark_in_use(volume, second)
    assert store.mark_in_use(volume, first).status == "in-use"
    assert store.mark_in_use(volume, str(first)).attached_server_uuid == first  # redelivered: idempotent
    with pytest.raises(Conflict):
        store.begin_detaching(volume, second)
    assert store.begin_detaching(volume, first).status == "detaching"
    with pytest.raises(Conflict):
        store.mark_in_use(volume, second)
    assert store.mark_in_use(volume, first).status == "in-use"  # a failed detach, rolled back
    store.begin_detaching(volume)
    released = store.mark_available(volume, first)
    assert (released.status, released.attached_server_uuid, released.attached_at) == ("available", None, None)
    assert store.mark_available(volume).status == "available"
    store.mark_in_use(volume, second)
    with pytest.raises(Conflict):
        store.mark_available(volume, first)
    assert store.mark_available(volume, second).status == "available"


def test_double_mark_in_use_only_one_wins(cloud):
    volume = Volume.objects.create(project_id="p", user_id="u", size=1, status="available")
    store.mark_in_use(volume, uuid.uuid4())
    with pytest.raises(Conflict):
        store.mark_in_use(volume, uuid.uuid4())


@pytest.mark.django_db(transaction=True)
def test_concurrent_mark_in_use_has_exactly_one_winner():
    volume = Volume.objects.create(project_id="p", user_id="u", size=1, status="available")
    servers = [uuid.uuid4() for _ in range(8)]
    barrier = threading.Barrier(len(servers))
    winners, losers = [], []

    def attach(server: uuid.UUID) -> None:
        try:
            barrier.wait()
            store.mark_in_use(Volume.objects.get(id=volume.id), server)
            winners.append(server)
        except Conflict:
            losers.append(server)
        finally:
            connection.close()

    threads = [threading.Thread(target=attach, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1 and len(losers) == len(servers) - 1
    assert Volume.objects.get(id=volume.id).attached_server_uuid == winners[0]
