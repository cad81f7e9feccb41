"""The hosts admin writes through hosts.services: aggregates and their hosts refuse what
os-aggregates refuses (the models' clean() rules first), Service records what os-services
refuses, compute nodes what Placement refuses of an inventory, regions what Keystone refuses."""

from __future__ import annotations

import pytest

from core.principal import Caller
from hosts.heartbeats import record_heartbeat
from hosts.models import Aggregate, AggregateHost, ComputeNode, Service
from hosts.services import aggregates
from identity.models import CatalogService, Endpoint, Region
from servers.models import Server

from .pages import bulk_delete, delete, messages_of, post_form, refused, refused_delete, saved, table, url

pytestmark = pytest.mark.django_db
OPERATOR = Caller("operator", "", is_admin=True)


@pytest.fixture
def spare(db) -> str:
    """A known compute host without servers or aggregates."""
    record_heartbeat("spare", "nova-compute")
    return "spare"


def test_compute_node_totals_are_read_only_but_ratios_editable(staff, rows):
    content = staff.get(url(ComputeNode, "change", rows[ComputeNode].pk)).content
    for field in (
        "vcpus",
        "memory_mb",
        "local_gb",
        "vcpus_used",
        "memory_mb_used",
        "running_vms",
        "hypervisor_type",
        "cpu_info",
    ):
        assert f'name="{field}"'.encode() not in content, field
    for field in ("cpu_allocation_ratio", "ram_allocation_ratio", "reserved_host_memory_mb"):
        assert f'name="{field}"'.encode() in content, field


def test_service_columns(staff, rows):
    response = staff.get(url(Service, "changelist"))
    content = response.content
    assert b"az1" in content and b"internal" in content and b">up<" in content
    assert b'name="last_seen_up"' not in staff.get(url(Service, "change", rows[Service].pk)).content


def test_service_down_when_forced(staff, rows):
    Service.objects.update(forced_down=True)
    content = staff.get(url(Service, "changelist")).content
    assert b">down<" in content and b">up<" not in content


def test_aggregate_zone_comes_from_metadata(staff, rows):
    aggregate = rows[Aggregate]
    content = staff.get(url(Aggregate, "change", aggregate.pk)).content
    assert b'name="availability_zone"' not in content
    assert b'name="hosts-0-host"' in content


# --- aggregates ---------------------------------------------------------------------------


def test_aggregate_zone_change_refused_while_its_hosts_have_servers(staff, rows):
    aggregate = rows[Aggregate]
    before = table(Aggregate, AggregateHost)
    response = post_form(staff, url(Aggregate, "change", aggregate.pk), metadata='{"availability_zone": "az9"}')
    refused(
        response,
        "Cannot update the availability zone of aggregate agg1: "
        "one or more of its hosts contain instances in this zone.",
    )
    assert table(Aggregate, AggregateHost) == before


def test_aggregate_host_in_two_zones_refused(staff, rows):
    other = aggregates.create_aggregate(OPERATOR, "agg2", "az2")
    before = table(Aggregate, AggregateHost)
    response = post_form(staff, url(Aggregate, "change", other.pk), **{"hosts-0-host": "host1"})
    refused(
        response,
        "Cannot put host host1 in availability zone az2 with aggregate agg2: "
        "it is already in availability zone az1 through another aggregate.",
    )
    assert table(Aggregate, AggregateHost) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "agg1"}, "Aggregate agg1 already exists."),
        # Nova lets an aggregate use any zone name, the internal zone's included; an empty one it refuses.
        ({"name": "new", "metadata": '{"availability_zone": ""}'}, None),
        ({"name": "new", "hosts-0-host": "nowhere"}, "Compute host nowhere could not be found."),
    ],
    ids=["duplicate-name", "empty-zone", "unknown-host"],
)
def test_aggregate_create_refused(staff, rows, changes, message):
    before = table(Aggregate, AggregateHost)
    response = post_form(staff, url(Aggregate, "add"), **changes)
    refused(
        response,
        message
        or "Invalid input for field/attribute availability_zone. Value: ''. "
        "It must be a non-blank string of at most 255 characters.",
    )
    assert table(Aggregate, AggregateHost) == before


