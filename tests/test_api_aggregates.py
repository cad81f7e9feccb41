"""os-aggregates over HTTP: CRUD, host membership, metadata and zones, microversion fields,
policy and Nova-format errors."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import BadRequest, PolicyNotAuthorized
from core.principal import Caller
from hosts.heartbeats import record_heartbeat
from hosts.models import Aggregate, AggregateHost, ComputeNode
from hosts.services import aggregates
from servers.models import Server

pytestmark = pytest.mark.django_db
BASE = "/compute/v2.1/os-aggregates"
V = {"HTTP_OPENSTACK_API_VERSION": "compute 2.81"}


@pytest.fixture
def hosts(cloud):
    """Compute hosts known to the cloud: compute1-3 (seeded zones nova, nova, az2) and spare."""
    for host in ("compute1", "compute2", "compute3", "spare"):
        record_heartbeat(host, "nova-compute")


def create(api, name="agg1", zone=None, **headers):
    body = {"aggregate": {"name": name, **({"availability_zone": zone} if zone else {})}}
    return api.post(BASE, body, format="json", **(headers or V))


def action(api, aggregate_id, body):
    return api.post(f"{BASE}/{aggregate_id}/action", body, format="json")


CREATED_KEYS = {"id", "name", "availability_zone", "created_at", "updated_at", "deleted_at", "deleted"}
SHOWN_KEYS = CREATED_KEYS | {"hosts", "metadata"}


def test_create_show_list_and_delete(admin_api, hosts):
    response = create(admin_api, "aggr_cli", "nova")
    assert response.status_code == 200, response.content
    agg = response.json()["aggregate"]
    # Nova's create answer has no hosts and no metadata (Tempest's aggregate_for_create is
    # additionalProperties false); this test used to pin both.
    assert set(agg) == CREATED_KEYS | {"uuid"}
    assert isinstance(agg["id"], int) and agg["uuid"] and agg["name"] == "aggr_cli"
    assert agg["availability_zone"] == "nova"
    assert agg["deleted"] is False and agg["deleted_at"] is None
    assert agg["created_at"]
    shown = admin_api.get(f"{BASE}/{agg['id']}", **V).json()["aggregate"]
    assert set(shown) == SHOWN_KEYS | {"uuid"}
    assert shown["metadata"] == {"availability_zone": "nova"} and shown["hosts"] == []
    listed = {a["name"]: a for a in admin_api.get(BASE, **V).json()["aggregates"]}
    assert {"nova", "az2", "aggr_cli"} <= set(listed)
    assert listed["nova"]["hosts"] == ["compute1", "compute2"] and "metadata" in listed["nova"]
    assert admin_api.get(f"{BASE}/{agg['id']}", **V).json()["aggregate"]["name"] == "aggr_cli"
    assert admin_api.delete(f"{BASE}/{agg['id']}", **V).status_code == 200
    assert admin_api.get(f"{BASE}/{agg['id']}", **V).status_code == 404


def test_uuid_only_from_2_41(admin_api, hosts):
    created = create(admin_api, HTTP_OPENSTACK_API_VERSION="compute 2.40").json()["aggregate"]
    assert set(created) == CREATED_KEYS
    agg_id = created["id"]
    old = admin_api.get(f"{BASE}/{agg_id}", HTTP_OPENSTACK_API_VERSION="compute 2.40").json()["aggregate"]
    new = admin_api.get(f"{BASE}/{agg_id}", HTTP_OPENSTACK_API_VERSION="compute 2.41").json()["aggregate"]
    assert set(old) == SHOWN_KEYS and set(new) == SHOWN_KEYS | {"uuid"}
    for version in ("2.1", "2.41"):
        headers = {"HTTP_OPENSTACK_API_VERSION": f"compute {version}"}
        expected = SHOWN_KEYS | ({"uuid"} if version == "2.41" else set())
        for row in admin_api.get(BASE, **headers).json()["aggregates"]:
            assert set(row) == expected
        for body in (
            {"add_host": {"host": "spare"}},
            {"set_metadata": {"metadata": {"k": "v"}}},
            {"remove_host": {"host": "spare"}},
        ):
            answer = admin_api.post(f"{BASE}/{agg_id}/action", body, format="json", **headers)
            assert answer.status_code == 200 and set(answer.json()["aggregate"]) == expected
        updated = admin_api.put(f"{BASE}/{agg_id}", {"aggregate": {"name": f"v{version}"}}, format="json", **headers)
        assert updated.status_code == 200 and set(updated.json()["aggregate"]) == expected
        assert updated.json()["aggregate"]["updated_at"]


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {},
        {"aggregate": "x"},
        {"aggregate": {}},
        {"aggregate": {"name": ""}},
        {"aggregate": {"name": "   "}},
        {"aggregate": {"name": 5}},
        {"aggregate": {"name": "x" * 256}},
        {"aggregate": {"name": "a", "availability_zone": 3}},
        {"aggregate": {"name": "a", "extra": 1}},
        {"aggregate": {"name": "a\x00b"}},
        {"aggregate": {"name": 12345}},
        {"aggregate": {"name": True}},
        {"aggregate": {"name": " leading"}},
        {"aggregate": {"name": "trailing "}},
        {"aggregate": {"name": "a", "availability_zone": ""}},
        {"aggregate": {"name": "a", "availability_zone": "zone:1"}},
        {"aggregate": {"name": "a", "availability_zone": " az"}},
        {"aggregate": {"name": "a"}, "extra": {}},
    ],
)
def test_create_bad_bodies_are_400(admin_api, hosts, body):
    response = admin_api.post(BASE, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["badRequest"]["code"] == 400


def test_create_duplicate_name_is_409(admin_api, hosts):
    assert create(admin_api, "dup").status_code == 200
    response = create(admin_api, "dup")
    assert response.status_code == 409 and "conflictingRequest" in response.json()


def test_create_accepts_a_null_zone_and_any_zone_name(admin_api, hosts):
    """Nova's schema takes a null zone; its zone rules do not reserve the internal zone."""
    response = admin_api.post(BASE, {"aggregate": {"name": "nozone", "availability_zone": None}}, format="json")
    assert response.status_code == 200 and response.json()["aggregate"]["availability_zone"] is None
    # This test used to pin a 400 for the internal zone, which Nova does not refuse.
    assert create(admin_api, "inner", "internal").json()["aggregate"]["availability_zone"] == "internal"


