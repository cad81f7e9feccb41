"""Neutron's paging and sorting on every network list (limit, marker, page_reverse, repeated
sort_key/sort_dir, the <collection>_links): walking a collection page by page forwards along
`next` and backwards along `previous` gives every item exactly once, in the requested order;
bad input is a 4xx NeutronError; a deep page costs the queries of the first."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from rest_framework.test import APIClient

from tests.network_l3_helpers import make_network, post

urlpatterns = [path("identity", include("identity.urls")), path("network", include("networks.api.urls"))]
handler404 = "core.errors.handler404"
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
V2 = "/network/v2.0"
# Names with ties, so that id decides between equal names.
NAMES = ["kilo", "alpha", "mike", "alpha", "delta", "kilo", "echo"]


@pytest.fixture
def lab(admin_api: APIClient) -> dict[str, Any]:
    """Seven of each: networks (one subnet each), ports, security groups, routers and
    floating IPs, all the admin's, with repeated names."""
    public = make_network(admin_api, "public", "172.24.4.0/24", **{"router:external": True})
    networks = [make_network(admin_api, name, f"10.{index}.0.0/24") for index, name in enumerate(NAMES)]
    for name in NAMES:
        assert post(admin_api, "ports", "port", {"network_id": networks[0]["id"], "name": name}).status_code == 201
        assert post(admin_api, "security-groups", "security_group", {"name": name}).status_code == 201
        assert post(admin_api, "routers", "router", {"name": name}).status_code == 201
        created = post(admin_api, "floatingips", "floatingip", {"floating_network_id": public["id"]})
        assert created.status_code == 201, created.content
    return {"public": public, "networks": networks}


def _get(api: APIClient, href: str) -> dict[str, Any]:
    """GET a link as a client follows it (the href is absolute)."""
    parts = urlsplit(href)
    assert parts.scheme == "http" and parts.netloc == "testserver", href
    response = api.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200, response.content
    return response.json()


def _link(body: dict[str, Any], collection: str, rel: str) -> str | None:
    links = [link["href"] for link in body.get(f"{collection}_links", []) if link["rel"] == rel]
    assert len(links) <= 1
    return links[0] if links else None


def walk(api: APIClient, collection: str, query: str, *, backwards: bool = False) -> list[dict[str, Any]]:
    """Every item, page by page: forwards along `next` from the first page, or backwards along
    `previous` from the last page (page_reverse=True without a marker); each page holds at
    most 2 items and never its marker."""
    wire = collection.replace("_", "-") if collection.startswith("security") else collection
    start = f"{V2}/{wire}?limit=2&{query}" + ("&page_reverse=True" if backwards else "")
    pages: list[list[dict[str, Any]]] = []
    body = _get(api, f"http://testserver{start}")
    while True:
        items = body[collection]
        assert 1 <= len(items) <= 2 or (not pages and not items)
        pages.append(items)
        href = _link(body, collection, "previous" if backwards else "next")
        if href is None:
            break
        marker = parse_qs(urlsplit(href).query)["marker"][0]
        assert marker == (items[0] if backwards else items[-1])["id"]
        body = _get(api, href)
        assert marker not in [item["id"] for item in body[collection]]
        assert len(pages) < 20, "endless pagination loop"
    if backwards:
        pages.reverse()
    return [item for page in pages for item in page]


def _ordered(items: list[dict[str, Any]], keys: list[tuple[str, str]]) -> list[str]:
    """The ids of ``items`` in the order of ``keys`` (then id ascending), computed here."""
    ordered = sorted(items, key=lambda item: item["id"])
    for key, direction in reversed(keys):
        ordered = sorted(ordered, key=lambda item: item[key], reverse=direction == "desc")
    return [item["id"] for item in ordered]


def _sort_query(keys: list[tuple[str, str]]) -> str:
    return "&".join(f"sort_key={key}&sort_dir={direction}" for key, direction in keys)


COLLECTIONS = {
    "networks": "networks",
    "subnets": "subnets",
    "ports": "ports",
    "security_groups": "security-groups",
    "security_group_rules": "security-group-rules",
    "routers": "routers",
    "floatingips": "floatingips",
}
ORDERS = {
    "networks": [[("name", "asc")], [("name", "desc")], [("name", "desc"), ("id", "asc")], [("created_at", "desc")]],
    "subnets": [[("network_id", "asc")], [("name", "desc")]],
    "ports": [[("name", "asc")], [("mac_address", "desc")], [("tenant_id", "asc"), ("name", "desc")]],
    "security_groups": [[("name", "asc")], [("name", "desc"), ("created_at", "asc")]],
    "security_group_rules": [[("security_group_id", "desc")], [("created_at", "asc")]],
    "routers": [[("name", "asc")], [("name", "desc")]],
    "floatingips": [[("floating_ip_address", "asc")], [("floating_ip_address", "desc")]],
}
CASES = [(collection, keys) for collection, orders in ORDERS.items() for keys in [[], *orders]]