def test_aggregate_created_as_the_api_creates_it(staff, spare, admin_api):
    response = post_form(
        staff,
        url(Aggregate, "add"),
        name="edge",
        metadata='{"availability_zone": "edge-az", "ssd": "true"}',
        **{"hosts-0-host": spare},
    )
    saved(response)
    made = Aggregate.objects.get(name="edge")
    api = admin_api.post(
        "/compute/v2.1/os-aggregates",
        {"aggregate": {"name": "edge-api", "availability_zone": "edge-az"}},
        format="json",
    ).json()["aggregate"]
    admin_api.post(f"/compute/v2.1/os-aggregates/{api['id']}/action", {"add_host": {"host": spare}}, format="json")
    admin_api.post(
        f"/compute/v2.1/os-aggregates/{api['id']}/action",
        {"set_metadata": {"metadata": {"ssd": "true"}}},
        format="json",
    )
    twin = Aggregate.objects.get(name="edge-api")
    assert (made.metadata, made.availability_zone) == (twin.metadata, twin.availability_zone)
    assert list(made.hosts.values_list("host", flat=True)) == list(twin.hosts.values_list("host", flat=True))
    assert ComputeNode.objects.filter(host=spare).count() == 0  # no node invented for the host


def test_aggregate_renamed_rezoned_and_emptied(staff, rows, spare):
    aggregate = aggregates.create_aggregate(OPERATOR, "quiet", "q1")
    aggregates.add_host(OPERATOR, aggregate.pk, spare)
    page = url(Aggregate, "change", aggregate.pk)
    saved(post_form(staff, page, name="calm", metadata='{"availability_zone": "q2"}', **{"hosts-0-DELETE": "on"}))
    aggregate.refresh_from_db()
    assert (aggregate.name, aggregate.metadata, aggregate.availability_zone) == (
        "calm",
        {"availability_zone": "q2"},
        "q2",
    )
    assert not aggregate.hosts.exists()


def test_membership_that_would_move_servers_refused(staff, rows, spare):
    Server.objects.create(name="vm", project_id="p", user_id="u", flavor={}, host=spare, vm_state="active")
    zoned = aggregates.create_aggregate(OPERATOR, "zoned", "az9")
    before = table(Aggregate, AggregateHost)
    response = post_form(staff, url(Aggregate, "change", zoned.pk), **{"hosts-0-host": spare})
    refused(
        response,
        f"Cannot change the membership of host {spare} in aggregate {zoned.pk}: its availability zone would "
        "change from None to az9, and servers run on it. Move them off the host first.",
    )
    assert table(Aggregate, AggregateHost) == before


def test_leaving_a_zone_under_servers_refused(staff, rows):
    aggregate = rows[Aggregate]  # zone az1, holding host1, where vm1 runs
    before = table(Aggregate, AggregateHost)
    response = post_form(staff, url(Aggregate, "change", aggregate.pk), **{"hosts-0-DELETE": "on"})
    refused(
        response,
        f"Cannot change the membership of host host1 in aggregate {aggregate.pk}: its availability zone would "
        "change from az1 to None, and servers run on it. Move them off the host first.",
    )
    assert table(Aggregate, AggregateHost) == before


def test_aggregate_delete_refused_while_hosts_remain(staff, rows):
    aggregate = rows[Aggregate]
    before = table(Aggregate, AggregateHost)
    response = delete(staff, aggregate)
    refused_delete(response, f"Cannot remove aggregate {aggregate.pk}: it still has hosts. Remove them first.")
    assert table(Aggregate, AggregateHost) == before


def test_aggregate_bulk_delete_deletes_only_what_the_api_would(staff, rows):
    empty = aggregates.create_aggregate(OPERATOR, "empty")
    response = bulk_delete(staff, Aggregate, empty, rows[Aggregate])
    assert response.status_code == 302
    texts = messages_of(response)
    assert any("it still has hosts" in text for text in texts) and "Successfully deleted 1 aggregate." in texts
    assert list(Aggregate.objects.values_list("name", flat=True)) == ["agg1"]


def test_membership_added_and_removed_through_the_service(staff, rows, spare):
    aggregate = rows[Aggregate]
    response = post_form(staff, url(AggregateHost, "add"), aggregate=aggregate.pk, host=spare)
    saved(response)
    membership = AggregateHost.objects.get(host=spare)
    assert aggregate.hosts.filter(host=spare).exists()
    assert staff.post(url(AggregateHost, "delete", membership.pk), {"post": "yes"}).status_code == 302
    assert not aggregate.hosts.filter(host=spare).exists()


def test_membership_of_unknown_host_refused(staff, rows):
    before = table(AggregateHost)
    response = post_form(staff, url(AggregateHost, "add"), aggregate=rows[Aggregate].pk, host="nowhere")
    refused(response, "Compute host nowhere could not be found.")
    assert table(AggregateHost) == before


# --- service records and compute nodes ------------------------------------------------------