def test_lookup_by_name_is_400_and_unknown_id_404(admin_api, hosts):
    response = admin_api.get(f"{BASE}/aggr_cli")
    assert response.status_code == 400 and "badRequest" in response.json()
    assert admin_api.get(f"{BASE}/99999").status_code == 404
    assert admin_api.get(f"{BASE}/99999999999999999999").status_code == 404
    assert admin_api.post(f"{BASE}/99999/action", {"add_host": {"host": "spare"}}, format="json").status_code == 404


@pytest.mark.parametrize("method", ["get", "delete", "put", "action"])
def test_negative_and_unknown_integer_ids_are_404(admin_api, hosts, method):
    """Nova reads any integer as an id (Tempest shows and deletes aggregate -1: 404)."""
    for agg_id in ("-1", "0", "2147483648"):
        url = f"{BASE}/{agg_id}"
        if method == "put":
            response = admin_api.put(url, {"aggregate": {"name": "x"}}, format="json")
        elif method == "action":
            response = admin_api.post(f"{url}/action", {"set_metadata": {"metadata": {}}}, format="json")
        else:
            response = getattr(admin_api, method)(url)
        assert response.status_code == 404, (agg_id, response.content)
        assert "itemNotFound" in response.json()
    assert admin_api.delete(f"{BASE}/1.5").status_code == 400