@pytest.mark.parametrize(("collection", "keys"), CASES, ids=[f"{c}-{_sort_query(k) or 'default'}" for c, k in CASES])
def test_walking_pages_gives_each_item_once_in_order(admin_api, lab, collection, keys):
    everything = admin_api.get(f"{V2}/{COLLECTIONS[collection]}?{_sort_query(keys)}").json()[collection]
    assert len(everything) >= 7
    assert f"{collection}_links" not in admin_api.get(f"{V2}/{COLLECTIONS[collection]}").json()
    expected = [item["id"] for item in everything]
    if keys and "created_at" not in dict(keys):  # the documents show created_at to the second only
        assert expected == _ordered(everything, keys)
    forwards = [item["id"] for item in walk(admin_api, collection, _sort_query(keys))]
    backwards = [item["id"] for item in walk(admin_api, collection, _sort_query(keys), backwards=True)]
    assert forwards == expected
    assert backwards == expected


def test_limit_3_returns_3_and_links_as_neutron_writes_them(admin_api, lab):
    first = admin_api.get(f"{V2}/networks", {"limit": 3, "sort_key": "name", "sort_dir": "asc", "fields": "id"})
    body = first.json()
    assert [set(item) for item in body["networks"]] == [{"id"}] * 3
    assert body["networks_links"] == [
        {
            "rel": "next",
            "href": "http://testserver/network/v2.0/networks?limit=3&sort_key=name&sort_dir=asc&fields=id"
            f"&marker={body['networks'][-1]['id']}",
        }
    ]
    second = _get(admin_api, body["networks_links"][0]["href"])
    assert len(second["networks"]) == 3
    assert not {item["id"] for item in second["networks"]} & {item["id"] for item in body["networks"]}
    previous = _link(second, "networks", "previous")
    assert previous == (
        "http://testserver/network/v2.0/networks?limit=3&sort_key=name&sort_dir=asc&fields=id"
        f"&marker={second['networks'][0]['id']}&page_reverse=True"
    )
    assert _get(admin_api, previous)["networks"] == body["networks"]


def test_the_last_page_has_no_next_link(admin_api, lab):
    everything = admin_api.get(f"{V2}/routers").json()["routers"]
    last = admin_api.get(f"{V2}/routers", {"limit": 2, "marker": everything[-3]["id"]}).json()
    assert [item["id"] for item in last["routers"]] == [item["id"] for item in everything[-2:]]
    assert [link["rel"] for link in last["routers_links"]] == ["previous"]
    whole = admin_api.get(f"{V2}/routers", {"limit": len(everything)}).json()
    assert len(whole["routers"]) == len(everything) and "routers_links" not in whole


def test_filters_and_paging_together(admin_api, lab):
    """A column filter (name) and a filter on the documents (shared) page alike."""
    alphas = walk(admin_api, "networks", "name=alpha&name=kilo&sort_key=name&sort_dir=desc")
    assert [item["name"] for item in alphas] == ["kilo", "kilo", "alpha", "alpha"]
    internal = walk(admin_api, "networks", "router:external=False")
    assert len(internal) == len(NAMES) + 1 and all(not item["router:external"] for item in internal)  # + provider


@pytest.mark.parametrize(
    ("query", "status", "kind", "message"),
    [
        ("limit=x", 400, "BadRequest", "Bad limit request: Limit must be an integer 0 or greater and not 'x'."),
        ("limit=-1", 400, "BadRequest", "Bad limit request: Limit must be an integer 0 or greater and not '-1'."),
        ("sort_key=shared&sort_dir=asc", 400, "HTTPBadRequest", "['shared'] is invalid attribute for sort_keys"),
        ("sort_key=nope&sort_dir=asc", 400, "HTTPBadRequest", "['nope'] is invalid attribute for sort_keys"),
        (
            "sort_key=name&sort_dir=up",
            400,
            "HTTPBadRequest",
            "['up'] is invalid value for sort_dirs, valid value is 'asc' and 'desc'",
        ),
        ("sort_key=name", 400, "HTTPBadRequest", "The number of sort_keys and sort_dirs must be same"),
        ("sort_dir=asc", 400, "HTTPBadRequest", "The number of sort_keys and sort_dirs must be same"),
        (
            "limit=2&marker=5b5e9a14-4f1d-4a5e-9d36-1d4c7d0f0e9a",
            404,
            "NetworkNotFound",
            "Network 5b5e9a14-4f1d-4a5e-9d36-1d4c7d0f0e9a could not be found.",
        ),
        ("limit=2&marker=junk", 404, "NetworkNotFound", "Network junk could not be found."),
    ],
)
def test_bad_paging_is_a_neutron_error(admin_api, lab, query, status, kind, message):
    response = admin_api.get(f"{V2}/networks?{query}")
    assert response.status_code == status
    assert response.json() == {"NeutronError": {"type": kind, "message": message, "detail": ""}}


