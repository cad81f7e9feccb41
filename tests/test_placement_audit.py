"""`manage.py placement_audit` against a real database: each kind of inconsistency planted,
found, healed by --heal, and a clean audit after (Nova's exit codes 0 / 3 / 4). The guests of
real compute hosts are audited in tests/e2e/test_placement_audit.py."""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.core.management import call_command

from core.exceptions import PolicyNotAuthorized
from core.principal import Caller
from hosts.models import Allocation, ComputeNode
from networks import ipam
from networks.models import Network, Port
from scheduling import claims
from servers.models import Migration, Server, VolumeAttachment
from volumes.models import Volume
from workers.conductor.audit import audit

from .hosts_helpers import hosts

__all__ = ["hosts"]

pytestmark = pytest.mark.django_db

TINY = claims.Resources(1, 128, 1)


def run_audit(*args: str) -> tuple[int, str]:
    """(exit code, output) of the command; the hypervisors are left out (no worker here)."""
    out = StringIO()
    try:
        call_command("placement_audit", "--no-guests", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def node(host: str) -> ComputeNode:
    return ComputeNode.objects.get(host=host)


def server_on(host: str, **fields) -> Server:
    """A server row on `host` (ACTIVE, launched, flavor 42 without a root disk) and nothing else."""
    values = {
        "name": f"vm-{host}",
        "project_id": "p",
        "user_id": "u",
        "host": host,
        "node": host,
        "flavor": {"flavorid": "42", "vcpus": 1, "memory_mb": 128},
        "vm_state": "active",
        "launched_at": "2026-01-01T00:00:00Z",
    }
    return Server.objects.create(**{**values, **fields})


def placed(host: str, **fields) -> Server:
    """A live server on `host` holding its flavor there, as a build leaves it."""
    server = server_on(host, **fields)
    assert claims.claim(node(host).id, str(server.uuid), TINY, project_id="p", user_id="u")
    return server


def usage(host: str) -> tuple[int, int, int, int]:
    found = node(host)
    return found.vcpus_used, found.memory_mb_used, found.local_gb_used, found.running_vms


def test_a_consistent_cloud_is_clean(hosts):
    placed("compute1")
    resizing = server_on("compute2", task_state="resize_migrated")
    move = Migration.objects.create(
        server=resizing, migration_type="resize", status="post-migrating", source_compute="compute2"
    )
    # The source held under the migration, the destination under the server's own uuid.
    assert claims.claim(node("compute2").id, str(move.uuid), TINY, project_id="p", user_id="u")
    assert claims.claim(node("compute3").id, str(resizing.uuid), TINY, project_id="p", user_id="u")
    server_on("compute3", vm_state="error", launched_at=None)  # a failed build: holds nothing, truthfully
    server_on("compute3", vm_state="shelved_offloaded")
    code, out = run_audit("--verbose")
    assert code == 0, out
    assert out.strip().startswith("Checked 3 allocations, 2 servers, 0 ports, 0 volumes.")
    assert "Found 0" in out


def test_allocations_without_servers_are_found_and_deleted(hosts):
    before = usage("compute1")
    stranger = str(uuid.uuid4())
    assert claims.claim(node("compute1").id, stranger, TINY, project_id="p", user_id="u")
    gone = placed("compute2")
    Server.objects.filter(pk=gone.pk).update(deleted=True)
    keeper = placed("compute3")
    finished = Migration.objects.create(server=keeper, migration_type="migration", status="confirmed")
    assert claims.claim(node("compute3").id, str(finished.uuid), TINY, project_id="p", user_id="u")

    code, out = run_audit()
    assert code == 3
    assert f"Allocations for consumer UUID {stranger} on host compute1 (VCPU=1, MEMORY_MB=128, DISK_GB=1)" in out
    assert f"consumer UUID {gone.uuid} on host compute2" in out and f"consumer UUID {finished.uuid}" in out
    assert out.count("can be deleted") == 3
    assert Allocation.objects.count() == 4  # nothing changed without --heal

    code, out = run_audit("--heal")
    assert code == 4, out
    assert out.count(": deleted") == 3 and "Found 3, 3 healed" in out
    assert usage("compute1") == before and usage("compute2") == (0, 0, 0, 0)
    assert list(Allocation.objects.values_list("consumer", flat=True)) == [keeper.uuid]
    assert run_audit()[0] == 0


def test_servers_without_allocations_are_claimed_again_when_there_is_room(hosts):
    lost = server_on("compute1")
    full = server_on("compute2")
    # compute2 has no room left for anything.
    ComputeNode.objects.filter(host="compute2").update(memory_mb_used=16384)

    code, out = run_audit()
    assert code == 3
    assert f"Server {lost.uuid} (active) on host compute1 holds no allocation there: can be claimed again" in out
    assert f"Server {full.uuid} (active) on host compute2 holds no allocation there" in out

    code, out = run_audit("--heal")
    assert code == 3, out  # one of the two could not be healed
    assert "claimed VCPU=1, MEMORY_MB=128, DISK_GB=0" in out  # flavor 42 of server_on has no root disk
    assert "not healed: the host has no room for its flavor (a claim never over-commits)" in out
    assert Allocation.objects.get().consumer == lost.uuid and usage("compute1")[3] == 1

    Server.objects.filter(pk=full.pk).update(host="compute3", node="compute3")
    code, out = run_audit("--heal")
    assert code == 4, out
    assert run_audit()[0] == 0


def test_ports_of_deleted_and_unknown_servers_are_released(hosts):
    network = Network.objects.get(name="provider")
    user_port = ipam.create_port(network, project_id="p")
    gone = server_on("compute1", requested_networks=[{"uuid": str(network.id)}, {"port": str(user_port.id)}])
    made = ipam.bind_ports_for_server(str(gone.uuid), "p", gone.requested_networks)
    Server.objects.filter(pk=gone.pk).update(deleted=True)
    nobody = str(uuid.uuid4())
    stray = ipam.create_port(network, project_id="p", device_id=nobody, device_owner="compute:nova")
    router_port = ipam.create_port(network, project_id="p", device_id=str(uuid.uuid4()), device_owner="network:router")
    live = placed("compute2")
    ipam.create_port(network, project_id="p", device_id=str(live.uuid), device_owner="compute:nova")

    code, out = run_audit()
    assert code == 3
    made_port = next(p for p in made if p.id != user_port.id)
    assert f"Port {made_port.id} is bound to server {gone.uuid}, which is deleted: can be deleted" in out
    assert f"Port {user_port.id} is bound to server {gone.uuid}, which is deleted: can be unbound" in out
    assert f"Port {stray.id} is bound to server {nobody}, which does not exist: can be unbound" in out
    assert str(router_port.id) not in out  # not a server's port

    code, out = run_audit("--heal")
    assert code == 4, out
    assert not Port.objects.filter(id=made_port.id).exists()
    for kept in (user_port, stray):
        kept.refresh_from_db()
        assert (kept.device_id, kept.device_owner, kept.status) == ("", "", "DOWN")
    assert Port.objects.filter(device_id=str(live.uuid)).exists()
    assert run_audit()[0] == 0


def test_volumes_of_deleted_and_unknown_servers_are_released(hosts):
    def volume(server_uuid: uuid.UUID | str, status: str = "in-use") -> Volume:
        return Volume.objects.create(
            project_id="p", user_id="u", size=1, status=status, attached_server_uuid=server_uuid
        )

    gone = placed("compute1")
    held = volume(gone.uuid)
    VolumeAttachment.objects.create(server=gone, volume_id=held.id, status="attached")
    Server.objects.filter(pk=gone.pk).update(deleted=True)
    nobody = uuid.uuid4()
    stray = volume(nobody, status="attaching")
    live = placed("compute2")
    kept = volume(live.uuid)
    VolumeAttachment.objects.create(server=live, volume_id=kept.id, status="attached")

    code, out = run_audit()
    assert code == 3
    assert f"Volume {held.id} is in-use by server {gone.uuid}, which is deleted: can be released" in out
    assert f"Volume {stray.id} is attaching by server {nobody}, which does not exist" in out
    assert str(kept.id) not in out

    code, out = run_audit("--heal")
    assert code == 4, out
    assert "available again" in out
    for released in (held, stray):
        released.refresh_from_db()
        assert (released.status, released.attached_server_uuid) == ("available", None)
    assert not VolumeAttachment.objects.filter(server=gone).exists()
    kept.refresh_from_db()
    assert kept.status == "in-use" and VolumeAttachment.objects.filter(server=live).exists()
    assert run_audit()[0] == 0


def test_every_kind_at_once_heals_to_a_clean_audit(hosts):
    network = Network.objects.get(name="provider")
    gone = placed("compute1", requested_networks=[{"uuid": str(network.id)}])
    ipam.bind_ports_for_server(str(gone.uuid), "p", gone.requested_networks)
    Volume.objects.create(project_id="p", user_id="u", size=1, status="in-use", attached_server_uuid=gone.uuid)
    Server.objects.filter(pk=gone.pk).update(deleted=True)
    server_on("compute2")
    assert run_audit()[0] == 3
    code, out = run_audit("--heal", "--verbose")
    assert code == 4, out
    assert "Found 4, 4 healed" in out
    code, out = run_audit("--verbose")
    assert code == 0 and "Found 0" in out


def test_a_host_that_does_not_answer_is_reported(hosts, settings):
    code, out = run_audit_with_guests("--timeout", "0.2")
    assert code == 3
    for host in ("compute1", "compute2", "compute3"):
        assert f"Compute host {host} did not list its guests (no answer within 0.2 s): unchecked" in out


def run_audit_with_guests(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("placement_audit", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_only_admins_may_audit(hosts):
    with pytest.raises(PolicyNotAuthorized, match="novasite:placement:audit"):
        audit(Caller(user_id="u", project_id="p", roles=("member",)), guests=False)
