"""Claims of volume-backed servers (Nova's RequestSpec.is_bfv): the root disk is a volume, so
no path asks the host for the flavor's root_gb: build, reschedule, moves and unshelve claim
only ephemeral + swap, and the candidate SQL and the resource filter ask the same."""

from __future__ import annotations

import pytest

from hosts.models import Allocation, ComputeNode
from novasite.demo import CIRROS_IMAGE_ID
from scheduling.claims import Resources
from scheduling.context import Decision
from scheduling.explain import verdicts
from scheduling.filters.resource_fit import ResourceFitFilter
from scheduling.request import RequestSpec
from scheduling.scheduler import NoValidHost, select_destinations
from scheduling.testing import flavor, make_host, make_spec
from servers.models import Flavor, Server
from workers.conductor.allocations import hand_to_migration
from workers.conductor.build import request_spec
from workers.conductor.placement import claim_destination, server_resources, server_spec

pytestmark = pytest.mark.django_db(transaction=True)

IMAGE = str(CIRROS_IMAGE_ID)
BIG = flavor(root_gb=20, ephemeral_gb=1, swap=512)  # 22 GB on the host when image-backed
ROOT = {
    "source_type": "image",
    "destination_type": "volume",
    "uuid": IMAGE,
    "boot_index": 0,
    "volume_size": 1,
    "delete_on_termination": True,
}


@pytest.fixture(autouse=True)
def volume_dir(settings, tmp_path):
    settings.VOLUME_DIR = str(tmp_path / "volumes")


def create(api, flavor_ref: str, *, volume_backed: bool) -> Server:
    body: dict = {"server": {"name": "vb", "flavorRef": flavor_ref, "networks": []}}
    if volume_backed:
        body["server"].update(imageRef="", block_device_mapping_v2=[ROOT])
    else:
        body["server"]["imageRef"] = IMAGE
    response = api.post("/compute/v2.1/servers", body, format="json")
    assert response.status_code == 202, response.content
    return Server.objects.get(uuid=response.json()["server"]["id"])


def test_the_disk_a_server_asks_leaves_out_a_volume_root():
    assert Resources.from_flavor(BIG).disk_gb == 22
    assert Resources.from_flavor(BIG, is_bfv=True) == Resources(1, 512, 2)
    spec = make_spec(flavor=BIG, is_bfv=True)
    assert spec.resources.disk_gb == 2
    assert RequestSpec.from_dict(spec.to_dict()).is_bfv  # carried in messages
    assert make_spec(flavor=BIG).resources.disk_gb == 22  # the default: image-backed


def test_a_small_host_takes_a_volume_backed_server_and_refuses_an_image_backed_one(db):
    make_host("small", disk_gb=5)
    spec = make_spec(flavor=BIG, is_bfv=True)
    [selection] = select_destinations(spec)
    assert selection.host == "small"
    allocation = Allocation.objects.get(consumer=spec.instance_uuids[0])
    assert allocation.disk_gb == 2  # ephemeral 1 + swap 1 (512 MB rounded up), no root
    assert ComputeNode.objects.get(host="small").local_gb_used == 2
    with pytest.raises(NoValidHost):
        select_destinations(make_spec(flavor=BIG))


@pytest.mark.parametrize("is_bfv, fits", [(True, True), (False, False)])
def test_the_filter_in_sql_and_in_python_asks_the_same_disk(db, is_bfv, fits):
    make_host("small", disk_gb=5)
    resource_fit = ResourceFitFilter()
    decision = Decision(make_spec(flavor=BIG, is_bfv=is_bfv))
    assert resource_fit.sql(decision).params[2] == (2 if is_bfv else 22)
    state, [verdict] = verdicts(decision, [resource_fit], "small")  # the candidates' SQL
    assert verdict.passed is fits
    # A multi-create re-checks in Python on the host's state: the same answer.
    assert state is not None
    assert resource_fit.host_passes(state, Decision(make_spec(2, flavor=BIG, is_bfv=is_bfv))) is fits


def test_the_build_request_of_a_volume_backed_server_asks_no_root_disk(demo_api):
    volume_backed = create(demo_api, "2", volume_backed=True)  # m1.small: root_gb 20
    image_backed = create(demo_api, "2", volume_backed=False)
    spec = request_spec([volume_backed])
    assert spec.is_bfv and spec.resources.disk_gb == 0
    assert not request_spec([image_backed]).is_bfv and request_spec([image_backed]).resources.disk_gb == 20
    # Reschedules onto alternates claim the same.
    assert server_resources(volume_backed, volume_backed.flavor).disk_gb == 0
    assert server_resources(image_backed, image_backed.flavor).disk_gb == 20
    assert server_spec(volume_backed, volume_backed.flavor).is_bfv


def test_moves_of_a_volume_backed_server_claim_no_root_disk(demo_api):
    make_host("source", disk_gb=5)
    make_host("dest", disk_gb=5)
    server = create(demo_api, "2", volume_backed=True)
    # The build's claim on the source, then the move's: the source allocation is kept under
    # the migration's uuid, the destination is claimed under the server's.
    source, _ = claim_destination(server, server.flavor, requested_host="source", avoid=None)
    assert Allocation.objects.get(consumer=server.uuid).disk_gb == 0
    migration_uuid = "8a9b5f0e-2a53-4d59-9d5b-6b0f3f0b1c11"
    hand_to_migration(str(server.uuid), migration_uuid, source)
    assert Allocation.objects.get(consumer=migration_uuid).disk_gb == 0
    medium = Flavor.objects.get(flavorid="3").snapshot()  # resize to root_gb 40
    dest, _ = claim_destination(server, medium, requested_host=None, avoid="source")
    allocation = Allocation.objects.get(consumer=server.uuid)
    assert (dest, allocation.compute_node.host, allocation.disk_gb) == ("dest", "dest", 0)
    assert allocation.vcpus == medium["vcpus"]
    # A named destination (live migration, evacuate, unshelve to a host) claims the same.
    Allocation.objects.filter(consumer=server.uuid).delete()
    ComputeNode.objects.filter(host="dest").update(local_gb_used=0, vcpus_used=0, memory_mb_used=0, running_vms=0)
    claim_destination(server, server.flavor, requested_host="dest", avoid="source")
    assert Allocation.objects.get(consumer=server.uuid).disk_gb == 0


def test_moves_of_an_image_backed_server_still_need_its_root_disk(demo_api):
    make_host("source", disk_gb=5)
    make_host("dest", disk_gb=5)
    server = create(demo_api, "2", volume_backed=False)
    with pytest.raises(NoValidHost):
        claim_destination(server, server.flavor, requested_host=None, avoid="source")
    with pytest.raises(NoValidHost):
        claim_destination(server, server.flavor, requested_host="dest", avoid="source")
    assert not Allocation.objects.filter(consumer=server.uuid).exists()
