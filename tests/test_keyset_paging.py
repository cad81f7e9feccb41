"""Keyset paging (core.paging) as GET /servers uses it: following the markers page by page
gives exactly the list one big page gives, for every supported sort key, both directions,
several keys at once, NULLs and ties; and one index per sort key backs it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.principal import Caller
from servers.models import Server
from servers.models.server import SORTED_COLUMNS
from servers.services import listing
from servers.services.listing import ServerQuery

pytestmark = pytest.mark.django_db
ADMIN = Caller("admin-user", "p1", is_admin=True)
FLAVOR = {"flavorid": "1", "name": "tiny", "vcpus": 1, "memory_mb": 64, "root_gb": 1}


@pytest.fixture
def servers() -> list[Server]:
    """Nine servers with ties (same name, same created_at) and NULLs in nullable keys."""
    made = []
    base = timezone.now().replace(microsecond=0)
    for index in range(9):
        server = Server.objects.create(
            name=f"vm-{index % 3}",
            project_id="p1",
            user_id=f"u{index % 2}",
            flavor=FLAVOR,
            host=None if index % 3 == 0 else f"h{index % 2}",
            node=None if index % 3 == 0 else f"h{index % 2}",
            task_state=None if index % 2 else "spawning",
            launched_at=None if index % 4 == 0 else base - timedelta(minutes=index % 2),
            vm_state="active",
        )
        made.append(server)
    # Ties on created_at too, so the id tie-breaker decides.
    Server.objects.filter(id__in=[server.id for server in made[:4]]).update(created_at=base)
    return made


def walk(query: ServerQuery, size: int) -> list[str]:
    """Every server of ``query``'s order, following the markers ``size`` at a time."""
    seen: list[str] = []
    marker = None
    while True:
        page = listing.list_servers(ADMIN, ServerQuery(**{**query.__dict__, "limit": size, "marker": marker}))
        seen += [str(server.uuid) for server in page.servers]
        if page.next_marker is None:
            return seen
        marker = page.next_marker


ORDERS = [
    ((), ()),
    *(((key,), (direction,)) for key in listing.SORT_KEYS for direction in ("asc", "desc")),
    (("display_name", "host"), ("asc", "desc")),
    (("host", "launched_at", "display_name"), ("desc", "asc")),
    (("task_state", "user_id"), ()),
    (("user_id", "host", "launched_at"), ("asc",)),
    (("task_state", "launched_at", "host"), ("desc",)),
    (("task_state", "node"), ("asc", "asc")),
]


@pytest.mark.parametrize(("keys", "dirs"), ORDERS)
def test_marker_pages_give_the_whole_order(servers, keys, dirs):
    query = ServerQuery(limit=1000, all_tenants=True, sort_keys=keys, sort_dirs=dirs)
    everything = [str(server.uuid) for server in listing.list_servers(ADMIN, query).servers]
    assert sorted(everything) == sorted(str(server.uuid) for server in servers)
    for size in (1, 2, 4):
        assert walk(query, size) == everything


def test_nulls_sort_last_ascending_and_first_descending(servers):
    def hosts(direction: str) -> list[str | None]:
        query = ServerQuery(limit=100, all_tenants=True, sort_keys=("host",), sort_dirs=(direction,))
        return [server.host for server in listing.list_servers(ADMIN, query).servers]

    assert hosts("asc") == ["h0", "h0", "h0", "h1", "h1", "h1", None, None, None]
    assert hosts("desc") == list(reversed(hosts("asc")))


def test_tie_breakers_follow_the_first_direction_as_in_nova(servers):
    """sort_key=display_name&sort_dir=asc: created_at and id ascending too."""
    query = ServerQuery(limit=100, all_tenants=True, sort_keys=("display_name",), sort_dirs=("asc",))
    rows = listing.list_servers(ADMIN, query).servers
    assert [row.pk for row in rows] == [
        server.pk
        for server in sorted(
            servers, key=lambda server: (server.name, Server.objects.get(id=server.id).created_at, server.id)
        )
    ]


def test_every_sort_key_has_an_index():
    columns = set(listing.SORT_KEYS.values()) - {"created_at", "uuid"}
    assert columns == set(SORTED_COLUMNS)
    names = {index.name for index in Server._meta.indexes}
    assert "server_created_sort_idx" in names
    for column in SORTED_COLUMNS:
        assert any(index.fields == [column, "created_at", "id"] for index in Server._meta.indexes), column
