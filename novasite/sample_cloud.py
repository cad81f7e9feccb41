"""A synthetic cloud for the dashboard's tests and benchmark: compute hosts in three zones
and servers in a realistic mix of states, with their create actions, failed steps and faults.
Bulk inserts only (no signals, no workflows), so 10,000 servers load in seconds; not used by
the cloud itself.

Deterministic: host i and server i always look the same, and the first few of each already
cover every kind (a down host, a disabled host, an error server with its failed step and
fault, servers busy with a task), so even a tiny cloud fills every panel."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hosts.models import Aggregate, AggregateHost, ComputeNode, Service
from scheduling.aggregates import sync_hosts
from servers.models import InstanceAction, InstanceActionEvent, Server, ServerFault
from servers.states import PowerState, TaskState, VmState

ZONES = ("az1", "az2", "az3")
FLAVOR = {"flavorid": "2", "name": "m1.small", "vcpus": 1, "memory_mb": 2048, "root_gb": 20, "ephemeral_gb": 0}
#: One server in every hundred of each kind but "active" (the rest): (vm_state, task_state, deleted).
KINDS: list[tuple[str, str | None, bool]] = [
    (VmState.ACTIVE, None, False),
    (VmState.ERROR, None, False),
    (VmState.ACTIVE, TaskState.REBOOTING, False),
    (VmState.STOPPED, None, False),
    (VmState.ACTIVE, TaskState.MIGRATING, False),
    (VmState.BUILDING, TaskState.SCHEDULING, False),
    (VmState.DELETED, None, True),
    (VmState.SHELVED_OFFLOADED, None, False),
    (VmState.ACTIVE, TaskState.POWERING_OFF, False),
]
KINDS += [(VmState.ACTIVE, None, False)] * (100 - len(KINDS))
BATCH = 2000


def host_name(index: int) -> str:
    return f"compute{index:05d}"


def is_silent(index: int) -> bool:
    """Host ``index`` stopped reporting an hour before it was loaded (one in 50)."""
    return index % 50 == 1


def heartbeat() -> int:
    """Every loaded host that is not silent reports now (time passes between a load and its
    use). Returns how many reported."""
    reporting = [
        host
        for host in Service.objects.filter(binary="nova-compute", host__startswith="compute").values_list(
            "host", flat=True
        )
        if host[len("compute") :].isdigit() and not is_silent(int(host[len("compute") :]))
    ]
    return Service.objects.filter(host__in=reporting).update(last_seen_up=timezone.now())


def load_hosts(count: int, start: int = 0) -> dict[str, str]:
    """Compute hosts ``start`` .. ``start + count - 1``: reporting (one in 50 long silent, one
    in 40 disabled), in zones az1-az3 by turn, with three sizes of hardware and uneven usage. Returns their
    zones by name."""
    now = timezone.now()
    indexes = range(start, start + count)
    services = Service.objects.bulk_create(
        (
            Service(
                host=host_name(i),
                binary="nova-compute",
                topic="compute",
                disabled=i % 40 == 3,
                disabled_reason="maintenance" if i % 40 == 3 else None,
                last_seen_up=now - timedelta(hours=1) if is_silent(i) else now,
                report_count=1,
            )
            for i in indexes
        ),
        batch_size=BATCH,
    )
    nodes = []
    for i, service in zip(indexes, services, strict=True):
        size = 1 << (i % 3)
        vcpus, memory_mb, local_gb = 16 * size, 65536 * size, 500 * size
        nodes.append(
            ComputeNode(
                host=service.host,
                service=service,
                hypervisor_hostname=f"{service.host}.example",
                vcpus=vcpus,
                memory_mb=memory_mb,
                local_gb=local_gb,
                # Usage from nearly nothing to nearly full, spread over the hosts.
                vcpus_used=vcpus * 4 * (i * 37 % 100) // 100,
                memory_mb_used=(memory_mb - 512) * (i * 53 % 100) // 100,
                local_gb_used=local_gb * (i * 71 % 100) // 100,
                running_vms=i % 12,
                cpu_allocation_ratio=4.0,
                ram_allocation_ratio=1.0,
                disk_allocation_ratio=1.0,
                reserved_host_memory_mb=512,
            )
        )
    ComputeNode.objects.bulk_create(nodes, batch_size=BATCH)
    zones = [
        Aggregate.objects.get_or_create(name=zone, defaults={"metadata": {"availability_zone": zone}})[0]
        for zone in ZONES
    ]
    AggregateHost.objects.bulk_create(
        (AggregateHost(aggregate=zones[i % len(zones)], host=host_name(i)) for i in indexes), batch_size=BATCH
    )
    sync_hosts([host_name(i) for i in indexes])  # bulk inserts bypass the signals keeping the zone mirrors
    return {host_name(i): ZONES[i % len(zones)] for i in indexes}


def load_servers(count: int, hosts: dict[str, str], start: int = 0) -> None:
    """Servers ``start`` .. ``start + count - 1`` on ``hosts`` (their zones by name) in turn, in the KINDS mix, each
    with its create action and step; an error server's step failed and left a fault."""
    now = timezone.now()
    names = sorted(hosts)
    servers = []
    for i in range(start, start + count):
        vm_state, task_state, deleted = KINDS[i % len(KINDS)]
        placed = vm_state not in (VmState.BUILDING, VmState.SHELVED_OFFLOADED) and not deleted
        host = names[i % len(names)] if placed else None
        servers.append(
            Server(
                name=f"vm{i:05d}",
                project_id=f"project{i % 25}",
                user_id="user",
                flavor=FLAVOR,
                host=host,
                node=f"{host}.example" if host else None,
                availability_zone=hosts[host] if host else None,
                vm_state=vm_state,
                task_state=task_state,
                power_state=PowerState.RUNNING if vm_state == VmState.ACTIVE else PowerState.NOSTATE,
                deleted=deleted,
                deleted_at=now if deleted else None,
            )
        )
    with transaction.atomic():
        servers = Server.objects.bulk_create(servers, batch_size=BATCH)
        # The busy ones started their tasks up to an hour and a half ago (a few updates).
        busy: dict[int, list[int]] = {}
        for offset, server in enumerate(s for s in servers if s.task_state):
            busy.setdefault(offset % 90, []).append(server.pk)
        for minutes, pks in busy.items():
            Server.objects.filter(pk__in=pks).update(updated_at=now - timedelta(minutes=minutes))
        actions = InstanceAction.objects.bulk_create(
            (
                InstanceAction(
                    server=server,
                    action="create",
                    request_id=f"req-{server.uuid}",
                    user_id="user",
                    project_id=server.project_id,
                    message="Error" if server.vm_state == VmState.ERROR else None,
                )
                for server in servers
            ),
            batch_size=BATCH,
        )
        InstanceActionEvent.objects.bulk_create(
            (
                InstanceActionEvent(
                    action=action,
                    event="compute_build_and_run_instance",
                    result="Error" if action.message else "Success",
                    traceback="Traceback (most recent call last): ...\nBuildAbortException" if action.message else None,
                    host=action.server.host,
                    finish_time=now,
                )
                for action in actions
            ),
            batch_size=BATCH,
        )
        ServerFault.objects.bulk_create(
            (
                ServerFault(server=server, code=500, message="Build of instance aborted.", host=server.host)
                for server in servers
                if server.vm_state == VmState.ERROR
            ),
            batch_size=BATCH,
        )


def load(hosts: int, servers: int, *, start_host: int = 0, start_server: int = 0) -> None:
    """``hosts`` compute hosts and ``servers`` servers on them (the numbering starts where a
    previous load left off, so loads add up)."""
    load_servers(servers, load_hosts(hosts, start_host), start_server)