def test_update_name_and_zone(admin_api, hosts):
    agg_id = create(admin_api, "upd").json()["aggregate"]["id"]
    response = admin_api.put(
        f"{BASE}/{agg_id}", {"aggregate": {"name": "renamed", "availability_zone": "az9"}}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()["aggregate"]
    assert body["name"] == "renamed" and body["availability_zone"] == "az9"
    assert body["metadata"]["availability_zone"] == "az9"
    assert admin_api.put(f"{BASE}/{agg_id}", {"aggregate": {}}, format="json").status_code == 400
    assert admin_api.put(f"{BASE}/{agg_id}", {"aggregate": {"name": "nova"}}, format="json").status_code == 409
    assert admin_api.put(f"{BASE}/{agg_id}", {"aggregate": {"bogus": 1}}, format="json").status_code == 400
    assert admin_api.put(f"{BASE}/{agg_id}", {"aggregate": {"name": 7}}, format="json").status_code == 400


def test_update_strips_the_name_and_never_empties_the_zone(admin_api, hosts):
    agg_id = create(admin_api, "strip", "zoneU").json()["aggregate"]["id"]
    renamed = admin_api.put(f"{BASE}/{agg_id}", {"aggregate": {"name": "  spaced  "}}, format="json")
    assert renamed.status_code == 200 and renamed.json()["aggregate"]["name"] == "spaced"
    emptied = admin_api.put(f"{BASE}/{agg_id}", {"aggregate": {"availability_zone": None}}, format="json")
    assert emptied.status_code == 400 and "badRequest" in emptied.json()
    unset = action(admin_api, agg_id, {"set_metadata": {"metadata": {"availability_zone": None}}})
    assert unset.status_code == 400
    assert admin_api.get(f"{BASE}/{agg_id}").json()["aggregate"]["availability_zone"] == "zoneU"


def test_add_and_remove_host(admin_api, hosts):
    agg_id = create(admin_api, "members", "nova").json()["aggregate"]["id"]
    response = action(admin_api, agg_id, {"add_host": {"host": "compute1"}})
    assert response.status_code == 200, response.content
    assert response.json()["aggregate"]["hosts"] == ["compute1"]
    assert response.json()["aggregate"]["metadata"] == {"availability_zone": "nova"}
    again = action(admin_api, agg_id, {"add_host": {"host": "compute1"}})
    assert again.status_code == 409 and "conflictingRequest" in again.json()
    unknown = action(admin_api, agg_id, {"add_host": {"host": "nowhere"}})
    assert unknown.status_code == 404 and "itemNotFound" in unknown.json()
    assert action(admin_api, 99999, {"add_host": {"host": "compute1"}}).status_code == 404
    busy = admin_api.delete(f"{BASE}/{agg_id}")
    assert busy.status_code == 400 and "badRequest" in busy.json()
    removed = action(admin_api, agg_id, {"remove_host": {"host": "compute1"}})
    assert removed.status_code == 200 and removed.json()["aggregate"]["hosts"] == []
    not_member = action(admin_api, agg_id, {"remove_host": {"host": "compute1"}})
    assert not_member.status_code == 404
    assert not_member.json()["itemNotFound"]["message"] == f"Cannot remove host compute1 in aggregate {agg_id}"
    assert action(admin_api, agg_id, {"remove_host": {"host": "nowhere"}}).status_code == 404
    assert admin_api.delete(f"{BASE}/{agg_id}").status_code == 200


def test_host_known_by_compute_node_only(admin_api, hosts):
    ComputeNode.objects.create(
        host="bare", hypervisor_hostname="bare", cpu_allocation_ratio=1, ram_allocation_ratio=1, disk_allocation_ratio=1
    )
    agg_id = create(admin_api, "bare-agg").json()["aggregate"]["id"]
    assert action(admin_api, agg_id, {"add_host": {"host": "bare"}}).status_code == 200


def test_host_cannot_be_in_two_zones(admin_api, hosts):
    agg_id = create(admin_api, "other-zone", "az7").json()["aggregate"]["id"]
    clash = action(admin_api, agg_id, {"add_host": {"host": "compute1"}})  # compute1 is in zone nova
    # Nova answers a zone clash on add_host with 409 (InvalidAggregateActionAdd); this test
    # used to pin 400. set_metadata and update answer 400, as below.
    assert clash.status_code == 409 and "conflictingRequest" in clash.json()
    plain = create(admin_api, "no-zone").json()["aggregate"]["id"]
    assert action(admin_api, plain, {"add_host": {"host": "compute1"}}).status_code == 200
    rezone = action(admin_api, plain, {"set_metadata": {"metadata": {"availability_zone": "az8"}}})
    assert rezone.status_code == 400
    same = action(admin_api, plain, {"set_metadata": {"metadata": {"availability_zone": "nova"}}})
    assert same.status_code == 200
    assert (
        admin_api.put(f"{BASE}/{plain}", {"aggregate": {"availability_zone": "az8"}}, format="json").status_code == 400
    )


def test_set_metadata_merges_deletes_and_renames_zone(admin_api, hosts):
    agg_id = create(admin_api, "meta", "zoneA").json()["aggregate"]["id"]
    assert action(admin_api, agg_id, {"add_host": {"host": "spare"}}).status_code == 200
    body = {"set_metadata": {"metadata": {"ssd": "true", "cpu_allocation_ratio": "2.0"}}}
    agg = action(admin_api, agg_id, body).json()["aggregate"]
    assert agg["metadata"] == {"availability_zone": "zoneA", "ssd": "true", "cpu_allocation_ratio": "2.0"}
    agg = action(admin_api, agg_id, {"set_metadata": {"metadata": {"ssd": None, "availability_zone": "zoneB"}}}).json()[
        "aggregate"
    ]
    assert agg["metadata"] == {"availability_zone": "zoneB", "cpu_allocation_ratio": "2.0"}
    assert agg["availability_zone"] == "zoneB"
    node_zone = Aggregate.objects.get(pk=agg_id).availability_zone
    assert node_zone == "zoneB"


def test_set_metadata_refreshes_compute_node_mirrors(admin_api, hosts):
    node = ComputeNode.objects.create(
        host="spare",
        hypervisor_hostname="spare",
        cpu_allocation_ratio=4,
        ram_allocation_ratio=1,
        disk_allocation_ratio=1,
    )
    agg_id = create(admin_api, "ratios", "zoneR").json()["aggregate"]["id"]
    action(admin_api, agg_id, {"add_host": {"host": "spare"}})
    action(admin_api, agg_id, {"set_metadata": {"metadata": {"cpu_allocation_ratio": "1.5"}}})
    node.refresh_from_db()
    assert node.availability_zone == "zoneR" and node.aggregate_cpu_allocation_ratio == 1.5
    action(admin_api, agg_id, {"remove_host": {"host": "spare"}})
    node.refresh_from_db()
    assert node.availability_zone is None and node.aggregate_cpu_allocation_ratio is None


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "x",
        {},
        {"add_host": {}},
        {"add_host": "compute1"},
        {"add_host": {"host": 1}},
        {"add_host": {"host": "compute1", "x": 1}},
        {"add_host": {"host": "bad host"}},
        {"add_host": {"host": ""}},
        {"remove_host": None},
        {"remove_host": {"host": 5}},
        {"set_metadata": {}},
        {"set_metadata": {"metadata": "x"}},
        {"set_metadata": {"metadata": {"k": 1}}},
        {"set_metadata": {"metadata": {"": "v"}}},
        {"set_metadata": {"metadata": {"k": "v" * 256}}},
        {"set_metadata": {"metadata": {"bad/key": "v"}}},
        {"set_metadata": {"metadata": {"k": "v"}, "extra": 1}},
        {"frobnicate": {}},
        {"add_host": {"host": "a"}, "remove_host": {"host": "a"}},
    ],
)
def test_action_bad_bodies_are_400(admin_api, hosts, body):
    agg_id = create(admin_api, "bad").json()["aggregate"]["id"]
    response = admin_api.post(f"{BASE}/{agg_id}/action", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["badRequest"]["code"] == 400


def test_members_are_forbidden(demo_api, hosts):
    for response in (
        demo_api.get(BASE),
        demo_api.post(BASE, {"aggregate": {"name": "x"}}, format="json"),
        demo_api.get(f"{BASE}/1"),
        demo_api.delete(f"{BASE}/1"),
        demo_api.post(f"{BASE}/1/action", {"add_host": {"host": "compute1"}}, format="json"),
    ):
        assert response.status_code == 403 and "forbidden" in response.json()
    message = demo_api.get(BASE).json()["forbidden"]["message"]
    assert message == "Policy doesn't allow os_compute_api:os-aggregates:index to be performed."


def test_the_service_layer_enforces_the_policy(hosts):
    """Not only the API: the admin and commands call the same functions and are refused alike."""
    member, admin = Caller("u1", "p1"), Caller("u0", "p0", is_admin=True)
    with pytest.raises(PolicyNotAuthorized, match="os-aggregates:create"):
        aggregates.create_aggregate(member, "x")
    with pytest.raises(PolicyNotAuthorized, match="os-aggregates:index"):
        aggregates.list_aggregates(member)
    created = aggregates.create_aggregate(admin, "x", "zoneX")
    with pytest.raises(PolicyNotAuthorized, match="os-aggregates:add_host"):
        aggregates.add_host(member, created.pk, "spare")
    assert aggregates.add_host(admin, created.pk, "spare").hosts.get().host == "spare"


def test_unauthenticated_is_401(client, hosts):
    assert client.get(BASE).status_code == 401


def test_zone_of_hosts_with_servers_cannot_change(admin_api, hosts):
    agg_id = create(admin_api, "busy-zone", "zoneS").json()["aggregate"]["id"]
    action(admin_api, agg_id, {"add_host": {"host": "spare"}})
    Server.objects.create(name="vm", project_id="p", user_id="u", host="spare", flavor={}, vm_state="active")
    refused = action(admin_api, agg_id, {"set_metadata": {"metadata": {"availability_zone": "zoneT"}}})
    assert refused.status_code == 400 and "instances" in refused.json()["badRequest"]["message"]
    assert (
        admin_api.put(f"{BASE}/{agg_id}", {"aggregate": {"availability_zone": "zoneT"}}, format="json").status_code
        == 400
    )
    assert (
        action(
            admin_api, agg_id, {"set_metadata": {"metadata": {"ssd": "1", "availability_zone": "zoneS"}}}
        ).status_code
        == 200
    )


def test_the_model_refuses_what_the_api_refuses(admin_api, hosts):
    """The rules live in clean(): the admin's form validation and the API say the same."""
    agg_id = create(admin_api, "rules", "zoneS").json()["aggregate"]["id"]
    action(admin_api, agg_id, {"add_host": {"host": "spare"}})
    aggregate = Aggregate.objects.get(pk=agg_id)
    aggregate.metadata = {"availability_zone": "   "}
    with pytest.raises(ValidationError, match="non-blank string"):
        aggregate.full_clean()
    Server.objects.create(name="vm", project_id="p", user_id="u", host="spare", flavor={}, vm_state="active")
    aggregate.metadata = {"availability_zone": "zoneT"}
    with pytest.raises(ValidationError, match="contain instances"):
        aggregate.full_clean()
    clash = AggregateHost(aggregate=Aggregate.objects.get(name="az2"), host="spare")
    with pytest.raises(ValidationError, match="already in availability zone zoneS"):
        clash.full_clean()
    with pytest.raises(ValidationError, match="Compute host nowhere could not be found"):
        AggregateHost(aggregate=aggregate, host="nowhere").full_clean()
    refused = action(admin_api, agg_id, {"set_metadata": {"metadata": {"availability_zone": "zoneT"}}})
    with pytest.raises(BadRequest) as raised:
        aggregates.set_metadata(Caller("u0", "p0", is_admin=True), agg_id, {"availability_zone": "zoneT"})
    assert refused.json()["badRequest"]["message"] == str(raised.value)


def test_membership_changes_that_would_move_servers_are_409(admin_api, hosts):
    """Nova refuses to add a host with servers to a zoned aggregate that changes its zone,
    or to remove it from the aggregate that gives it its zone (409)."""
    Server.objects.create(name="vm", project_id="p", user_id="u", host="spare", flavor={}, vm_state="active")
    zoned = create(admin_api, "zoned", "zoneM").json()["aggregate"]["id"]
    moved = action(admin_api, zoned, {"add_host": {"host": "spare"}})
    assert moved.status_code == 409 and "conflictingRequest" in moved.json()
    plain = create(admin_api, "plain").json()["aggregate"]["id"]
    assert action(admin_api, plain, {"add_host": {"host": "spare"}}).status_code == 200
    Server.objects.filter(host="spare").update(deleted=True)
    assert action(admin_api, zoned, {"add_host": {"host": "spare"}}).status_code == 200
    Server.objects.filter(host="spare").update(deleted=False)
    leaving = action(admin_api, zoned, {"remove_host": {"host": "spare"}})
    assert leaving.status_code == 409 and "conflictingRequest" in leaving.json()
    assert action(admin_api, plain, {"remove_host": {"host": "spare"}}).status_code == 200


def test_unknown_action_is_400(admin_api, hosts):
    agg_id = create(admin_api, "act").json()["aggregate"]["id"]
    response = action(admin_api, agg_id, {"frobnicate": {}})
    assert response.status_code == 400
    assert response.json()["badRequest"]["message"] == "There is no such action: frobnicate"
