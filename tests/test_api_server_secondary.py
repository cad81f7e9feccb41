"""Server tags (2.26), addresses (/ips) and the server password, through the HTTP API."""

from __future__ import annotations

import pytest

from networks.models import Network, Port
from servers.models import Server

from .servers_helpers import demo_server

pytestmark = pytest.mark.django_db

V226 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.26"}


@pytest.fixture
def server(demo_api):
    return demo_server(node=None)


def url(server: Server, tail: str) -> str:
    return f"/compute/v2.1/servers/{server.uuid}/{tail}"


# --- tags ------------------------------------------------------------------------------


def test_tags_need_2_26(demo_api, server):
    assert demo_api.get(url(server, "tags")).status_code == 404


def test_a_tag_is_added_checked_listed_and_removed(demo_api, server):
    created = demo_api.put(url(server, "tags/blue"), **V226)
    assert created.status_code == 201 and created["Location"].endswith(f"/servers/{server.uuid}/tags/blue")
    assert demo_api.put(url(server, "tags/blue"), **V226).status_code == 204
    assert demo_api.get(url(server, "tags/blue"), **V226).status_code == 204
    assert demo_api.get(url(server, "tags"), **V226).json() == {"tags": ["blue"]}
    shown = demo_api.get(f"/compute/v2.1/servers/{server.uuid}", **V226).json()["server"]
    assert shown["tags"] == ["blue"]
    assert demo_api.delete(url(server, "tags/blue"), **V226).status_code == 204
    assert demo_api.get(url(server, "tags/blue"), **V226).status_code == 404
    assert demo_api.delete(url(server, "tags/blue"), **V226).status_code == 404


def test_replace_all_and_delete_all(demo_api, server):
    demo_api.put(url(server, "tags/old"), **V226)
    replaced = demo_api.put(url(server, "tags"), {"tags": ["a", "b", "a"]}, format="json", **V226)
    assert replaced.status_code == 200 and sorted(replaced.json()["tags"]) == ["a", "b"]
    assert sorted(demo_api.get(url(server, "tags"), **V226).json()["tags"]) == ["a", "b"]
    assert demo_api.delete(url(server, "tags"), **V226).status_code == 204
    assert demo_api.get(url(server, "tags"), **V226).json() == {"tags": []}


@pytest.mark.parametrize("tags", [["a/b"], ["a,b"], [""], ["x" * 61], [f"t{i}" for i in range(51)], "a"])
def test_bad_tag_lists_are_400(demo_api, server, tags):
    response = demo_api.put(url(server, "tags"), {"tags": tags}, format="json", **V226)
    assert response.status_code == 400, response.content


def test_bad_single_tags_and_the_limit_are_400(demo_api, server):
    assert demo_api.put(url(server, "tags/a,b"), **V226).status_code == 400
    demo_api.put(url(server, "tags"), {"tags": [f"t{i}" for i in range(50)]}, format="json", **V226)
    response = demo_api.put(url(server, "tags/one-more"), **V226)
    assert response.status_code == 400
    assert response.json()["badRequest"]["message"] == "The number of tags exceeded the per-server limit 50"


def test_tags_need_a_settled_vm_state_but_not_an_unlocked_server(demo_api, server):
    Server.objects.filter(pk=server.pk).update(locked=True, locked_by="admin", task_state="pausing")
    assert demo_api.put(url(server, "tags/x"), **V226).status_code == 201
    Server.objects.filter(pk=server.pk).update(vm_state="building")
    response = demo_api.put(url(server, "tags/y"), **V226)
    assert response.status_code == 409
    assert response.json()["conflictingRequest"]["message"] == (
        f"Cannot 'update tag' instance {server.uuid} while it is in vm_state building"
    )
    assert demo_api.delete(url(server, "tags"), **V226).status_code == 409
    assert demo_api.get(url(server, "tags"), **V226).json() == {"tags": ["x"]}


def test_list_filters_on_tags(demo_api, server):
    other = Server.objects.create(
        name="vm2", project_id=server.project_id, user_id=server.user_id, flavor=server.flavor, vm_state="active"
    )
    demo_api.put(url(server, "tags"), {"tags": ["a", "b"]}, format="json", **V226)
    demo_api.put(url(other, "tags"), {"tags": ["a"]}, format="json", **V226)

    def names(query: str) -> set[str]:
        return {s["name"] for s in demo_api.get(f"/compute/v2.1/servers?{query}", **V226).json()["servers"]}

    assert names("tags=a,b") == {"vm"}
    assert names("tags-any=b,zzz") == {"vm"}
    assert names("tags=a") == {"vm", "vm2"}
    assert names("not-tags=a,b") == {"vm2"}
    assert names("not-tags-any=b") == {"vm2"}
    assert names("not-tags-any=a") == set()


# --- addresses ---------------------------------------------------------------------------


def test_addresses_by_network(demo_api, server):
    network = Network.objects.create(name="private", project_id=server.project_id)
    Port.objects.create(
        network=network,
        project_id=server.project_id,
        mac_address="fa:16:3e:00:00:01",
        fixed_ips=[{"subnet_id": "s", "ip_address": "10.0.0.5"}, {"subnet_id": "t", "ip_address": "fd00::5"}],
        device_id=str(server.uuid),
    )
    expected = [{"version": 4, "addr": "10.0.0.5"}, {"version": 6, "addr": "fd00::5"}]
    assert demo_api.get(url(server, "ips")).json() == {"addresses": {"private": expected}}
    assert demo_api.get(url(server, "ips/private")).json() == {"private": expected}
    missing = demo_api.get(url(server, "ips/public"))
    assert missing.status_code == 404
    assert missing.json()["itemNotFound"]["message"] == "Instance is not a member of specified network"
    assert demo_api.get("/compute/v2.1/servers/999/ips").status_code == 404


# --- password ----------------------------------------------------------------------------


def test_password_is_shown_and_cleared(demo_api, server):
    assert demo_api.get(url(server, "os-server-password")).json() == {"password": ""}
    Server.objects.filter(pk=server.pk).update(password="c2VjcmV0")
    assert demo_api.get(url(server, "os-server-password")).json() == {"password": "c2VjcmV0"}
    assert demo_api.delete(url(server, "os-server-password")).status_code == 204
    assert demo_api.get(url(server, "os-server-password")).json() == {"password": ""}