def test_service_disabled_with_a_reason(staff, rows):
    service = rows[Service]
    saved(post_form(staff, url(Service, "change", service.pk), disabled="on", disabled_reason="maintenance"))
    service.refresh_from_db()
    assert (service.disabled, service.disabled_reason) == (True, "maintenance")
    saved(post_form(staff, url(Service, "change", service.pk), disabled=None))
    service.refresh_from_db()
    assert (service.disabled, service.disabled_reason) == (False, None)


def test_service_reason_without_disable_refused(staff, rows):
    service = rows[Service]
    before = table(Service)
    response = post_form(staff, url(Service, "change", service.pk), disabled_reason="why")
    refused(response, "Specifying 'disabled_reason' with status 'enabled' is invalid.")  # Nova's words
    assert table(Service) == before


def test_control_service_cannot_be_updated(staff, rows):
    conductor = Service.objects.get(binary="nova-conductor")
    before = table(Service)
    response = post_form(staff, url(Service, "change", conductor.pk), forced_down="on")
    refused(response, "Updating a nova-conductor service is not supported. Only nova-compute services can be updated.")
    assert table(Service) == before


def test_service_delete_refused_while_servers_are_on_its_host(staff, rows):
    service = rows[Service]
    before = table(Service, ComputeNode, AggregateHost)
    response = delete(staff, service)
    refused_delete(response, "Unable to delete compute service that is in use: servers are on host host1.")
    assert table(Service, ComputeNode, AggregateHost) == before
    Server.objects.update(deleted=True)
    assert delete(staff, service).status_code == 302
    assert not Service.objects.filter(pk=service.pk).exists()
    assert not AggregateHost.objects.filter(host="host1").exists()


def test_service_records_are_not_added_here(staff, rows):
    assert staff.get(url(Service, "add")).status_code == 403


def test_compute_node_ratio_must_be_positive(staff, rows):
    node = rows[ComputeNode]
    before = table(ComputeNode)
    response = post_form(staff, url(ComputeNode, "change", node.pk), cpu_allocation_ratio="0")
    refused(response, "Invalid input for field/attribute cpu_allocation_ratio. Value: 0.0. It must be greater than 0.")
    response = post_form(staff, url(ComputeNode, "change", node.pk), reserved_host_memory_mb="-1")
    refused(
        response,
        "Invalid input for field/attribute reserved_host_memory_mb. Value: -1. It must be between 0 and 2147483647.",
    )
    assert table(ComputeNode) == before


def test_compute_node_inventory_changed(staff, rows):
    node = rows[ComputeNode]
    saved(post_form(staff, url(ComputeNode, "change", node.pk), cpu_allocation_ratio="2.5", reserved_host_cpus="1"))
    node.refresh_from_db()
    assert (node.cpu_allocation_ratio, node.reserved_host_cpus, node.vcpus) == (2.5, 1, 8)
    assert staff.get(url(ComputeNode, "delete", node.pk)).status_code == 403


# --- regions --------------------------------------------------------------------------------


def test_region_created_and_reparented(staff, rows):
    saved(post_form(staff, url(Region, "add"), id="Edge", description="the edge", parent="Region1"))
    edge = Region.objects.get(pk="Edge")
    assert (edge.description, edge.parent_id) == ("the edge", "Region1")
    saved(post_form(staff, url(Region, "change", "Edge"), parent=""))
    edge.refresh_from_db()
    assert edge.parent_id is None


def test_region_refusals(staff, rows):
    Endpoint.objects.all().delete()  # populate's, directly in Region1: the admin lists it as protected
    Region.objects.create(id="Child", parent=rows[Region])
    below = Region.objects.create(id="RegionOne", parent=rows[Region])
    Endpoint.objects.create(service=CatalogService.objects.create(type="compute"), region=below, interface="public")
    before = table(Region)
    refused(
        post_form(staff, url(Region, "add"), id="Region1"),
        "Conflict occurred attempting to store region - Duplicate ID, Region1.",
    )
    refused(
        post_form(staff, url(Region, "change", "Region1"), parent="Child"),
        "The specified parent region Child would create a circular region hierarchy.",
    )
    refused_delete(
        delete(staff, rows[Region]),
        "Unable to delete region Region1 because it or its child regions have associated endpoints.",
    )
    assert table(Region) == before


def test_region_deleted_with_its_children(staff, rows):
    Endpoint.objects.all().delete()
    Region.objects.create(id="Child", parent=rows[Region])
    assert delete(staff, rows[Region]).status_code == 302
    assert not Region.objects.exists()
