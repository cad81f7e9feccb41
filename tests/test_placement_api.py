"""The read-only Placement API (/placement) over HTTP: the compute nodes as resource providers,
their inventories from the capacity the scheduler enforces, usages and allocations from the
claims it holds, per microversion, and Placement's error body."""

from __future__ import annotations

import uuid

import pytest

from hosts.models import Aggregate, AggregateHost
from scheduling.claims import Resources, claim

from .hosts_helpers import hosts, report

__all__ = ["hosts"]  # a fixture: imported for pytest to find
pytestmark = pytest.mark.django_db
P = "/placement"


def mv(version: str) -> dict:
    return {"HTTP_OPENSTACK_API_VERSION": f"placement {version}"}


def test_the_root_is_a_version_document_without_a_token(client):
    response = client.get(P)
    assert response.status_code == 200
    assert response.json() == {
        "versions": [
            {
                "id": "v1.0",
                "max_version": "1.39",
                "min_version": "1.0",
                "status": "CURRENT",
                "links": [{"rel": "self", "href": ""}],
            }
        ]
    }


def test_compute_nodes_are_the_resource_providers(admin_api, hosts):
    listed = admin_api.get(f"{P}/resource_providers")
    assert listed.status_code == 200, listed.content
    assert listed["OpenStack-API-Version"] == "placement 1.0"
    providers = listed.json()["resource_providers"]
    assert [p["name"] for p in providers] == ["compute1", "compute2", "compute3"]
    first = providers[0]
    node = hosts["compute1"]
    assert first == {
        "uuid": str(node.uuid),
        "name": "compute1",
        "generation": 0,
        "links": [
            {"rel": "self", "href": f"/resource_providers/{node.uuid}"},
            {"rel": "inventories", "href": f"/resource_providers/{node.uuid}/inventories"},
            {"rel": "usages", "href": f"/resource_providers/{node.uuid}/usages"},
        ],
    }
    newer = admin_api.get(f"{P}/resource_providers/{node.uuid}", **mv("1.14")).json()
    assert newer["parent_provider_uuid"] is None and newer["root_provider_uuid"] == str(node.uuid)
    assert [link["rel"] for link in newer["links"]][3:] == ["aggregates", "traits", "allocations"]
    by_name = admin_api.get(f"{P}/resource_providers", {"name": "compute2"}).json()["resource_providers"]
    assert [p["uuid"] for p in by_name] == [str(hosts["compute2"].uuid)]
    in_tree = admin_api.get(f"{P}/resource_providers", {"in_tree": str(node.uuid)}, **mv("1.14"))
    assert [p["name"] for p in in_tree.json()["resource_providers"]] == ["compute1"]


def test_inventories_are_the_capacity_claims_enforce(admin_api, hosts):
    node = hosts["compute1"]
    node.reserved_host_memory_mb, node.reserved_host_disk_mb, node.aggregate_cpu_allocation_ratio = 512, 1500, 4.0
    node.save()
    response = admin_api.get(f"{P}/resource_providers/{node.uuid}/inventories")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "inventories": {
            "VCPU": {
                "total": 8,
                "reserved": 0,
                "min_unit": 1,
                "max_unit": 8,
                "step_size": 1,
                "allocation_ratio": 4.0,
            },
            "MEMORY_MB": {
                "total": 16384,
                "reserved": 512,
                "min_unit": 1,
                "max_unit": 16384,
                "step_size": 1,
                "allocation_ratio": node.ram_allocation_ratio,
            },
            "DISK_GB": {
                "total": 200,
                "reserved": 2,
                "min_unit": 1,
                "max_unit": 200,
                "step_size": 1,
                "allocation_ratio": node.disk_allocation_ratio,
            },
        },
        "resource_provider_generation": 0,
    }


