"""openstacksdk 4.22 against the live network API: ``conn.network.networks(limit=2)`` follows
the ``networks_links`` ``next`` links page by page and sees every network exactly once (a
link to the same page again, or a page holding its marker, would loop or repeat)."""

from __future__ import annotations

from typing import Any

import openstack.connection
import pytest
from django.core.signals import request_started

from novasite.demo import seed

pytestmark = [
    pytest.mark.filterwarnings("ignore::openstack.warnings.OpenStackDeprecationWarning"),
    pytest.mark.filterwarnings("ignore::openstack.warnings._RemovedInSDKWarning"),
]


@pytest.fixture
def conn(live_server, transactional_db, settings, tmp_path) -> openstack.connection.Connection:
    settings.IMAGE_DIR = str(tmp_path / "images")
    seed("secret", "secret")
    return openstack.connection.Connection(
        auth_url=f"{live_server.url}/identity/v3",
        username="admin",
        password="secret",
        project_name="admin",
        user_domain_name="Default",
        project_domain_name="Default",
        region_name="RegionOne",
        identity_api_version="3",
    )


@pytest.fixture
def network_requests() -> Any:
    """The query strings of the GET /network/v2.0/networks requests the server receives."""
    seen: list[str] = []

    def count(sender: Any, environ: dict[str, str], **kwargs: Any) -> None:
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") == "/network/v2.0/networks":
            seen.append(environ.get("QUERY_STRING", ""))

    request_started.connect(count, weak=False)
    yield seen
    request_started.disconnect(count)


def test_the_sdk_pages_through_every_network_once(conn, network_requests):
    for index in range(7):
        conn.network.create_network(name=f"paged-{index}")
    try:
        everything = [network.id for network in conn.network.networks()]
        assert len(everything) >= 8 and network_requests == [""]
        network_requests.clear()
        paged = [network.id for network in conn.network.networks(limit=2)]
        assert paged == everything
        assert len(paged) == len(set(paged))
        assert all("limit=2" in query for query in network_requests)
        # One request per page of two, along the next links (marker after limit, as our links
        # write them); after a full last page without a next link the SDK asks once more on
        # its own (marker first), and that page is empty.
        pages = (len(everything) + 1) // 2
        assert all(query.startswith("limit=2&marker=") for query in network_requests[1:pages])
        assert len(network_requests) == pages + (len(everything) % 2 == 0)
    finally:
        conn.close()