@pytest.mark.parametrize(
    ("collection", "kind"),
    [
        ("subnets", "SubnetNotFound"),
        ("ports", "PortNotFound"),
        ("security-groups", "SecurityGroupNotFound"),
        ("security-group-rules", "SecurityGroupRuleNotFound"),
        ("routers", "RouterNotFound"),
        ("floatingips", "FloatingIPNotFound"),
    ],
)
def test_an_unknown_marker_is_the_resources_404(admin_api, lab, collection, kind):
    response = admin_api.get(f"{V2}/{collection}?limit=2&marker=5b5e9a14-4f1d-4a5e-9d36-1d4c7d0f0e9a")
    assert response.status_code == 404 and response.json()["NeutronError"]["type"] == kind


def test_a_marker_the_caller_cannot_see_is_404(admin_api, demo_api, lab):
    hidden = lab["networks"][0]["id"]  # the admin project's, not shared
    response = demo_api.get(f"{V2}/networks?limit=2&marker={hidden}")
    assert response.status_code == 404 and response.json()["NeutronError"]["type"] == "NetworkNotFound"


def test_the_limit_is_capped_at_the_maximum_as_neutrons_pagination_max_limit(admin_api, lab, settings):
    """API_MAX_LIMIT plays Neutron's pagination_max_limit: min(max, limit) or max, so no
    list is unbounded (a limit PostgreSQL cannot hold is no 500 either)."""
    settings.API_MAX_LIMIT = 3
    everything = walk(admin_api, "networks", "")
    assert len(everything) == len(NAMES) + 2  # and public, provider
    for query in ("", "limit=0", "limit=99999999999999999999999"):
        page = admin_api.get(f"{V2}/networks?{query}").json()
        assert len(page["networks"]) == 3 and [link["rel"] for link in page["networks_links"]] == ["next"]
    after = admin_api.get(f"{V2}/networks?marker={everything[2]['id']}").json()["networks"]
    assert [item["id"] for item in after] == [item["id"] for item in everything[3:6]]


def _queries(api: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("collection", list(COLLECTIONS.values()))
def test_a_deep_page_costs_what_the_first_costs(admin_api, lab, collection):
    """The first page and a page deep in the list: the same queries, plus one for the
    marker's row (its sort-key values)."""
    key = collection.replace("-", "_")
    everything = admin_api.get(f"{V2}/{collection}").json()[key]
    first = _queries(admin_api, f"{V2}/{collection}?limit=2")
    shallow = _queries(admin_api, f"{V2}/{collection}?limit=2&marker={everything[0]['id']}")
    deep = _queries(admin_api, f"{V2}/{collection}?limit=2&marker={everything[-4]['id']}")
    reverse = _queries(admin_api, f"{V2}/{collection}?limit=2&page_reverse=True&marker={everything[-1]['id']}")
    assert shallow == deep == reverse == first + 1


def test_ports_by_fixed_ip_go_by_the_allocations(admin_api, lab):
    network = lab["networks"][1]
    port = post(admin_api, "ports", "port", {"network_id": network["id"]}).json()["port"]
    address = port["fixed_ips"][0]["ip_address"]
    found = admin_api.get(f"{V2}/ports", {"fixed_ips": f"ip_address={address}"}).json()["ports"]
    assert [item["id"] for item in found] == [port["id"]]
    both = {"fixed_ips": [f"ip_address={address}", f"subnet_id={network['subnet']['id']}"]}
    assert [item["id"] for item in admin_api.get(f"{V2}/ports", both).json()["ports"]] == [port["id"]]
    elsewhere = {"fixed_ips": [f"ip_address={address}", f"subnet_id={lab['networks'][2]['subnet']['id']}"]}
    assert admin_api.get(f"{V2}/ports", elsewhere).json()["ports"] == []
    assert admin_api.get(f"{V2}/ports", {"fixed_ips": "ip_address=not-an-ip"}).json()["ports"] == []
