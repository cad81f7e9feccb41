"""GET /servers and /servers/detail as the clients call them (paging with next links only
when a page follows, sort keys, changes-since, deleted=False, regex filters) and PUT
/servers/{id}; no workers needed."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.exceptions import Forbidden, PolicyNotAuthorized
from core.principal import Caller
from identity.models import Project, User
from servers.models import Server
from servers.services import listing
from servers.services.listing import ServerQuery

from .test_compute_api import create_body

pytestmark = pytest.mark.django_db
LATEST = {"HTTP_OPENSTACK_API_VERSION": "compute 2.96"}


def make(api, *names: str) -> list[str]:
    ids = []
    for name in names:
        response = api.post("/compute/v2.1/servers", create_body(name=name), format="json")
        assert response.status_code == 202, response.content
        ids.append(response.json()["server"]["id"])
    return ids


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [server["name"] for server in response.json()["servers"]]


def test_paging_follows_next_links_to_the_end(demo_api):
    make(demo_api, "a", "b", "c", "d", "e")
    seen: list[str] = []
    url: str | None = "/compute/v2.1/servers/detail?limit=2&sort_key=display_name&sort_dir=asc"
    pages = 0
    while url:
        response = demo_api.get(url, **LATEST)
        seen += names(response)
        links = response.json().get("servers_links")
        url = None
        if links:
            assert links[0]["rel"] == "next"
            parsed = urlparse(links[0]["href"])
            assert parsed.path == "/compute/v2.1/servers/detail"
            query = parse_qs(parsed.query)
            assert query["limit"] == ["2"] and query["sort_key"] == ["display_name"] and "marker" in query
            url = f"{parsed.path}?{parsed.query}"
        pages += 1
    assert seen == ["a", "b", "c", "d", "e"] and pages == 3
    # An exactly full last page has no next link (the SDK would follow it).
    assert "servers_links" not in demo_api.get("/compute/v2.1/servers?limit=5").json()
    assert "servers_links" not in demo_api.get("/compute/v2.1/servers").json()


def test_sorting_and_default_order(demo_api):
    make(demo_api, "b", "a", "c")
    assert names(demo_api.get("/compute/v2.1/servers")) == ["c", "a", "b"]  # newest first
    assert names(demo_api.get("/compute/v2.1/servers?sort_key=display_name&sort_dir=asc")) == ["a", "b", "c"]
    assert names(demo_api.get("/compute/v2.1/servers?sort_key=display_name")) == ["c", "b", "a"]  # desc default
    assert demo_api.get("/compute/v2.1/servers?sort_key=bogus").status_code == 400
    assert demo_api.get("/compute/v2.1/servers?sort_dir=asc").status_code == 400
    assert demo_api.get("/compute/v2.1/servers?sort_key=host").status_code == 403  # admin only
    assert demo_api.get("/compute/v2.1/servers?sort_key=progress").status_code == 200  # accepted, ignored


def test_marker_errors(demo_api):
    make(demo_api, "a")
    assert demo_api.get("/compute/v2.1/servers?marker=nope").status_code == 400
    assert demo_api.get("/compute/v2.1/servers?limit=-1").status_code == 400
    assert demo_api.get("/compute/v2.1/servers?name=%00").status_code == 400


def test_filters_the_client_sends(admin_api, demo_api):
    first, second = make(demo_api, "web-1", "db-1")
    assert names(demo_api.get("/compute/v2.1/servers/detail?deleted=False", **LATEST)) == ["db-1", "web-1"]
    assert names(demo_api.get("/compute/v2.1/servers?name=^web")) == ["web-1"]
    assert names(demo_api.get("/compute/v2.1/servers?name=[")) == []  # a bad regex is literal, not a 500
    assert names(demo_api.get(f"/compute/v2.1/servers?uuid={second}")) == ["db-1"]
    past = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    future = (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(names(demo_api.get(f"/compute/v2.1/servers?changes-since={past}"))) == 2
    assert names(demo_api.get(f"/compute/v2.1/servers?changes-since={future}")) == []
    assert demo_api.get("/compute/v2.1/servers?changes-since=yesterday").status_code == 400
    # Any offset Python reads is compared in UTC (PostgreSQL refuses offsets beyond 15:59), and
    # a time that leaves the years 1-9999 in UTC is refused, never a 500 (schemathesis found it).
    assert len(names(demo_api.get("/compute/v2.1/servers?changes-since=1000-08-10T09:34:19%2B17:07"))) == 2
    assert demo_api.get("/compute/v2.1/servers?changes-since=0001-01-01T00:00:00%2B05:00").status_code == 400
    # changes-since also lists what was deleted since; admins may ask for deleted servers.
    Server.objects.filter(uuid=first).update(deleted=True, vm_state="deleted", updated_at=timezone.now())
    assert names(demo_api.get("/compute/v2.1/servers")) == ["db-1"]
    assert set(names(demo_api.get(f"/compute/v2.1/servers?changes-since={past}"))) == {"web-1", "db-1"}
    assert names(admin_api.get("/compute/v2.1/servers?all_tenants=1&deleted=True")) == ["web-1"]
    assert names(demo_api.get("/compute/v2.1/servers?deleted=True")) == ["db-1"]  # ignored for members


def test_update_name_description_hostname(demo_api, admin_api):
    [server_id] = make(demo_api, "old")
    url = f"/compute/v2.1/servers/{server_id}"
    response = demo_api.put(url, {"server": {"name": "new", "description": "mine"}}, format="json", **LATEST)
    assert response.status_code == 200, response.content
    body = response.json()["server"]
    assert body["name"] == "new" and body["description"] == "mine" and body["id"] == server_id
    response = demo_api.put(url, {"server": {"hostname": "web01"}}, format="json", **LATEST)
    assert response.status_code == 200 and response.json()["server"]["OS-EXT-SRV-ATTR:hostname"] == "web01"
    old_view = demo_api.get(url, HTTP_OPENSTACK_API_VERSION="compute 2.89").json()["server"]
    assert "OS-EXT-SRV-ATTR:hostname" not in old_view  # members see it from 2.90
    assert admin_api.get(url, **LATEST).json()["server"]["OS-EXT-SRV-ATTR:hostname"] == "web01"
    # description needs 2.19, hostname 2.90; unknown keys and bad names are 400.
    assert demo_api.put(url, {"server": {"description": "x"}}, format="json").status_code == 400
    assert (
        demo_api.put(
            url, {"server": {"hostname": "x"}}, format="json", HTTP_OPENSTACK_API_VERSION="compute 2.89"
        ).status_code
        == 400
    )
    bad: object
    for bad in (
        {"server": {"name": " padded"}},
        {"server": {"color": "red"}},
        {"server": "x"},
        [],
        {"server": {"accessIPv4": "::1"}},
    ):
        assert demo_api.put(url, bad, format="json", **LATEST).status_code == 400, bad
    assert demo_api.put("/compute/v2.1/servers/by-name", {"server": {"name": "x"}}, format="json").status_code == 404
    assert Server.objects.get(uuid=server_id).name == "new"


def test_server_by_name_is_404_for_the_clients_lookup(demo_api):
    make(demo_api, "vm-by-name")
    response = demo_api.get("/compute/v2.1/servers/vm-by-name", **LATEST)
    assert response.status_code == 404 and "itemNotFound" in response.json()


def test_fields_by_microversion(admin_api, demo_api):
    [server_id] = make(demo_api, "fields")
    url = f"/compute/v2.1/servers/{server_id}"
    admin_view = admin_api.get(url, **LATEST).json()["server"]
    assert admin_view["host_status"] == "" and admin_view["trusted_image_certificates"] is None
    assert admin_view["server_groups"] == []
    member_view = demo_api.get(url, **LATEST).json()["server"]
    assert "host_status" not in member_view and member_view["server_groups"] == []
    old = demo_api.get(url, HTTP_OPENSTACK_API_VERSION="compute 2.15").json()["server"]
    assert not {"host_status", "server_groups", "trusted_image_certificates"} & set(old)
    Server.objects.filter(uuid=server_id).update(host="nowhere")
    assert admin_api.get(url, **LATEST).json()["server"]["host_status"] == "UNKNOWN"


def test_state_filters_for_admins(admin_api, demo_api):
    first, second = make(demo_api, "one", "two")
    Server.objects.filter(uuid=first).update(vm_state="stopped", power_state=4, task_state=None)
    base = "/compute/v2.1/servers?all_tenants=1"
    assert names(admin_api.get(f"{base}&vm_state=stopped")) == ["one"]
    assert names(admin_api.get(f"{base}&power_state=4")) == ["one"]
    assert names(admin_api.get(f"{base}&task_state=scheduling")) == ["two"]
    assert admin_api.get(f"{base}&power_state=off").status_code == 400
    assert len(names(demo_api.get("/compute/v2.1/servers?vm_state=stopped"))) == 2  # admin-only: ignored
    reservation = Server.objects.get(uuid=second).reservation_id
    assert names(demo_api.get(f"/compute/v2.1/servers?reservation_id={reservation}")) == ["two"]
    # Tag filters exist from 2.26 (no server has tag a); Nova ignores them before.
    assert names(demo_api.get("/compute/v2.1/servers?tags=a", HTTP_OPENSTACK_API_VERSION="compute 2.26")) == []
    assert len(names(demo_api.get("/compute/v2.1/servers?tags=a"))) == 2


def test_the_list_policy_is_the_service_layers(demo_api, admin_api):
    """all_tenants, operator sort keys and operator filters are decided by the service
    function, so the admin console and commands get the same answers as the API."""
    mine = make(demo_api, "mine")
    make(admin_api, "theirs")
    demo = Project.objects.get(name="demo").id
    member = Caller(User.objects.get(name="demo").id, demo, is_admin=False)
    with pytest.raises(PolicyNotAuthorized) as refused:
        listing.list_servers(member, ServerQuery(limit=10, all_tenants=True))
    assert refused.value.rule == "os_compute_api:servers:index:get_all_tenants"
    with pytest.raises(Forbidden, match="^Only administrators can sort servers by host$"):
        listing.list_servers(member, ServerQuery(limit=10, sort_keys=("host",)))
    # A member's operator filters are ignored (not even parsed), as Nova ignores them.
    page = listing.list_servers(member, ServerQuery(limit=10, host="nowhere", deleted="garbage"))
    assert [str(server.uuid) for server in page.servers] == mine
    admin = Caller(User.objects.get(name="admin").id, Project.objects.get(name="admin").id, is_admin=True)
    assert listing.list_servers(admin, ServerQuery(limit=10, all_tenants=True, host="nowhere")).servers == []
    assert len(listing.list_servers(admin, ServerQuery(limit=10, all_tenants=True)).servers) == 2


def test_ip_filters_find_servers_by_a_part_of_an_address(demo_api):
    """Nova's ip and ip6 filters ask Neutron for ports with ip_address_substr: a server is
    listed when one of its fixed IPs contains the text (not a subnet id that happens to)."""
    from networks.models import Network, Port

    first, second, third = make(demo_api, "a", "b", "c")
    network = Network.objects.create(name="net", project_id=Project.objects.get(name="demo").id)
    addresses = {first: "10.0.0.1", second: "10.0.0.12", third: "fd00::12"}
    for index, (server_id, address) in enumerate(addresses.items()):
        Port.objects.create(
            network=network,
            project_id=network.project_id,
            mac_address=f"fa:16:3e:00:01:{index:02x}",
            fixed_ips=[{"subnet_id": "10000000-0000-0000-0000-000000000001", "ip_address": address}],
            device_id=server_id,
            device_owner="compute:nova",
        )
    assert sorted(names(demo_api.get("/compute/v2.1/servers?ip=10.0.0.1"))) == ["a", "b"]
    with CaptureQueriesContext(connection) as queries:
        assert names(demo_api.get("/compute/v2.1/servers?ip=10.0.0.12")) == ["b"]
    # The ports are narrowed in SQL, where the trigram index of fixed_ips serves the LIKE.
    [ports] = [query["sql"] for query in queries.captured_queries if '"networks_port"' in query["sql"]]
    assert "UPPER" in ports and "LIKE" in ports
    assert names(demo_api.get("/compute/v2.1/servers?ip6=fd00::")) == ["c"]
    assert names(demo_api.get("/compute/v2.1/servers?ip=000-0000")) == []  # only in the subnet id
    assert names(demo_api.get("/compute/v2.1/servers?ip=192.168")) == []
