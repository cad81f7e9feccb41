"""Scheduler filters: each one decides placements, in its SQL condition and its Python check."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from hosts.models import Aggregate, AggregateHost, Allocation, ComputeNode, Service
from images.models import Image
from scheduling import claims
from scheduling.alternates import claim_alternate
from scheduling.scheduler import NoValidHost, explain, select_destinations
from scheduling.testing import add_to_aggregate, flavor, group_spec, make_group, make_host, make_server, make_spec
from servers.models import ServerGroupMember

pytestmark = pytest.mark.django_db


def hosts_of(spec) -> list[str]:
    return [selection.host for selection in select_destinations(spec)]


def no_valid_host(spec) -> str:
    with pytest.raises(NoValidHost) as error:
        select_destinations(spec)
    return str(error.value)


# --- ComputeFilter ---------------------------------------------------------------------------
def test_compute_filter_skips_forced_down_hosts():
    make_host("fenced", memory_mb=8192)
    make_host("ok")
    Service.objects.filter(host="fenced").update(forced_down=True)
    assert hosts_of(make_spec()) == ["ok"]


def test_compute_filter_skips_nodes_without_a_service():
    make_host("orphan", memory_mb=8192)
    make_host("ok")
    ComputeNode.objects.filter(host="orphan").update(service=None)
    assert hosts_of(make_spec()) == ["ok"]


# --- AvailabilityZoneFilter ----------------------------------------------------------------------
def test_zone_follows_aggregate_membership_changes():
    make_host("c1", zone="az1")
    make_host("c2")
    assert hosts_of(make_spec(availability_zone="az1")) == ["c1"]
    AggregateHost.objects.filter(host="c1").delete()  # c1 falls back to the default zone
    assert "AvailabilityZoneFilter removed 2 of 2" in no_valid_host(make_spec(availability_zone="az1"))
    add_to_aggregate("c2", "az1")
    assert hosts_of(make_spec(availability_zone="az1")) == ["c2"]


# --- IgnoreHostsFilter ---------------------------------------------------------------------------
def test_ignored_hosts_are_never_chosen():
    make_host("a", memory_mb=8192)
    make_host("b")
    assert hosts_of(make_spec(ignore_hosts=["a"])) == ["b"]
    assert "IgnoreHostsFilter removed 2 of 2" in no_valid_host(make_spec(ignore_hosts=["a", "b"]))


def test_a_requested_destination_is_the_only_candidate_and_still_filtered():
    make_host("a", memory_mb=8192)
    make_host("b")
    node_b = ComputeNode.objects.get(host="b").hypervisor_hostname
    assert hosts_of(make_spec(requested_host="b")) == ["b"]
    assert hosts_of(make_spec(requested_node=node_b)) == ["b"]
    assert hosts_of(make_spec(2, requested_host="b", requested_node=node_b)) == ["b", "b"]
    assert "RequestedDestinationFilter removed 2 of 2" in no_valid_host(make_spec(requested_host="nowhere"))
    assert "ResourceFitFilter" in no_valid_host(make_spec(flavor=flavor(memory_mb=6000), requested_host="b"))


# --- ResourceFitFilter with aggregate allocation ratios ----------------------------------------------
def test_aggregate_ram_ratio_lets_the_filter_and_the_claim_overcommit_alike():
    make_host("a", memory_mb=1024)
    big = flavor(memory_mb=2048)
    assert "ResourceFitFilter removed 1 of 1" in no_valid_host(make_spec(flavor=big))
    add_to_aggregate("a", "overcommit", ram_allocation_ratio="2.0")
    assert ComputeNode.objects.get(host="a").memory_mb_capacity == 2048
    assert hosts_of(make_spec(flavor=big)) == ["a"]
    # The claim enforces the same effective ratio: full now, whoever asks.
    node = ComputeNode.objects.get(host="a")
    assert not claims.claim(node.pk, str(uuid.uuid4()), claims.Resources(1, 1, 0), project_id="p", user_id="u")
    assert node.memory_mb_used == 2048


def test_the_smallest_aggregate_ratio_wins_and_leaving_restores_the_hosts_own():
    make_host("a", vcpus=2)
    add_to_aggregate("a", "x", cpu_allocation_ratio="8")
    add_to_aggregate("a", "y", cpu_allocation_ratio="3, not-a-number")
    assert ComputeNode.objects.get(host="a").vcpus_capacity == 6
    assert [s.host for s in select_destinations(make_spec(count=6))] == ["a"] * 6
    assert "ResourceFitFilter removed 1 of 1" in no_valid_host(make_spec())
    Aggregate.objects.filter(name="y").delete()
    node = ComputeNode.objects.get(host="a")
    assert (node.aggregate_cpu_allocation_ratio, node.vcpus_capacity) == (8.0, 16)
    AggregateHost.objects.filter(host="a").delete()
    assert ComputeNode.objects.get(host="a").aggregate_cpu_allocation_ratio is None


# --- AggregateInstanceExtraSpecsFilter -----------------------------------------------------------
def test_aggregate_extra_specs_pick_hosts_by_aggregate_metadata():
    make_host("plain", memory_mb=8192)
    make_host("fast")
    make_host("faster")
    add_to_aggregate("fast", "ssd", ssd="true", speed="10")
    add_to_aggregate("faster", "nvme", ssd="true", speed="40, 50")
    wants_ssd = flavor(extra_specs={"aggregate_instance_extra_specs:ssd": "true", "hw:cpu_policy": "dedicated"})
    assert set(hosts_of(make_spec(2, wants_ssd))) == {"fast", "faster"}
    assert hosts_of(make_spec(flavor=flavor(extra_specs={"speed": ">= 45"}))) == ["faster"]
    message = no_valid_host(make_spec(flavor=flavor(extra_specs={"aggregate_instance_extra_specs:gpu": "<in> a100"})))
    assert "AggregateInstanceExtraSpecsFilter removed 3 of 3" in message


# --- AggregateMultiTenancyIsolation --------------------------------------------------------------
def test_tenant_isolated_hosts_take_only_their_projects():
    make_host("reserved", memory_mb=8192)
    make_host("shared")
    add_to_aggregate("reserved", "gold", filter_tenant_id="p2,p3")
    assert hosts_of(make_spec(project="p1")) == ["shared"]
    assert hosts_of(make_spec(project="p3")) == ["reserved"]
    ComputeNode.objects.filter(host="shared").update(memory_mb_used=4096)
    assert "AggregateMultiTenancyIsolation removed 1 of 1" in no_valid_host(make_spec(project="p1"))


# --- ComputeCapabilitiesFilter -------------------------------------------------------------------
def test_compute_capabilities_match_host_attributes_and_cpu_info():
    make_host("small", vcpus=4, memory_mb=8192)
    make_host("arm", vcpus=16, arch="aarch64")
    make_host("x86", vcpus=16)
    assert hosts_of(
        make_spec(flavor=flavor(extra_specs={"capabilities:vcpus": ">= 8", "capabilities:cpu_info:arch": "x86_64"}))
    ) == ["x86"]
    assert hosts_of(make_spec(flavor=flavor(extra_specs={"capabilities:cpu_info:arch": "s== aarch64"}))) == ["arm"]
    message = no_valid_host(make_spec(flavor=flavor(extra_specs={"capabilities:hypervisor_type": "s== Xen"})))
    assert "ComputeCapabilitiesFilter removed 3 of 3" in message


# --- ImagePropertiesFilter -----------------------------------------------------------------------
def test_image_architecture_and_hypervisor_type_must_match():
    make_host("x86")
    make_host("arm", arch="aarch64")
    make_host("lxc", memory_mb=8192, hypervisor_type="LXC")
    arm_image = Image.objects.create(name="arm", properties={"hw_architecture": "arm64", "img_hv_type": "kvm"})
    assert hosts_of(make_spec(image={"id": str(arm_image.id)})) == ["arm"]
    kvm_image = Image.objects.create(name="kvm", properties={"hypervisor_type": "kvm"})
    assert set(hosts_of(make_spec(2, image={"id": str(kvm_image.id)}))) == {"x86", "arm"}
    ppc = Image.objects.create(name="ppc", properties={"architecture": "ppc64le"})
    assert "ImagePropertiesFilter removed 3 of 3" in no_valid_host(make_spec(image={"id": str(ppc.id)}))
    assert hosts_of(make_spec(image={"id": ""})) == ["lxc"]  # no image: nothing to match


def test_image_properties_the_spec_carries_are_used_without_reading_the_image():
    """The API puts the image's properties in the spec (as Nova's RequestSpec carries the
    image meta); a spec without them (a message sent before) has them read from the image."""
    make_host("x86")
    make_host("arm", arch="aarch64")
    image = Image.objects.create(name="arm", properties={"hw_architecture": "arm64"})
    carried = make_spec(image={"id": str(image.id), "properties": {"hw_architecture": "x86_64"}})
    assert hosts_of(carried) == ["x86"]  # what the spec says wins: the image is not read
    assert hosts_of(make_spec(image={"id": str(image.id)})) == ["arm"]


# --- ServerGroupAffinityFilter -------------------------------------------------------------------
def test_affinity_follows_the_groups_existing_host():
    make_host("empty", memory_mb=8192)
    make_host("busy")
    group = make_group("affinity", ["busy"])
    assert hosts_of(group_spec(group, 2)) == ["busy", "busy"]


def test_affinity_multi_create_into_a_new_group_stays_together():
    make_host("a", memory_mb=2048)
    make_host("b", memory_mb=2048)
    group = make_group("affinity")
    assert len(set(hosts_of(group_spec(group, 4)))) == 1
    too_many = group_spec(make_group("affinity"), 5)  # 5 will not fit on one host
    assert "Placed 4 of 5 instances" in no_valid_host(too_many)
    assert not Allocation.objects.filter(consumer__in=too_many.instance_uuids).exists()  # all or nothing


def test_affinity_counts_members_still_being_built_through_their_allocations():
    make_host("a", memory_mb=8192)
    node = make_host("b")
    group = make_group("affinity", [None])  # scheduled, but the conductor has not written host yet
    member = group.members.get().server
    assert claims.claim(node.pk, str(member.uuid), claims.Resources(1, 512, 1), project_id="p1", user_id="u1")
    assert hosts_of(group_spec(group)) == ["b"]


# --- ServerGroupAntiAffinityFilter ---------------------------------------------------------------
def test_anti_affinity_avoids_hosts_with_members():
    make_host("a", memory_mb=8192)
    make_host("b")
    make_host("c")
    group = make_group("anti-affinity", ["a"])
    assert sorted(hosts_of(group_spec(group, 2))) == ["b", "c"]
    message = no_valid_host(group_spec(group))
    assert "ServerGroupAntiAffinityFilter removed 3 of 3" in message


def test_anti_affinity_max_server_per_host():
    make_host("a")
    make_host("b")
    group = make_group("anti-affinity", ["a"], rules={"max_server_per_host": 2})
    assert sorted(hosts_of(group_spec(group, 3))) == ["a", "b", "b"]
    assert "ServerGroupAntiAffinityFilter" in no_valid_host(group_spec(group))


def test_the_request_itself_is_not_counted_against_its_group():
    make_host("a")
    group = make_group("anti-affinity")
    spec = group_spec(group)
    assert hosts_of(spec) == ["a"]
    assert hosts_of(spec) == ["a"]  # redelivered: keeps its host, not blocked by itself


# --- SameHostFilter / DifferentHostFilter -------------------------------------------------------------
def test_same_host_and_different_host_hints():
    make_host("a", memory_mb=8192)
    make_host("b")
    make_host("c")
    neighbour = make_server("b")
    assert hosts_of(make_spec(scheduler_hints={"same_host": [str(neighbour.uuid)]})) == ["b"]
    # a has the most room, but the server named is there; b took the first request.
    assert hosts_of(make_spec(scheduler_hints={"different_host": str(make_server("a").uuid)})) == ["c"]
    assert "SameHostFilter removed 3 of 3" in no_valid_host(
        make_spec(scheduler_hints={"same_host": [str(uuid.uuid4())]})
    )


def test_explain_lists_every_filter_that_removed_hosts():
    make_host("down")
    Service.objects.filter(host="down").update(last_seen_up=timezone.now() - timedelta(hours=1))
    make_host("elsewhere", zone="az2")
    make_host("small", memory_mb=256, zone="az1")
    make_host("reserved", zone="az1")
    add_to_aggregate("reserved", "gold", filter_tenant_id="p9")
    text = explain(make_spec(availability_zone="az1"))
    assert text == (
        "ComputeFilter removed 1 of 4; AvailabilityZoneFilter removed 1 of 3; "
        "ResourceFitFilter removed 1 of 2; AggregateMultiTenancyIsolation removed 1 of 1"
    )


# --- claim_alternate: reschedules keep hard group policies ----------------------------------------
def test_a_rescheduled_build_does_not_break_anti_affinity():
    make_host("a", memory_mb=8192)
    b = make_host("b")
    group = make_group("anti-affinity")
    spec = group_spec(group)
    [selection] = select_destinations(spec)
    assert selection.host == "a" and selection.alternates[0]["host"] == "b"
    ServerGroupMember.objects.create(group=group, server=make_server("b"))  # another member lands on b
    claims.release(spec.instance_uuids[0], host="a")  # the build on a failed
    res = claims.Resources.from_flavor(spec.flavor)
    hints = spec.scheduler_hints
    assert not claim_alternate(
        spec.instance_uuids[0], selection.alternates[0], res, project_id="p1", user_id="u1", scheduler_hints=hints
    )
    assert not Allocation.objects.filter(consumer=spec.instance_uuids[0]).exists()
    ServerGroupMember.objects.filter(server__host="b").delete()
    assert claim_alternate(
        spec.instance_uuids[0], selection.alternates[0], res, project_id="p1", user_id="u1", scheduler_hints=hints
    )
    assert Allocation.objects.get(consumer=spec.instance_uuids[0]).compute_node_id == b.pk


def test_claim_alternate_without_a_group_is_a_plain_claim():
    node = make_host("a")
    consumer = str(uuid.uuid4())
    alternate = {"host": "a", "node": "a", "compute_node_id": node.pk}
    assert claim_alternate(consumer, alternate, claims.Resources(1, 512, 1), project_id="p1", user_id="u1")
    assert Allocation.objects.get(consumer=consumer).compute_node_id == node.pk