def test_usages_and_allocations_are_the_schedulers_claims(admin_api, hosts):
    node = hosts["compute2"]
    server, other = uuid.uuid4(), uuid.uuid4()
    assert claim(node.id, str(server), Resources(2, 1024, 10), project_id="proj", user_id="user")
    assert claim(node.id, str(other), Resources(1, 512, 0), project_id="proj", user_id="user")
    usages = admin_api.get(f"{P}/resource_providers/{node.uuid}/usages").json()
    assert usages == {"usages": {"VCPU": 3, "MEMORY_MB": 1536, "DISK_GB": 10}, "resource_provider_generation": 0}
    node.refresh_from_db()
    assert (node.vcpus_used, node.memory_mb_used, node.local_gb_used) == (3, 1536, 10)

    held = admin_api.get(f"{P}/allocations/{server}").json()
    assert held == {
        "allocations": {str(node.uuid): {"generation": 0, "resources": {"VCPU": 2, "MEMORY_MB": 1024, "DISK_GB": 10}}}
    }
    newest = admin_api.get(f"{P}/allocations/{other}", **mv("1.38")).json()
    assert newest["allocations"][str(node.uuid)]["resources"] == {"VCPU": 1, "MEMORY_MB": 512}
    assert (newest["project_id"], newest["user_id"], newest["consumer_generation"]) == ("proj", "user", 0)
    assert newest["consumer_type"] == "INSTANCE"
    assert admin_api.get(f"{P}/allocations/{uuid.uuid4()}", **mv("1.38")).json() == {"allocations": {}}
    empty = admin_api.get(f"{P}/resource_providers/{hosts['compute3'].uuid}/usages").json()
    assert empty["usages"] == {"VCPU": 0, "MEMORY_MB": 0, "DISK_GB": 0}


def test_errors_are_placements(admin_api, demo_api, hosts):
    missing = uuid.uuid4()
    response = admin_api.get(f"{P}/resource_providers/{missing}/inventories", **mv("1.20"))
    assert response.status_code == 404 and response["OpenStack-API-Version"] == "placement 1.20"
    assert response.json() == {
        "errors": [
            {
                "status": 404,
                "title": "Not Found",
                "detail": f"No resource provider with uuid {missing} found",
                "code": "placement.undefined_code",
            }
        ]
    }
    refused = demo_api.get(f"{P}/resource_providers")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["detail"] == (
        "Policy does not allow placement:resource_providers:list to be performed."
    )
    assert admin_api.get(f"{P}/resource_providers", **mv("1.99")).status_code == 406
    assert admin_api.get(f"{P}/resource_providers", **mv("one")).status_code == 400
    assert admin_api.get(f"{P}/resource_providers", {"resources": "VCPU:1"}).status_code == 400
    assert admin_api.get(f"{P}/resource_providers", {"uuid": "nope"}).status_code == 400


def test_the_catalog_names_placement(admin_api, hosts):
    report("compute1")  # a report changes nothing placement shows but the totals
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "admin", "domain": {"id": "default"}, "password": "secret"}},
            },
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
        }
    }
    catalog = admin_api.post("/identity/v3/auth/tokens", body, format="json").json()["token"]["catalog"]
    (entry,) = [service for service in catalog if service["type"] == "placement"]
    assert entry["name"] == "placement" and entry["endpoints"][0]["url"] == "http://testserver/placement"


def test_a_providers_allocations_aggregates_and_traits(admin_api, hosts):
    node = hosts["compute1"]
    server = uuid.uuid4()
    assert claim(node.id, str(server), Resources(1, 256, 0), project_id="proj", user_id="user")
    allocations = admin_api.get(f"{P}/resource_providers/{node.uuid}/allocations").json()
    assert allocations == {
        "allocations": {str(server): {"resources": {"VCPU": 1, "MEMORY_MB": 256}}},
        "resource_provider_generation": 0,
    }
    aggregate = Aggregate.objects.create(name="fast")
    AggregateHost.objects.create(aggregate=aggregate, host="compute1")
    base = f"{P}/resource_providers/{node.uuid}"
    assert admin_api.get(f"{base}/aggregates").status_code == 404  # appeared at 1.1
    # The demo's zone aggregate holds compute1 too.
    member_of = [str(row.uuid) for row in Aggregate.objects.filter(hosts__host="compute1").order_by("id")]
    assert str(aggregate.uuid) in member_of and len(member_of) == 2
    assert admin_api.get(f"{base}/aggregates", **mv("1.1")).json() == {"aggregates": member_of}
    newer = admin_api.get(f"{base}/aggregates", **mv("1.19")).json()
    assert newer == {"aggregates": member_of, "resource_provider_generation": 0}
    assert admin_api.get(f"{base}/traits", **mv("1.6")).json() == {"traits": [], "resource_provider_generation": 0}
    assert admin_api.get(f"{P}/resource_providers/nope/traits", **mv("1.6")).status_code == 404
